"""Value objects of the catalog statistics: what one catalog item counts for, and the totals of a scope.

Kept apart from ``models`` so the S3-event function does not define them at import.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A scope of the totals: (bucket, prefix scope, family scope); ``stats_keys.ALL`` means "all".
Scope = tuple[str, str, str]
#: (objects, bytes) to add to each scope.
Deltas = dict[Scope, tuple[int, int]]


@dataclass(frozen=True)
class Contribution:
    """What one live catalog entry adds to the totals (a tombstone or an absent item adds nothing)."""

    bucket: str
    prefix: str  # the key's top-level prefix ("photos/"), "" for a key without "/"
    family: str  # the content type's family ("image")
    size: int


@dataclass(frozen=True)
class Marker:
    """What the totals count for one catalog key, and the stream record they counted it at."""

    sequence: int
    contribution: Contribution | None


@dataclass(frozen=True)
class ItemChange:
    """The newest state of one catalog key within a run of stream records."""

    bucket: str
    key: str
    sequence: int  # the stream record's SequenceNumber
    contribution: Contribution | None


@dataclass(frozen=True)
class MarkerWrite:
    """A marker to store, conditional on the stored one still being ``expected`` (absent when None)."""

    change: ItemChange
    expected: Marker | None


@dataclass(frozen=True)
class Totals:
    """Live objects and their bytes in one scope."""

    objects: int = 0
    bytes: int = 0
    updated_at: str | None = None


@dataclass(frozen=True)
class PrefixStats:
    """One Query's answer for a prefix scope: its all-types totals, its families', and whether the
    families were cut at the limit."""

    total: Totals | None
    families: dict[str, Totals]
    truncated: bool = False
