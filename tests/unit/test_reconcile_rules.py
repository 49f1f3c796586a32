"""The reconcile's rules without AWS: the side-by-side walk, what counts as drift, and each repair,
including the races with live events that the repair condition is there for
(``upload_catalog.controllers.reconcile_repair``'s docstring states the three rules)."""

from __future__ import annotations

import pytest
from upload_catalog.controllers.catalog import CatalogController
from upload_catalog.controllers.reconcile_repair import (
    ADDED,
    FIXED,
    REMOVED,
    SKIPPED,
    ZERO_SEQUENCER,
    Repairer,
)
from upload_catalog.controllers.reconcile_walk import MISSING, ORPHAN, STALE, KeyState, drift_of, walk
from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import CatalogEntry, Tombstone
from upload_catalog.reconcile_models import CatalogRow, Cursor, ListedObject

from tests.unit import samples
from tests.unit.reconcile_fakes import ListingBucket, ReconcileCatalog
from tests.unit.s3_event_factory import event

NOW = 1_790_000_000.0
TTL = 3600


def events(bucket: ListingBucket, catalog: ReconcileCatalog) -> CatalogController:
    return CatalogController(bucket, catalog, sniff_bytes=65536, tombstone_ttl_seconds=TTL, clock=lambda: NOW)


def repairer(bucket: ListingBucket, catalog: ReconcileCatalog) -> Repairer:
    return Repairer(bucket, catalog, sniff_bytes=65536, tombstone_ttl_seconds=TTL, clock=lambda: NOW)


def deliver(bucket: ListingBucket, catalog: ReconcileCatalog, *indexes: int) -> None:
    events(bucket, catalog).handle_event(event(*(bucket.records[i] for i in indexes)))


def states(bucket: ListingBucket, catalog: ReconcileCatalog, cursor: Cursor | None = None, page: int = 2):
    return list(walk(bucket.name, cursor or Cursor(), bucket, catalog, page_size=page))


# -- the walk -----------------------------------------------------------------------------------------


def test_walk_merges_both_sides_in_utf8_order_across_pages() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    for key in ["b", "a", "é", "z/1", "a/b"]:
        bucket.put(key, key.encode())
    deliver(bucket, catalog, 0, 1, 2)  # b, a, é catalogued; z/1 and a/b were never announced
    catalog.put_if_newer(
        CatalogEntry(
            bucket.name,
            "orphan",
            1,
            "x",
            "text/plain",
            None,
            normalize_sequencer("1"),
            "2026-11-25T10:00:00Z",
        )
    )
    walked = states(bucket, catalog)
    assert [s.key for s in walked] == sorted(["a", "a/b", "b", "orphan", "z/1", "é"], key=str.encode)
    assert {s.key: s.drift for s in walked} == {
        "a": None,
        "a/b": MISSING,
        "b": None,
        "orphan": ORPHAN,
        "z/1": MISSING,
        "é": None,
    }


def test_only_the_latest_version_of_a_key_counts_and_delete_markers_hide_it() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"one")
    bucket.put("k", b"two")
    bucket.put("gone", b"x")
    bucket.delete("gone")  # a delete marker is now its latest entry
    walked = {s.key: s for s in states(bucket, catalog, page=1)}  # one entry per page: versions split
    assert walked["k"].listed.etag.strip('"') == bucket.current("k").etag
    assert walked["gone"].listed.deleted and not walked["gone"].exists
    assert walked["gone"].drift is None  # nothing to catalogue, nothing catalogued


def test_walk_resumes_after_the_cursor_without_revisiting_a_key() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    for key in ["a", "b", "c"]:
        bucket.put(key, b"1")
        bucket.put(key, b"2")  # two versions each: resuming after b's latest lists b's older one
    first = states(bucket, catalog)
    b = next(s for s in first if s.key == "b")
    rest = states(bucket, catalog, Cursor("b", b.s3_marker))
    assert [s.key for s in rest] == ["c"]


def test_drift_rules() -> None:
    live = ListedObject("k", "v1", etag='"e1"', size=3)
    row = CatalogRow("k", True, normalize_sequencer("1"), 3, "e1", "v1")
    assert drift_of(live, row) is None
    assert drift_of(live, None) == MISSING
    assert drift_of(live, CatalogRow("k", False, normalize_sequencer("2"))) == MISSING
    assert drift_of(live, CatalogRow("k", True, row.sequencer, 4, "e1", "v1")) == STALE
    assert drift_of(live, CatalogRow("k", True, row.sequencer, 3, "e2", "v1")) == STALE
    assert drift_of(live, CatalogRow("k", True, row.sequencer, 3, "e1", "v0")) == STALE
    assert drift_of(None, row) == ORPHAN
    assert drift_of(ListedObject("k", "m", deleted=True), row) == ORPHAN
    assert drift_of(None, CatalogRow("k", False, row.sequencer)) is None
    # S3's "null" version and no version id are the same thing.
    assert (
        drift_of(
            ListedObject("k", "null", etag='"e1"', size=3), row.__class__("k", True, row.sequencer, 3, "e1")
        )
        is None
    )


# -- repairs ------------------------------------------------------------------------------------------


