"""What the reconcile needs from the outside world, as typing Protocols (``services`` implements them
over boto3; the unit tests in memory). HEAD and the ranged GET are ``ports.ObjectStore``'s."""

from __future__ import annotations

from typing import Any, Protocol

from upload_catalog.models import CatalogItem
from upload_catalog.reconcile_models import CatalogRow, Checkpoint, ListingPage, RowPage


class BucketVersions(Protocol):
    """ListObjectVersions of the uploads bucket."""

    def list_page(self, bucket: str, after: tuple[str, str] | None, max_keys: int) -> ListingPage:
        """One page of versions after S3's position ``after`` (None: from the first key)."""
        ...


class CatalogPartition(Protocol):
    """The bucket's partition of the catalog table, read in key order, and the reconcile's writes."""

    def rows_page(self, bucket: str, after_key: str | None, limit: int) -> RowPage:
        """One Query page of the partition, keys after ``after_key`` (None: from the first), key order."""
        ...

    def put_if_unchanged(self, item: CatalogItem, *, expected: CatalogRow | None, reconciled_at: int) -> bool:
        """Write ``item`` stamped ``reconciled_at`` if the stored item is still ``expected`` (absent when
        None): its sequencer and stamp unchanged. False when something wrote the key meanwhile."""
        ...


class CheckpointStore(Protocol):
    """Where runs keep their checkpoint (one per bucket)."""

    def load(self, bucket: str) -> Checkpoint | None: ...

    def save(self, bucket: str, checkpoint: Checkpoint, *, expected_revision: int | None) -> bool:
        """Store ``checkpoint`` if the stored one still has ``expected_revision`` (absent when None)."""
        ...


class Continuation(Protocol):
    """Starts the next invocation of the run asynchronously (the function invoking itself)."""

    def start(self, payload: dict[str, Any]) -> None: ...
