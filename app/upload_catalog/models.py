"""Value objects shared by the layers: what an S3 event says, what S3 says of an object, what we store."""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: S3 object keys are at most 1024 bytes of UTF-8 (Amazon S3 User Guide, "Naming Amazon S3 objects").
MAX_KEY_BYTES = 1024


class Action(enum.Enum):
    """What a record asks the catalog to do."""

    CREATE = "create"  # ObjectCreated:* - describe the object
    REMOVE = "remove"  # ObjectRemoved:Delete / DeleteMarkerCreated - write a tombstone
    RECONCILE = "reconcile"  # a specific version was deleted: the key may still have a current object
    IGNORE = "ignore"  # s3:TestEvent and event names this function does not handle


@dataclass(frozen=True)
class ObjectEvent:
    """One validated S3 event record, key decoded, sequencer normalised for comparison."""

    bucket: str
    key: str
    event_name: str
    action: Action
    sequencer: str
    event_time: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None


@dataclass(frozen=True)
class IgnoredEvent:
    """A record or whole event that is acknowledged without touching the catalog."""

    event_name: str
    bucket: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class MalformedRecord:
    """A record that cannot be processed; ``reason`` names the offending field."""

    index: int
    reason: str


@dataclass(frozen=True)
class ObjectHead:
    """What ``HEAD`` says of an object."""

    size: int
    etag: str
    content_type: str | None
    version_id: str | None = None
    last_modified: str | None = None  # ISO 8601 UTC, as S3 events write times; the reconcile's upload time


@dataclass(frozen=True)
class CatalogEntry:
    """A live catalog item (table contract: see README)."""

    bucket: str
    key: str
    size: int
    etag: str
    content_type: str
    declared_content_type: str | None
    sequencer: str
    event_time: str
    width: int | None = None
    height: int | None = None
    version_id: str | None = None


@dataclass(frozen=True)
class Tombstone:
    """The marker a delete leaves so that a late, older create cannot resurrect the object."""

    bucket: str
    key: str
    sequencer: str
    event_time: str
    expires_at: int
    deleted: bool = True


CatalogItem = CatalogEntry | Tombstone
