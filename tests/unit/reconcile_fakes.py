"""In-memory stand-ins for the reconcile's ports, on top of ``tests.unit.fakes``.

``ListingBucket`` adds ListObjectVersions to ``FakeBucket`` as S3 answers it (Amazon S3 API Reference,
ListObjectVersions): keys in UTF-8 binary order, each key's versions and delete markers newest first,
``IsLatest`` on the first, ``MaxKeys`` counting entries, and a (KeyMarker, VersionIdMarker) position
that resumes after that entry. ``ReconcileCatalog`` adds the partition Query (key order, ``Limit``,
``LastEvaluatedKey`` whenever the limit was reached) and the reconcile's conditional put to
``FakeCatalog``, with the same condition ``services.catalog_partition`` sends: the stored item's
sequencer and ``reconciled_at`` stamp unchanged. An event's PutItem replaces the whole item, stamp
included. ``hook`` runs before every call, so a test (or the hypothesis model) can change the world
between any two steps of a run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from upload_catalog.models import CatalogEntry, CatalogItem, ObjectHead
from upload_catalog.reconcile_models import CatalogRow, Checkpoint, ListedObject, ListingPage, RowPage

from tests.unit.fakes import FakeBucket, FakeCatalog


def _noop(name: str) -> None:
    return None


@dataclass
class ListingBucket(FakeBucket):
    hook: Callable[[str], None] = _noop
    calls: list[str] = field(default_factory=list)

    def _entries(self) -> list[tuple[str, Any]]:
        ordered = []
        for key in sorted(self.versions, key=lambda k: k.encode("utf-8")):
            ordered.extend((key, version) for version in reversed(self.versions[key]))
        return ordered

    def list_page(self, bucket: str, after: tuple[str, str] | None, max_keys: int) -> ListingPage:
        assert bucket == self.name
        self.hook("list")
        self.calls.append("list")
        entries = self._entries()
        start = 0
        if after is not None:
            key, version = after
            found = [i for i, (k, v) in enumerate(entries) if k == key and v.s3_version_id == version]
            if found:
                start = found[0] + 1
            else:  # that version is gone: continue with the next key
                start = next(
                    (i for i, (k, _) in enumerate(entries) if k.encode() > key.encode()), len(entries)
                )
        page = entries[start : start + max_keys]
        objects, previous = [], None
        for key, version in page:
            latest = self.versions[key][-1] is version
            if latest:
                objects.append(
                    ListedObject(
                        key=key,
                        marker=version.s3_version_id,
                        deleted=version.delete_marker,
                        etag=None if version.delete_marker else f'"{version.etag}"',
                        size=None if version.delete_marker else len(version.data),
                    )
                )
            previous = (key, version.s3_version_id)
        truncated = start + max_keys < len(entries)
        return ListingPage(objects, previous if truncated else None)

    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        self.hook("head")
        self.calls.append("head")
        return super().head(bucket, key, version_id)

    def read_prefix(
        self, bucket: str, key: str, length: int, *, etag: str, version_id: str | None = None
    ) -> bytes | None:
        self.hook("get")
        self.calls.append("get")
        return super().read_prefix(bucket, key, length, etag=etag, version_id=version_id)


def row_of(item: CatalogItem, stamp: int | None) -> CatalogRow:
    if isinstance(item, CatalogEntry):
        return CatalogRow(item.key, True, item.sequencer, item.size, item.etag, item.version_id, stamp)
    return CatalogRow(item.key, False, item.sequencer, reconciled_at=stamp)


@dataclass
class ReconcileCatalog(FakeCatalog):
    stamps: dict[tuple[str, str], int] = field(default_factory=dict)
    hook: Callable[[str], None] = _noop
    #: False makes the reconcile's put unconditional: the broken design the model must catch.
    guarded: bool = True
    reconcile_writes: int = 0

    def put_if_newer(self, item: CatalogItem) -> bool:
        written = super().put_if_newer(item)
        if written:
            self.stamps.pop((item.bucket, item.key), None)  # PutItem replaces the whole item
        return written

    def rows_page(self, bucket: str, after_key: str | None, limit: int) -> RowPage:
        self.hook("query")
        keys = sorted((k for b, k in self.items if b == bucket), key=lambda k: k.encode("utf-8"))
        if after_key is not None:
            keys = [k for k in keys if k.encode() > after_key.encode()]
        page = keys[:limit]
        rows = [row_of(self.items[(bucket, k)], self.stamps.get((bucket, k))) for k in page]
        return RowPage(rows, page[-1] if len(page) == limit else None)

    def put_if_unchanged(self, item: CatalogItem, *, expected: CatalogRow | None, reconciled_at: int) -> bool:
        self.hook("put")
        where = (item.bucket, item.key)
        stored = self.items.get(where)
        if self.guarded:
            if expected is None and stored is not None:
                return False
            if expected is not None and (
                stored is None
                or stored.sequencer != expected.sequencer
                or self.stamps.get(where) != expected.reconciled_at
            ):
                return False
        self.items[where] = item
        self.stamps[where] = reconciled_at
        self.reconcile_writes += 1
        return True


@dataclass
class FakeCheckpoints:
    stored: dict[str, Checkpoint] = field(default_factory=dict)
    saves: int = 0

    def load(self, bucket: str) -> Checkpoint | None:
        found = self.stored.get(bucket)
        return copy.deepcopy(found) if found is not None else None

    def save(self, bucket: str, checkpoint: Checkpoint, *, expected_revision: int | None) -> bool:
        current = self.stored.get(bucket)
        if (current.revision if current is not None else None) != expected_revision:
            return False
        self.stored[bucket] = copy.deepcopy(checkpoint)
        self.saves += 1
        return True


@dataclass
class FakeContinuation:
    started: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None

    def start(self, payload: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.started.append(copy.deepcopy(payload))


@dataclass
class TickingClock:
    """A clock that moves ``step`` seconds each time it is read: budgets run out after a known number of
    reads, whatever the machine's speed."""

    now: float = 1_790_000_000.0
    step: float = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now
