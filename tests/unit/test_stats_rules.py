"""The statistics' rules and the stream updater, without AWS (``controllers.stats_rules``,
``controllers.stats_updates``)."""

from __future__ import annotations

import pytest
from upload_catalog.controllers.stats_rules import contribution, deltas, family_of, top_level_prefix
from upload_catalog.controllers.stats_updates import StatsUpdater, StreamRecordError
from upload_catalog.stats_keys import ALL
from upload_catalog.stats_models import Contribution

from tests.unit.stats_fakes import FakeStatsStore, catalog_image, stream_record


@pytest.mark.parametrize(
    ("key", "prefix"), [("photos/2026/cat.png", "photos/"), ("cat.png", ""), ("/x", "/"), ("a/", "a/")]
)
def test_top_level_prefix(key: str, prefix: str) -> None:
    assert top_level_prefix(key) == prefix


@pytest.mark.parametrize(
    ("content_type", "family"),
    [("image/png", "image"), ("Text/Plain; charset=utf-8", "text"), ("", "binary")],
)
def test_family_of(content_type: str, family: str) -> None:
    assert family_of(content_type) == family


def test_a_tombstone_or_nothing_counts_nowhere() -> None:
    assert contribution(None) is None
    assert contribution(catalog_image("a", 0, deleted=True)) is None


def test_contribution_names_the_missing_attribute() -> None:
    image = catalog_image("a", 3)
    del image["size"]
    with pytest.raises(ValueError, match="no size"):
        contribution(image)
    with pytest.raises(ValueError, match="no key"):
        contribution({**catalog_image("a", 3), "key": {"S": ""}})


def test_a_new_entry_counts_once_in_each_of_its_four_scopes() -> None:
    new = Contribution("b", "photos/", "image", 10)
    assert deltas(None, new) == {
        ("b", ALL, ALL): (1, 10),
        ("b", ALL, "image"): (1, 10),
        ("b", "photos/", ALL): (1, 10),
        ("b", "photos/", "image"): (1, 10),
    }


def test_a_type_change_moves_the_family_and_keeps_the_bucket_count() -> None:
    old = Contribution("b", "p/", "image", 10)
    new = Contribution("b", "p/", "text", 4)
    moved = deltas(old, new)
    assert moved[("b", ALL, ALL)] == (0, -6)
    assert moved[("b", ALL, "image")] == (-1, -10)
    assert moved[("b", "p/", "text")] == (1, 4)
    assert deltas(old, old) == {}


def updater(store: FakeStatsStore, keys_per_transaction: int = 14) -> StatsUpdater:
    return StatsUpdater(store, keys_per_transaction=keys_per_transaction)


def test_a_duplicated_batch_counts_once() -> None:
    store = FakeStatsStore()
    batch = {
        "Records": [
            stream_record(1, "p/a.png", None, catalog_image("p/a.png", 5)),
            stream_record(2, "b.txt", None, catalog_image("b.txt", 7, "text/plain")),
        ]
    }
    assert updater(store).handle(batch) == {"batchItemFailures": []}
    assert updater(store).handle(batch) == {"batchItemFailures": []}
    assert store.totals(("b", ALL, ALL)).objects == 2
    assert store.totals(("b", ALL, ALL)).bytes == 12
    assert store.totals(("b", "", "text")).objects == 1


def test_an_older_record_after_a_newer_one_changes_nothing() -> None:
    store = FakeStatsStore()
    created = stream_record(1, "a", None, catalog_image("a", 5))
    deleted = stream_record(2, "a", catalog_image("a", 5), catalog_image("a", 0, deleted=True))
    updater(store).handle({"Records": [created, deleted]})
    updater(store).handle({"Records": [created]})
    assert store.nonzero_totals() == {}


def test_a_remove_of_a_live_item_uncounts_it() -> None:
    """A REMOVE record has only the OldImage; the marker knows what the key counted for."""
    store = FakeStatsStore()
    updater(store).handle({"Records": [stream_record(1, "a", None, catalog_image("a", 5))]})
    updater(store).handle({"Records": [stream_record(2, "a", catalog_image("a", 5), None)]})
    assert store.nonzero_totals() == {}


def test_a_malformed_record_is_reported_and_what_came_before_is_kept() -> None:
    """ReportBatchItemFailures: Lambda retries from the reported record on (AWS Lambda Developer Guide,
    "Configuring partial batch response with DynamoDB and Lambda")."""
    store = FakeStatsStore()
    bad = stream_record(2, "b", None, catalog_image("b", 3))
    del bad["dynamodb"]["NewImage"]
    records = [stream_record(1, "a", None, catalog_image("a", 5)), bad, stream_record(3, "c", None, None)]
    answer = updater(store).handle({"Records": records})
    assert answer == {"batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]}
    assert store.totals(("b", ALL, ALL)).objects == 1


def test_a_failing_store_reports_the_first_record_of_the_failed_run() -> None:
    store = FakeStatsStore()

    def refuse() -> None:
        raise RuntimeError("ProvisionedThroughputExceededException")

    records = [stream_record(n, f"k{n}", None, catalog_image(f"k{n}", 1)) for n in range(1, 6)]
    calls = []

    def fail_second() -> None:
        calls.append(1)
        if len(calls) == 2:
            refuse()

    store.before_commit = fail_second
    answer = updater(store, keys_per_transaction=2).handle({"Records": records})
    assert answer == {"batchItemFailures": [{"itemIdentifier": records[2]["dynamodb"]["SequenceNumber"]}]}
    assert store.totals(("b", ALL, ALL)).objects == 2


def test_a_concurrent_marker_change_is_read_again() -> None:
    """A commit refused because a marker moved is retried on fresh markers, not double counted."""
    store = FakeStatsStore()
    record = stream_record(1, "a", None, catalog_image("a", 5))
    first = [True]

    def concurrent_replay() -> None:
        if first[0]:
            first[0] = False
            store.before_commit = None
            updater(store).handle({"Records": [record]})

    store.before_commit = concurrent_replay
    updater(store).handle({"Records": [record]})
    assert store.totals(("b", ALL, ALL)).objects == 1


@pytest.mark.parametrize(
    ("event", "message"),
    [({}, "no 'Records' list"), ([], "no 'Records' list")],
)
def test_not_a_stream_batch(event: object, message: str) -> None:
    with pytest.raises(StreamRecordError, match=message):
        updater(FakeStatsStore()).handle(event)


def test_a_record_of_another_table_names_the_keys() -> None:
    record = stream_record(1, "a", None, catalog_image("a", 5))
    record["dynamodb"]["Keys"] = {"id": {"S": "x"}}
    store = FakeStatsStore()
    assert updater(store).handle({"Records": [record]})["batchItemFailures"]
