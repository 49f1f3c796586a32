"""The two things the catalog controller needs from the outside world, as typing Protocols.

``services`` implements them over boto3; unit tests implement them in memory. Keeping them here means
the controller never imports an AWS library (checked by import-linter).
"""

from __future__ import annotations

from typing import Protocol

from upload_catalog.models import CatalogItem, ObjectHead


class ObjectStore(Protocol):
    """Read access to the uploads bucket."""

    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        """Metadata of the object (of that version if given), or None if it no longer exists."""
        ...

    def read_prefix(
        self, bucket: str, key: str, length: int, *, etag: str, version_id: str | None = None
    ) -> bytes | None:
        """At most ``length`` leading bytes of the object (ranged GET), if its ETag is still ``etag``.

        Returns None when the object is gone or was replaced since ``head`` (its bytes would no longer match
        the metadata; the replacing write has its own, newer event).
        """
        ...


class CatalogStore(Protocol):
    """Write access to the catalog table."""

    def put_if_newer(self, item: CatalogItem) -> bool:
        """Store ``item`` unless the entry of its key holds an equal or newer sequencer.

        Must be atomic (a conditional write): returns True when written, False when the stored state was
        as new or newer, i.e. the event is a duplicate or arrived late.
        """
        ...
