"""What the API's controllers need from the outside world, as typing Protocols.

``services.catalog_reader`` and ``services.object_urls`` implement them over boto3; the unit tests
implement them in memory. Kept apart from ``ports`` (the S3-event side's needs) so that each function's
controllers depend on exactly what that function's role may do.
"""

from __future__ import annotations

from typing import Protocol

from upload_catalog.api_models import IndexPage, IndexQuery, PresignedPost
from upload_catalog.models import CatalogItem


class CatalogReader(Protocol):
    """Read access to the catalog table and its listing indexes (never a Scan)."""

    def get(self, bucket: str, key: str) -> CatalogItem | None:
        """The stored entry or tombstone of ``key``, or None."""
        ...

    def query(self, query: IndexQuery) -> IndexPage:
        """Run one Query on a listing index (one request: at most ``query.limit`` items evaluated)."""
        ...


class ObjectUrls(Protocol):
    """Presigned URLs for the uploads bucket, and deletes."""

    def presign_post(
        self, bucket: str, key: str, *, content_type: str, size: int, expires_in: int
    ) -> PresignedPost:
        """A POST policy for exactly this key, Content-Type and size, valid ``expires_in`` seconds."""
        ...

    def presign_get(self, bucket: str, key: str, *, expires_in: int) -> str:
        """A GET URL of the object, valid ``expires_in`` seconds."""
        ...

    def delete(self, bucket: str, key: str) -> None:
        """Delete the object (S3 answers success for a key that does not exist)."""
        ...
