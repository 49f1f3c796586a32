"""What the statistics need from the outside world, as typing Protocols (``services.stats_table``
implements both over boto3; the unit tests in memory)."""

from __future__ import annotations

from typing import Protocol

from upload_catalog.stats_models import Deltas, Marker, MarkerWrite, PrefixStats, Scope, Totals


class StatsStore(Protocol):
    """The stream function's side of the statistics table."""

    def markers(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Marker]:
        """The stored markers of these (bucket, key) pairs (strongly consistent); absent ones are missing."""
        ...

    def commit(self, markers: list[MarkerWrite], deltas: Deltas) -> bool:
        """In one transaction: store every marker (each conditional on its ``expected``) and add the
        deltas to the totals. False, changing nothing, when a marker was not as expected."""
        ...


class StatsReader(Protocol):
    """The API's side of the statistics table: one GetItem or one Query, never a Scan."""

    def totals(self, scope: Scope) -> Totals | None:
        """The totals of one scope, or None when nothing was ever counted there."""
        ...

    def prefix(self, bucket: str, prefix_scope: str, limit: int) -> PrefixStats:
        """One Query on the prefix scope's partition: its all-types totals, up to ``limit`` families'
        totals, and whether more families exist."""
        ...
