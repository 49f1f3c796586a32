"""The catalog controller against in-memory S3 and DynamoDB (tests.unit.fakes)."""

from __future__ import annotations

import logging

import pytest
from upload_catalog.controllers.catalog import CatalogController, EventProcessingError
from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import CatalogEntry, ObjectHead, Tombstone

from tests.unit import samples
from tests.unit.fakes import ENABLED, SUSPENDED, FailingCatalog, FakeBucket, FakeCatalog
from tests.unit.s3_event_factory import event, s3_record, test_event

NOW = 1_790_000_000
TTL = 86_400


def controller(bucket: FakeBucket, catalog: FakeCatalog) -> CatalogController:
    return CatalogController(
        bucket, catalog, sniff_bytes=64 * 1024, tombstone_ttl_seconds=TTL, clock=lambda: NOW
    )


@pytest.fixture
def bucket() -> FakeBucket:
    return FakeBucket()


@pytest.fixture
def catalog() -> FakeCatalog:
    return FakeCatalog()


def deliver(bucket: FakeBucket, catalog: FakeCatalog, *indexes: int) -> dict:
    """Deliver the bucket's recorded notifications with the given indexes as one event."""
    return controller(bucket, catalog).handle_event(event(*(bucket.records[i] for i in indexes))).summary()


def test_put_of_an_image_catalogues_detected_and_declared_types(bucket, catalog) -> None:
    version = bucket.put(
        "photos/한글 사진+1.png", samples.png(640, 480), content_type="application/octet-stream"
    )
    summary = deliver(bucket, catalog, 0)
    assert summary == {"records": 1, "outcomes": {"written": 1}}
    entry = catalog.items[("uploads", "photos/한글 사진+1.png")]
    assert entry == CatalogEntry(
        bucket="uploads",
        key="photos/한글 사진+1.png",
        size=len(version.data),
        etag=version.etag,
        content_type="image/png",
        declared_content_type="application/octet-stream",
        sequencer=normalize_sequencer(bucket.records[0]["s3"]["object"]["sequencer"]),
        event_time="2026-11-25T10:00:00.000Z",
        width=640,
        height=480,
    )


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("text/plain", "text/plain"), (None, "binary/octet-stream")],
)
def test_unknown_bytes_keep_the_declared_type(bucket, catalog, declared, expected) -> None:
    bucket.put("notes.txt", b"hello", content_type=declared)
    deliver(bucket, catalog, 0)
    entry = catalog.items[("uploads", "notes.txt")]
    assert isinstance(entry, CatalogEntry)
    assert (entry.content_type, entry.declared_content_type) == (expected, declared)
    assert entry.width is None and entry.height is None


def test_reads_at_most_64_kib_of_a_large_object(bucket, catalog) -> None:
    bucket.put("big.pdf", samples.pdf() + b"\x00" * (5 * 1024 * 1024), content_type="application/pdf")
    deliver(bucket, catalog, 0)
    assert bucket.largest_read == 64 * 1024
    assert catalog.items[("uploads", "big.pdf")].size == 5 * 1024 * 1024 + len(samples.pdf())


def test_empty_object_is_catalogued_without_reading(bucket, catalog) -> None:
    bucket.put("empty", b"", content_type=None)
    deliver(bucket, catalog, 0)
    assert bucket.largest_read == 0
    assert catalog.items[("uploads", "empty")].size == 0


def test_duplicate_delivery_writes_once(bucket, catalog) -> None:
    bucket.put("a.gif", samples.gif(3, 4))
    assert deliver(bucket, catalog, 0, 0)["outcomes"] == {"stale": 1, "written": 1}
    assert deliver(bucket, catalog, 0)["outcomes"] == {"stale": 1}
    assert catalog.writes == 1


def test_reordered_overwrites_end_with_the_newest(bucket, catalog) -> None:
    bucket.put("k", samples.gif(1, 1))
    bucket.put("k", samples.gif(2, 2))
    newest = bucket.put("k", samples.gif(3, 3))
    assert deliver(bucket, catalog, 2, 0, 1)["outcomes"] == {"stale": 2, "written": 1}
    entry = catalog.items[("uploads", "k")]
    assert entry.etag == newest.etag and (entry.width, entry.height) == (3, 3)


