"""An in-memory statistics table with DynamoDB's transaction semantics, and catalog stream records.

``FakeStatsStore`` implements ``controllers.stats_ports.StatsStore`` and ``StatsReader``: a commit applies
all of its marker writes and deltas or, when one marker is not as expected, none of them (what
TransactWriteItems does). ``stream_record`` builds a record in the shape Lambda delivers from a DynamoDB
stream with ``NEW_AND_OLD_IMAGES`` (AWS Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from upload_catalog.stats_keys import ALL
from upload_catalog.stats_models import Deltas, Marker, MarkerWrite, PrefixStats, Scope, Totals

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/catalog/stream/2026-12-01T00:00:00.000"


@dataclass
class FakeStatsStore:
    markers_by_key: dict[tuple[str, str], Marker] = field(default_factory=dict)
    totals_by_scope: dict[Scope, list[int]] = field(default_factory=dict)
    commits: int = 0
    #: Called before each commit (a concurrent consumer, a failure...).
    before_commit: Callable[[], None] | None = None

    def markers(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Marker]:
        return {where: self.markers_by_key[where] for where in keys if where in self.markers_by_key}

    def commit(self, markers: list[MarkerWrite], deltas: Deltas) -> bool:
        if self.before_commit is not None:
            self.before_commit()
        for write in markers:
            where = (write.change.bucket, write.change.key)
            if self.markers_by_key.get(where) != write.expected:
                return False
        for write in markers:
            change = write.change
            self.markers_by_key[(change.bucket, change.key)] = Marker(change.sequence, change.contribution)
        for scope, (count, size) in deltas.items():
            stored = self.totals_by_scope.setdefault(scope, [0, 0])
            stored[0] += count
            stored[1] += size
        self.commits += 1
        return True

    def totals(self, scope: Scope) -> Totals | None:
        stored = self.totals_by_scope.get(scope)
        return Totals(stored[0], stored[1], "2026-12-01T00:00:00.000Z") if stored else None

    def prefix(self, bucket: str, prefix_scope: str, limit: int) -> PrefixStats:
        families = {
            family: Totals(count, size)
            for (b, p, family), (count, size) in sorted(self.totals_by_scope.items())
            if b == bucket and p == prefix_scope and family != ALL
        }
        total = self.totals_by_scope.get((bucket, prefix_scope, ALL))
        return PrefixStats(
            Totals(total[0], total[1]) if total else None,
            dict(list(families.items())[:limit]),
            len(families) > limit,
        )

    def nonzero_totals(self) -> dict[Scope, tuple[int, int]]:
        return {scope: (c, s) for scope, (c, s) in self.totals_by_scope.items() if (c, s) != (0, 0)}


def catalog_image(
    key: str, size: int, content_type: str = "image/png", *, bucket: str = "b", deleted: bool = False
) -> dict[str, Any]:
    """A catalog item as a stream image (DynamoDB JSON), as ``services.catalog_table`` writes it."""
    image: dict[str, Any] = {
        "bucket": {"S": bucket},
        "key": {"S": key},
        "sequencer": {"S": "0" * 16},
    }
    if deleted:
        image["deleted"] = {"BOOL": True}
    else:
        image.update(size={"N": str(size)}, content_type={"S": content_type}, etag={"S": "e"})
    return image


def stream_record(
    sequence: int,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    *,
    bucket: str = "b",
) -> dict[str, Any]:
    """One DynamoDB stream record as Lambda delivers it (NEW_AND_OLD_IMAGES)."""
    name = "REMOVE" if new is None else ("INSERT" if old is None else "MODIFY")
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1764547200.0,
        "Keys": {"bucket": {"S": bucket}, "key": {"S": key}},
        "SequenceNumber": str(sequence).zfill(21),
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        body["OldImage"] = old
    if new is not None:
        body["NewImage"] = new
    return {
        "eventID": f"id-{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
        "eventSourceARN": STREAM_ARN,
    }
