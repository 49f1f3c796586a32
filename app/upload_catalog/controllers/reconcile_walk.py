"""The reconcile's walk: the bucket's listing and the catalog's partition, side by side, in key order.

Both sources are read in pages, lazily, and merged like two sorted files (never a Scan, never the whole
listing in memory): S3 lists keys in UTF-8 binary order and DynamoDB sorts string sort keys the same
way, which is also the order of Python's ``str`` comparison (UTF-8 preserves code-point order). Each key
comes out once with what each side says of it, and with the S3 position a later invocation can resume
the listing after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from upload_catalog.controllers.reconcile_ports import BucketVersions, CatalogPartition
from upload_catalog.reconcile_models import CatalogRow, Cursor, ListedObject, same_version

#: Drift kinds (see ``drift_of``).
MISSING = "missing"  # a current object without a live entry
STALE = "stale"  # a live entry whose size, ETag or version disagree with the current object
ORPHAN = "orphan"  # a live entry whose object is gone


@dataclass(frozen=True)
class KeyState:
    """What the listing and the catalog say of one key, and where to resume after it."""

    key: str
    listed: ListedObject | None
    row: CatalogRow | None
    s3_marker: tuple[str, str] | None

    @property
    def exists(self) -> bool:
        return self.listed is not None and not self.listed.deleted

    @property
    def catalogued(self) -> bool:
        return self.row is not None and self.row.live

    @property
    def drift(self) -> str | None:
        return drift_of(self.listed, self.row)


def drift_of(listed: ListedObject | None, row: CatalogRow | None) -> str | None:
    """How the catalog differs from the listing for one key; None when they agree."""
    exists = listed is not None and not listed.deleted
    live = row is not None and row.live
    if exists and not live:
        return MISSING
    if live and not exists:
        return ORPHAN
    if exists and live and not agrees(listed, row):  # type: ignore[arg-type]
        return STALE
    return None


def agrees(listed: ListedObject, row: CatalogRow) -> bool:
    etag = (listed.etag or "").strip('"')
    return listed.size == row.size and etag == row.etag and same_version(listed.version_id, row.version_id)


def walk(
    bucket: str,
    cursor: Cursor,
    versions: BucketVersions,
    partition: CatalogPartition,
    *,
    page_size: int,
) -> Iterator[KeyState]:
    """Every key after ``cursor.position`` that either side knows, in key order."""
    listed = _listed(bucket, cursor, versions, page_size)
    rows = _rows(bucket, cursor, partition, page_size)
    obj, row = next(listed, None), next(rows, None)
    marker = cursor.s3_marker
    while obj is not None or row is not None:
        if row is None or (obj is not None and obj.key < row.key):
            assert obj is not None
            marker = (obj.key, obj.marker)
            yield KeyState(obj.key, obj, None, marker)
            obj = next(listed, None)
        elif obj is None or row.key < obj.key:
            yield KeyState(row.key, None, row, marker)
            row = next(rows, None)
        else:
            marker = (obj.key, obj.marker)
            yield KeyState(obj.key, obj, row, marker)
            obj, row = next(listed, None), next(rows, None)


def _listed(bucket: str, cursor: Cursor, versions: BucketVersions, page_size: int) -> Iterator[ListedObject]:
    after = cursor.s3_marker
    while True:
        page = versions.list_page(bucket, after, page_size)
        for obj in page.objects:
            # Resuming after a (key, version) position lists that key's older versions again: skip every
            # key the cursor already covers.
            if cursor.position is None or obj.key > cursor.position:
                yield obj
        if page.next_marker is None:
            return
        after = page.next_marker


def _rows(bucket: str, cursor: Cursor, partition: CatalogPartition, page_size: int) -> Iterator[CatalogRow]:
    after = cursor.position
    while True:
        page = partition.rows_page(bucket, after, page_size)
        yield from page.rows
        if page.last_key is None:
            return
        after = page.last_key