def test_delete_writes_a_tombstone_that_expires(bucket, catalog) -> None:
    bucket.put("k", b"x")
    bucket.delete("k")
    assert "size" not in bucket.records[1]["s3"]["object"] and "eTag" not in bucket.records[1]["s3"]["object"]
    deliver(bucket, catalog, 0, 1)
    tomb = catalog.items[("uploads", "k")]
    assert tomb == Tombstone(
        "uploads",
        "k",
        normalize_sequencer(bucket.records[1]["s3"]["object"]["sequencer"]),
        "2026-11-25T10:00:00.000Z",
        expires_at=NOW + TTL,
    )


def test_object_gone_before_its_create_is_processed_leaves_no_entry(bucket, catalog) -> None:
    bucket.put("k", b"x")
    bucket.delete("k")
    assert deliver(bucket, catalog, 0)["outcomes"] == {"gone": 1}
    assert catalog.items == {}


def test_late_create_of_an_older_version_cannot_resurrect(catalog) -> None:
    bucket = FakeBucket(versioned=True)
    bucket.put("k", b"v1")  # the version still exists (noncurrent) after the delete marker
    bucket.delete("k")
    assert deliver(bucket, catalog, 1)["outcomes"] == {"tombstoned": 1}
    assert deliver(bucket, catalog, 0)["outcomes"] == {"stale": 1}
    assert isinstance(catalog.items[("uploads", "k")], Tombstone)


def test_versioned_record_describes_its_own_version(catalog) -> None:
    bucket = FakeBucket(versioned=True)
    first = bucket.put("k", samples.png(10, 20))
    bucket.put("k", samples.png(30, 40))
    deliver(bucket, catalog, 0)
    entry = catalog.items[("uploads", "k")]
    assert entry.version_id == first.version_id and (entry.width, entry.height) == (10, 20)
    deliver(bucket, catalog, 1)
    assert (catalog.items[("uploads", "k")].width, catalog.items[("uploads", "k")].height) == (30, 40)


def test_permanent_delete_of_the_current_version_restores_the_previous(catalog) -> None:
    bucket = FakeBucket(versioned=True)
    first = bucket.put("k", samples.gif(1, 1))
    second = bucket.put("k", samples.gif(2, 2))
    bucket.delete_version("k", second.version_id)
    # The second version's own create finds it deleted for good: only the reconcile describes the key.
    assert deliver(bucket, catalog, 0, 1, 2)["outcomes"] == {"gone": 1, "written": 2}
    assert catalog.items[("uploads", "k")].etag == first.etag
    bucket.delete_version("k", first.version_id)
    assert deliver(bucket, catalog, 3)["outcomes"] == {"tombstoned": 1}


@pytest.mark.parametrize("null_written", ["before versioning was enabled", "while versioning was suspended"])
def test_permanent_delete_that_leaves_a_null_version_current_catalogues_it(catalog, null_written) -> None:
    # S3 gives an object written while versioning was off or suspended the version "null", which HEAD
    # reports as no version at all; the reconcile must read that object, not the version just deleted.
    if null_written == "before versioning was enabled":
        bucket = FakeBucket()
        null = bucket.put("k", samples.gif(1, 1))
    else:
        bucket = FakeBucket(versioned=True)
        bucket.put("k", samples.gif(9, 9))
        bucket.set_versioning(SUSPENDED)
        null = bucket.put("k", samples.gif(1, 1))
    bucket.set_versioning(ENABLED)
    newer = bucket.put("k", samples.gif(2, 2))
    assert null.version_id is None and newer.version_id is not None
    deliver(bucket, catalog, *range(len(bucket.records)))
    assert catalog.items[("uploads", "k")].etag == newer.etag

    bucket.delete_version("k", newer.version_id)
    assert deliver(bucket, catalog, len(bucket.records) - 1)["outcomes"] == {"written": 1}
    entry = catalog.items[("uploads", "k")]
    assert isinstance(entry, CatalogEntry)
    assert (entry.etag, entry.width, entry.version_id) == (null.etag, 1, None)


