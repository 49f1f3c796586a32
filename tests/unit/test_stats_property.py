"""Property: whatever Lambda does with the catalog table's stream, the statistics equal a fresh count.

The model writes catalog items (uploads of any size and type, tombstones, TTL removals), turning each
write into the stream record DynamoDB publishes (``NEW_AND_OLD_IMAGES``, sequence numbers increasing).
Lambda delivers the shard at least once (AWS Lambda Developer Guide, "Using AWS Lambda with Amazon
DynamoDB"): batches from the checkpoint of any size; a batch that fails is retried, possibly bisected
(``BisectBatchOnFunctionError``); with ``ReportBatchItemFailures`` the checkpoint moves to the reported
record; and any batch already processed may come again. The store fails at arbitrary commits. After
every delivery the totals equal a fresh count of the catalog as of the checkpoint, hence, once the
stream is drained, a fresh count of the catalog.

``test_the_model_catches_naive_counting`` runs the same deliveries through an updater that adds each
record's new-minus-old image, and expects the property to fail: the model can tell.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from upload_catalog.controllers.stats_rules import contribution, deltas, merge, scopes
from upload_catalog.controllers.stats_updates import StatsUpdater

from tests.unit.stats_fakes import FakeStatsStore, catalog_image, stream_record

KEYS = ["a.png", "photos/b.png", "photos/c.txt", "docs/d", "한/e"]
TYPES = ["image/png", "text/plain", "application/pdf"]

WRITE = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS), st.integers(0, 50), st.sampled_from(TYPES)),
    st.tuples(st.just("tombstone"), st.sampled_from(KEYS)),
    st.tuples(st.just("expire"), st.sampled_from(KEYS)),
)


def catalog_stream(writes: list[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The stream records of ``writes``, and the catalog (key -> image) after each prefix of them."""
    table: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = [{}]
    for write in writes:
        key = write[1]
        old = table.get(key)
        if write[0] == "put":
            new: dict[str, Any] | None = catalog_image(key, write[2], write[3])
        elif write[0] == "tombstone":
            new = catalog_image(key, 0, deleted=True)
        else:
            new = None
            if old is None:
                continue  # nothing to expire: DynamoDB publishes no record
        records.append(stream_record(100 + len(records), key, old, new))
        if new is None:
            table.pop(key)
        else:
            table[key] = new
        states.append(dict(table))
    return records, states


def fresh_count(catalog: dict[str, Any]) -> dict[tuple[str, str, str], tuple[int, int]]:
    total: dict[tuple[str, str, str], tuple[int, int]] = {}
    for image in catalog.values():
        counted = contribution(image)
        if counted is not None:
            total = merge(total, {scope: (1, counted.size) for scope in scopes(counted)})
    return total


class NaiveUpdater:
    """Adds each record's new image minus its old one: right only when every record comes once."""

    def __init__(self, store: FakeStatsStore, **_: Any) -> None:
        self._store = store

    def handle(self, event: dict[str, Any]) -> dict[str, list[Any]]:
        for record in event["Records"]:
            body = record["dynamodb"]
            moved = deltas(contribution(body.get("OldImage")), contribution(body.get("NewImage")))
            for scope, (count, size) in moved.items():
                stored = self._store.totals_by_scope.setdefault(scope, [0, 0])
                stored[0] += count
                stored[1] += size
        return {"batchItemFailures": []}


DELIVERY = st.one_of(
    st.tuples(st.just("batch"), st.integers(1, 8), st.none() | st.integers(0, 3), st.booleans()),
    st.tuples(st.just("again"), st.integers(0, 30), st.integers(1, 8)),
)


def deliver(data: st.DataObject, updater_class: type = StatsUpdater) -> None:
    writes = data.draw(st.lists(WRITE, max_size=25), label="writes")
    records, states = catalog_stream(writes)
    store = FakeStatsStore()
    failures = Counter()
    fail_at: set[int] = set()

    def maybe_fail() -> None:
        failures["commits"] += 1
        if failures["commits"] in fail_at:
            raise RuntimeError("InternalServerError")

    store.before_commit = maybe_fail
    updater = updater_class(store, keys_per_transaction=data.draw(st.integers(1, 4), label="keys"))
    checkpoint = 0
    for action in data.draw(st.lists(DELIVERY, max_size=30), label="deliveries"):
        if action[0] == "batch" and checkpoint < len(records):
            _, size, failing_commit, bisect = action
            if failing_commit is not None:
                fail_at.add(failures["commits"] + 1 + failing_commit)
            batch = records[checkpoint : checkpoint + size]
            answer = _handle(updater, batch)
            if answer is None:  # the function failed: retried, bisected or not
                if bisect and len(batch) > 1:
                    half = batch[: len(batch) // 2]
                    answer = _handle(updater, half)
                    batch = half if answer is not None else []
                else:
                    batch = []
                answer = answer or {"batchItemFailures": []}
            failed = [f["itemIdentifier"] for f in answer["batchItemFailures"]]
            if failed:
                numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
                checkpoint += numbers.index(failed[0])
            else:
                checkpoint += len(batch)
        elif action[0] == "again" and checkpoint:
            _, start, size = action
            start %= checkpoint
            _handle(updater, records[start : min(start + size, checkpoint)])
        assert store.nonzero_totals() == fresh_count(states[checkpoint])
    store.before_commit = None
    while checkpoint < len(records):
        answer = updater.handle({"Records": records[checkpoint:]})
        assert not answer["batchItemFailures"]
        checkpoint = len(records)
    assert store.nonzero_totals() == fresh_count(states[-1])


def _handle(updater: Any, batch: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The updater's answer, or None when it raised (Lambda counts the whole batch as failed)."""
    if not batch:
        return {"batchItemFailures": []}
    try:
        return updater.handle({"Records": batch})
    except RuntimeError:
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_totals_equal_a_fresh_count_after_any_delivery(data: st.DataObject) -> None:
    logging.getLogger("upload_catalog").setLevel(logging.CRITICAL)
    deliver(data)


def test_the_model_catches_naive_counting() -> None:
    @settings(max_examples=400, deadline=None, database=None)
    @given(st.data())
    def naive(data: st.DataObject) -> None:
        deliver(data, NaiveUpdater)

    with pytest.raises(AssertionError):
        naive()
