"""Property: whatever S3 does to a few keys, and however its events are delivered (late, duplicated,
reordered, batched), once every event has been handled the catalog equals the bucket's final state."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from upload_catalog.controllers.catalog import CatalogController
from upload_catalog.models import CatalogEntry

from tests.unit.fakes import ENABLED, SUSPENDED, FakeBucket, FakeCatalog
from tests.unit.s3_event_factory import event

KEYS = ["a", "b b", "c+한"]

operation = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS), st.binary(max_size=20)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS), st.just(b"")),
    st.tuples(st.just("delete_version"), st.sampled_from(KEYS), st.integers(min_value=0, max_value=5)),
    # PutBucketVersioning: objects written before (or while suspended) keep S3's "null" version.
    st.tuples(st.just("versioning"), st.just(""), st.sampled_from([ENABLED, SUSPENDED])),
)


def apply(bucket: FakeBucket, op: tuple) -> None:
    kind, key, arg = op
    if kind == "put":
        bucket.put(key, arg)
    elif kind == "delete":
        bucket.delete(key)
    elif kind == "versioning":
        bucket.set_versioning(arg)
    elif bucket.versioning is not None and bucket.versions.get(key):
        history = bucket.versions[key]
        bucket.delete_version(key, history[arg % len(history)].s3_version_id)


def assert_catalog_matches(bucket: FakeBucket, catalog: FakeCatalog) -> None:
    live = catalog.live()
    for key in KEYS:
        current = bucket.current(key)
        entry = live.get((bucket.name, key))
        if current is None:
            assert entry is None, f"{key!r} is gone from the bucket but catalogued: {entry}"
        else:
            assert isinstance(entry, CatalogEntry), f"{key!r} is in the bucket but not catalogued"
            assert (entry.etag, entry.size) == (current.etag, len(current.data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    versioned=st.booleans(),
    ops=st.lists(operation, min_size=1, max_size=12),
    data=st.data(),
)
def test_catalog_converges_to_the_bucket(versioned: bool, ops: list, data: st.DataObject) -> None:
    bucket = FakeBucket(versioned=versioned)
    catalog = FakeCatalog()
    ctrl = CatalogController(bucket, catalog, sniff_bytes=64 * 1024, tombstone_ttl_seconds=3600)

    # Each notification is delivered once or more, each copy at some step no earlier than its write.
    pending: list[tuple[int, dict]] = []
    steps = len(ops)
    for step, op in enumerate(ops):
        before = len(bucket.records)
        apply(bucket, op)
        for record in bucket.records[before:]:
            for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="copies")):
                pending.append((data.draw(st.integers(min_value=step, max_value=steps), label="at"), record))
        due = [r for at, r in pending if at <= step]
        pending = [(at, r) for at, r in pending if at > step]
        _deliver(ctrl, data, due)
    _deliver(ctrl, data, [r for _, r in pending])

    assert_catalog_matches(bucket, catalog)


def _deliver(ctrl: CatalogController, data: st.DataObject, records: list[dict]) -> None:
    """Shuffle, then hand the records over in batches, as S3 and Lambda may."""
    records = data.draw(st.permutations(records), label="order")
    while records:
        size = data.draw(st.integers(min_value=1, max_value=len(records)), label="batch")
        ctrl.handle_event(event(*records[:size]))
        records = records[size:]