def test_permanent_delete_of_the_null_version_restores_the_previous(catalog) -> None:
    bucket = FakeBucket(versioned=True)
    first = bucket.put("k", samples.gif(1, 1))
    bucket.set_versioning(SUSPENDED)
    bucket.put("k", samples.gif(2, 2))
    bucket.delete_version("k", "null")
    assert bucket.records[-1]["s3"]["object"]["versionId"] == "null"
    deliver(bucket, catalog, 0, 1, 2)
    entry = catalog.items[("uploads", "k")]
    assert (entry.etag, entry.version_id) == (first.etag, first.version_id)


def test_object_replaced_between_head_and_get_is_left_to_the_newer_event(catalog) -> None:
    class RacingBucket(FakeBucket):
        def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
            head = super().head(bucket, key, version_id)
            self.versions.clear()
            self.put(key, b"replacement")
            return head

    bucket = RacingBucket()
    bucket.put("k", b"original")
    assert deliver(bucket, catalog, 0)["outcomes"] == {"superseded": 1}
    assert catalog.items == {}


def test_test_event_is_acknowledged(bucket, catalog) -> None:
    assert controller(bucket, catalog).handle_event(test_event()).summary() == {
        "records": 1,
        "outcomes": {"ignored": 1},
    }


def test_multi_record_event_processes_every_record(bucket, catalog) -> None:
    for name in ("a", "b", "c"):
        bucket.put(name, name.encode())
    bucket.delete("b")
    summary = deliver(bucket, catalog, 0, 1, 2, 3)
    assert summary["outcomes"] == {"gone": 1, "tombstoned": 1, "written": 2}
    assert set(catalog.live()) == {("uploads", "a"), ("uploads", "c")}


def test_malformed_record_fails_the_invocation_after_the_valid_ones(bucket, catalog, caplog) -> None:
    bucket.put("good", b"x")
    bad = s3_record("ObjectCreated:Put", "bad", "0A")
    del bad["s3"]["object"]["sequencer"]
    with pytest.raises(
        EventProcessingError, match=r"record 1 \(malformed\): s3.object.sequencer is missing"
    ) as err:
        controller(bucket, catalog).handle_event(event(bucket.records[0], bad))
    assert ("uploads", "good") in catalog.items
    assert err.value.report.summary()["outcomes"] == {"malformed": 1, "written": 1}
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.outcome for r in errors] == ["malformed"]


def test_aws_failure_fails_the_invocation_after_the_other_records(bucket, caplog) -> None:
    catalog = FailingCatalog({"b"})
    bucket.put("a", b"1")
    bucket.put("b", b"2")
    bucket.put("c", b"3")
    with pytest.raises(EventProcessingError, match=r"1 of 3 records not processed.*ProvisionedThroughput"):
        deliver(bucket, catalog, 0, 1, 2)
    assert set(catalog.items) == {("uploads", "a"), ("uploads", "c")}
    failed = [r for r in caplog.records if getattr(r, "outcome", None) == "failed"]
    assert [r.key for r in failed] == ["b"] and failed[0].exc_info is not None  # the trace is kept


def test_one_log_line_per_record_and_never_the_event(bucket, catalog, caplog) -> None:
    caplog.set_level(logging.INFO, logger="upload_catalog")
    bucket.put("x y.png", samples.png(1, 1))
    bucket.delete("x y.png")
    deliver(bucket, catalog, 0, 1, 1)
    lines = [r for r in caplog.records if r.name == "upload_catalog"]
    assert [(r.key, r.action, r.outcome) for r in lines] == [
        ("x y.png", "create", "gone"),
        ("x y.png", "remove", "tombstoned"),
        ("x y.png", "remove", "stale"),
    ]
    assert all("Records" not in r.getMessage() for r in lines)
