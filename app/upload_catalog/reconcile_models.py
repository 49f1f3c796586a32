"""Value objects of the reconcile: what the bucket listing and the catalog partition say of a key, where a
run stands (its cursor and checkpoint), and what it counted.

Kept apart from ``models`` so the S3-event and API functions do not define them at import.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: The version id S3 lists for an object written while versioning was off or suspended.
NULL_VERSION = "null"


def same_version(a: str | None, b: str | None) -> bool:
    """Equal version ids, S3's "null" version and no version id being the same thing."""
    return (a or NULL_VERSION) == (b or NULL_VERSION)


@dataclass(frozen=True)
class ListedObject:
    """The current state of one key, from its ``IsLatest`` entry in ListObjectVersions.

    ``marker`` is that entry's ``VersionId`` exactly as S3 listed it (``"null"`` included): with the key it
    is a position S3 can resume a listing after (``KeyMarker`` + ``VersionIdMarker``).
    """

    key: str
    marker: str
    deleted: bool = False  # the latest entry is a delete marker: the key has no current object
    etag: str | None = None
    size: int | None = None

    @property
    def version_id(self) -> str | None:
        return None if self.marker == NULL_VERSION else self.marker


@dataclass(frozen=True)
class ListingPage:
    """One ListObjectVersions page: the current state of each key whose latest entry is on it, in key
    order, and S3's position to continue after (None: the listing is complete)."""

    objects: list[ListedObject]
    next_marker: tuple[str, str] | None


@dataclass(frozen=True)
class CatalogRow:
    """One catalog item of the bucket's partition, as the reconcile compares and guards it.

    ``sequencer`` and ``reconciled_at`` identify the item's state: every event write changes the
    sequencer, every reconcile write the ``reconciled_at`` stamp, so a write conditioned on both being
    unchanged replaces exactly the state that was read.
    """

    key: str
    live: bool
    sequencer: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None
    reconciled_at: int | None = None


@dataclass(frozen=True)
class RowPage:
    """One Query page of the partition, in key order; ``last_key``: where the next page starts after."""

    rows: list[CatalogRow]
    last_key: str | None


@dataclass(frozen=True)
class Cursor:
    """Where a run stands: every key up to ``position`` (inclusive) is reconciled.

    ``s3_marker`` is the S3 listing position of the last listed key at or before ``position`` (resuming a
    listing needs a key *and* a version S3 listed; a key alone is read differently by S3 and emulators).
    """

    position: str | None = None
    s3_marker: tuple[str, str] | None = None


@dataclass
class Counts:
    """What a run (or one invocation of it) found and did."""

    seen: int = 0  # current objects listed
    entries: int = 0  # live catalog entries read
    added: int = 0  # objects catalogued that had no live entry
    removed: int = 0  # entries tombstoned whose object is gone
    fixed: int = 0  # entries re-read because size, ETag or version disagreed
    skipped: int = 0  # repairs not written: the key changed meanwhile and its live event wins
    failed: int = 0  # repairs that raised (an AWS error after retries); retried by the next run

    @property
    def drift(self) -> int:
        return self.added + self.removed + self.fixed

    def add(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Counts:
        raw = raw or {}
        return cls(**{f.name: int(raw.get(f.name, 0)) for f in fields(cls)})


RUNNING = "running"
COMPLETE = "complete"


@dataclass
class Checkpoint:
    """The run of one bucket, persisted after every chunk so a run survives its invocation's timeout.

    ``revision`` guards every save (optimistic concurrency): two invocations never both believe they own
    the run. ``token`` is what the next continuation must present, so a duplicated or stale
    continuation finds nothing to do. ``last_complete`` remembers the previous complete run (its object
    count is the bucket size the progress report uses).
    """

    run_id: str
    started_at: float
    status: str = RUNNING
    cursor: Cursor = field(default_factory=Cursor)
    totals: Counts = field(default_factory=Counts)
    invocations: int = 0
    hops: int = 0
    token: str | None = None
    lease_owner: str | None = None
    lease_until: float = 0.0
    revision: int = 0
    finished_at: float | None = None
    last_complete: dict[str, Any] | None = None

    def leased_to_other(self, owner: str, now: float) -> bool:
        return self.lease_owner not in (None, owner) and self.lease_until > now


def checkpoint_document(checkpoint: Checkpoint) -> str:
    """The checkpoint as one JSON document (what the state table stores)."""
    raw = asdict(checkpoint)
    raw["cursor"]["s3_marker"] = list(checkpoint.cursor.s3_marker) if checkpoint.cursor.s3_marker else None
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def checkpoint_from_document(document: str) -> Checkpoint:
    """The inverse of ``checkpoint_document``; ValueError when the document is not one."""
    raw = json.loads(document)
    if not isinstance(raw, dict) or not isinstance(raw.get("run_id"), str):
        raise ValueError("the reconcile checkpoint is not a checkpoint document")
    cursor = raw.get("cursor") or {}
    marker = cursor.get("s3_marker")
    known = {f.name for f in fields(Checkpoint)}
    return Checkpoint(
        **{
            **{name: value for name, value in raw.items() if name in known},
            "cursor": Cursor(cursor.get("position"), (str(marker[0]), str(marker[1])) if marker else None),
            "totals": Counts.from_dict(raw.get("totals")),
        }
    )