def test_missing_object_is_described_by_the_event_rules() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    version = bucket.put("photos/cat.png", samples.png(30, 20), content_type="application/octet-stream")
    (state,) = states(bucket, catalog)
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == ADDED
    entry = catalog.items[(bucket.name, "photos/cat.png")]
    assert isinstance(entry, CatalogEntry)
    assert (entry.content_type, entry.width, entry.height) == ("image/png", 30, 20)
    assert (entry.etag, entry.size, entry.version_id) == (version.etag, len(version.data), version.version_id)
    assert entry.declared_content_type == "application/octet-stream"
    assert entry.sequencer == ZERO_SEQUENCER  # rule 3: below every S3 sequencer
    assert bucket.largest_read <= 64 * 1024


def test_orphan_entry_becomes_a_tombstone_keeping_its_sequencer() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("doomed", b"x")
    deliver(bucket, catalog, 0)
    bucket.versions.clear()  # gone behind the catalog's back, without an event
    (state,) = states(bucket, catalog)
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == REMOVED
    stone = catalog.items[(bucket.name, "doomed")]
    assert isinstance(stone, Tombstone) and stone.expires_at == int(NOW) + TTL
    assert stone.sequencer == state.row.sequencer


def test_stale_entry_is_reread() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"first")
    deliver(bucket, catalog, 0)
    second = bucket.put("k", samples.gif(5, 6))  # its event never arrives
    (state,) = states(bucket, catalog)
    assert state.drift == STALE
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == FIXED
    entry = catalog.items[(bucket.name, "k")]
    assert (entry.etag, entry.content_type, entry.width) == (second.etag, "image/gif", 5)


def test_an_event_written_after_the_read_wins_over_the_repair() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"old")
    deliver(bucket, catalog, 0)
    bucket.put("k", b"newer")
    (state,) = states(bucket, catalog)  # the reconcile read the old entry ...
    newest = bucket.put("k", b"newest")

    def event_lands(call: str) -> None:  # ... and the newest upload's event lands just before the put
        if call == "put":
            catalog.hook = lambda _: None
            deliver(bucket, catalog, 2)

    catalog.hook = event_lands
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == SKIPPED
    assert catalog.items[(bucket.name, "k")].etag == newest.etag


def test_a_delete_between_listing_and_head_is_not_resurrected() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")  # its create event is lost
    (state,) = states(bucket, catalog)
    bucket.delete("k")  # after the listing, before the HEAD
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == SKIPPED
    assert (bucket.name, "k") not in catalog.live()


@pytest.mark.parametrize(
    "tombstone_first", [True, False], ids=["tombstone-before-put", "tombstone-after-put"]
)
def test_a_delete_after_head_ends_as_a_tombstone_either_way(tombstone_first: bool) -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")  # its create event is lost
    (state,) = states(bucket, catalog)

    def delete_after_head(call: str) -> None:
        if call == "get":  # HEAD has answered: the object is deleted now, its event queued
            bucket.hook = lambda _: None
            bucket.delete("k")
            if tombstone_first:
                deliver(bucket, catalog, 1)

    bucket.hook = delete_after_head
    outcome = repairer(bucket, catalog).repair(bucket.name, state).outcome
    if not tombstone_first:
        assert outcome == ADDED  # true when HEAD answered ...
        deliver(bucket, catalog, 1)  # ... and the delete's tombstone overwrites it (rule 3)
    else:
        assert outcome == SKIPPED  # rule 2: the tombstone landed first
    assert isinstance(catalog.items[(bucket.name, "k")], Tombstone)


def test_a_repair_never_blocks_a_later_event() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")
    deliver(bucket, catalog, 0)
    bucket.put("k", b"y")  # lost event: the reconcile fixes the entry ...
    (state,) = states(bucket, catalog)
    assert repairer(bucket, catalog).repair(bucket.name, state).outcome == FIXED
    third = bucket.put("k", b"z")
    deliver(bucket, catalog, 2)  # ... and the next upload's event still overwrites the repair
    assert catalog.items[(bucket.name, "k")].etag == third.etag
    assert (bucket.name, "k") not in catalog.stamps


def test_an_entry_that_already_agrees_after_the_head_is_left_alone() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")
    deliver(bucket, catalog, 0)
    row = states(bucket, catalog)[0].row
    listed = ListedObject("k", "bogus", etag='"other"', size=99)  # a listing that lagged behind
    outcome = repairer(bucket, catalog).repair(bucket.name, KeyState("k", listed, row, None))
    assert outcome.outcome == SKIPPED and catalog.reconcile_writes == 0


def test_the_stamp_always_changes() -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")  # lost
    fix = repairer(bucket, catalog)
    assert fix.repair(bucket.name, states(bucket, catalog)[0]).outcome == ADDED
    first = catalog.stamps[(bucket.name, "k")]
    bucket.put("k", b"y")  # lost too, within the same millisecond of the fake clock
    assert fix.repair(bucket.name, states(bucket, catalog)[0]).outcome == FIXED
    assert catalog.stamps[(bucket.name, "k")] == first + 1


def test_a_failing_repair_is_an_outcome_not_an_exception(caplog) -> None:
    bucket, catalog = ListingBucket(versioned=True), ReconcileCatalog()
    bucket.put("k", b"x")

    def throttled(call: str) -> None:
        if call == "head":
            raise RuntimeError("SlowDown: please reduce your request rate")

    (state,) = states(bucket, catalog)
    bucket.hook = throttled
    outcome = repairer(bucket, catalog).repair(bucket.name, state)
    assert outcome.outcome == "failed" and "SlowDown" in outcome.detail
    assert any(r.levelname == "ERROR" and "s3://uploads/k" in r.getMessage() for r in caplog.records)
