"""In-memory implementations of the controller's ports, with S3's and DynamoDB's semantics.

``FakeBucket`` behaves like an S3 bucket (unversioned, versioning-enabled or versioning-suspended, with
S3's "null" version for objects written while versioning was off) and records the notification each
write would send, with increasing sequencers; ``FakeCatalog`` behaves like the conditional PutItem of
``services.catalog_table`` (the order is ``controllers.sequencer.is_newer``, the comparison DynamoDB's
condition makes). Unit and property tests drive the real controller through them.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from upload_catalog.controllers.sequencer import is_newer
from upload_catalog.models import CatalogItem, ObjectHead, Tombstone

from tests.unit.s3_event_factory import s3_record

#: S3's version id of an object written while versioning was off or suspended (Amazon S3 User Guide,
#: "Working with objects in a versioning-suspended bucket"). HEAD reports it as ``None`` (as
#: ``services.s3_objects`` does); requests may name it as ``"null"``.
NULL_VERSION = "null"

#: Versioning states of a bucket: never enabled (None), or S3's two states once it has been.
ENABLED, SUSPENDED = "Enabled", "Suspended"


@dataclass
class Version:
    version_id: str | None  # None: the null version
    data: bytes = b""
    content_type: str | None = None
    delete_marker: bool = False

    @property
    def etag(self) -> str:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    @property
    def s3_version_id(self) -> str:
        """The id a request names this version by (``"null"`` for the null version)."""
        return self.version_id or NULL_VERSION


@dataclass
class FakeBucket:
    """An S3 bucket in memory. ``records`` holds the notification record of every write, in order."""

    name: str = "uploads"
    versioned: bool = False  # versioning enabled from the start
    versioning: str | None = None  # None, ENABLED or SUSPENDED; set from ``versioned`` when not given
    versions: dict[str, list[Version]] = field(default_factory=dict)  # oldest first
    records: list[dict[str, Any]] = field(default_factory=list)
    largest_read: int = 0
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.versioned and self.versioning is None:
            self.versioning = ENABLED
        self.versioned = self.versioning == ENABLED

    def set_versioning(self, status: str) -> None:
        """PutBucketVersioning: ENABLED or SUSPENDED. Existing objects keep their versions (a null one
        stays null); no notification is sent."""
        if status not in (ENABLED, SUSPENDED):
            raise ValueError(f"versioning status must be {ENABLED!r} or {SUSPENDED!r}, got {status!r}")
        self.versioning = status
        self.versioned = status == ENABLED

    def _next_sequencer(self) -> str:
        # Strip trailing zeros so lengths vary, as S3's do: only right-padding makes them comparable.
        return format(0x5F3A000000000000 + next(self._counter) * 0x10, "X").rstrip("0")

    def _next_version(self) -> str | None:
        return f"v{next(self._counter)}" if self.versioned else None

    # --- writes, each emitting its notification record -------------------------------------------
    def _add(self, key: str, version: Version) -> None:
        """Make ``version`` current; a null version replaces the key's previous null version, if any."""
        history = self.versions.setdefault(key, [])
        if version.version_id is None:
            history[:] = [v for v in history if v.version_id is not None]
        history.append(version)

    def put(self, key: str, data: bytes, content_type: str | None = "application/octet-stream") -> Version:
        version = Version(self._next_version(), data, content_type)
        self._add(key, version)
        self.records.append(
            s3_record(
                "ObjectCreated:Put",
                key,
                self._next_sequencer(),
                bucket=self.name,
                size=len(data),
                etag=version.etag,
                version_id=version.version_id,
            )
        )
        return version

    def delete(self, key: str) -> None:
        """DeleteObject without a version id: a delete marker once versioning was enabled (a null one, which
        replaces the null version, while suspended), a removal otherwise."""
        if self.versioning is not None:
            marker = Version(self._next_version(), delete_marker=True)
            self._add(key, marker)
            name, version_id = "ObjectRemoved:DeleteMarkerCreated", marker.s3_version_id
        else:
            self.versions.pop(key, None)
            name, version_id = "ObjectRemoved:Delete", None
        self.records.append(
            s3_record(name, key, self._next_sequencer(), bucket=self.name, version_id=version_id)
        )

    def delete_version(self, key: str, version_id: str) -> None:
        """Permanently delete one version (or delete marker) of a versioned key; ``"null"`` names the null
        version. The notification carries the deleted version's id."""
        kept = [v for v in self.versions.get(key, []) if v.s3_version_id != version_id]
        if kept:
            self.versions[key] = kept
        else:
            self.versions.pop(key, None)
        self.records.append(
            s3_record(
                "ObjectRemoved:Delete", key, self._next_sequencer(), bucket=self.name, version_id=version_id
            )
        )

    def current(self, key: str) -> Version | None:
        history = self.versions.get(key)
        if not history or history[-1].delete_marker:
            return None
        return history[-1]

    def _find(self, key: str, version_id: str | None) -> Version | None:
        if version_id is None:
            return self.current(key)
        for version in self.versions.get(key, []):
            if version.s3_version_id == version_id:
                return None if version.delete_marker else version
        return None

    # --- ObjectStore port ---------------------------------------------------------------------------
    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        assert bucket == self.name
        version = self._find(key, version_id)
        if version is None:
            return None
        return ObjectHead(len(version.data), version.etag, version.content_type, version.version_id)

    def read_prefix(
        self, bucket: str, key: str, length: int, *, etag: str, version_id: str | None = None
    ) -> bytes | None:
        assert bucket == self.name
        version = self._find(key, version_id)
        if version is None or version.etag != etag:
            return None
        self.largest_read = max(self.largest_read, length)
        return version.data[:length]


@dataclass
class FakeCatalog:
    """The catalog table in memory, with the conditional write's semantics."""

    items: dict[tuple[str, str], CatalogItem] = field(default_factory=dict)
    writes: int = 0

    def put_if_newer(self, item: CatalogItem) -> bool:
        stored = self.items.get((item.bucket, item.key))
        if not is_newer(item.sequencer, stored.sequencer if stored is not None else None):
            return False
        self.items[(item.bucket, item.key)] = item
        self.writes += 1
        return True

    def live(self) -> dict[tuple[str, str], CatalogItem]:
        return {k: v for k, v in self.items.items() if not isinstance(v, Tombstone)}


class FailingCatalog(FakeCatalog):
    """A catalog whose writes fail for some keys, as DynamoDB does after botocore gave up retrying."""

    def __init__(self, failing_keys: set[str]) -> None:
        super().__init__()
        self.failing_keys = failing_keys

    def put_if_newer(self, item: CatalogItem) -> bool:
        if item.key in self.failing_keys:
            raise RuntimeError(f"ProvisionedThroughputExceededException for {item.key}")
        return super().put_if_newer(item)
