"""A stream as Lambda's shard pollers see it: shards of records, in order, by sequence number.

DynamoDB Streams and Kinesis differ in where their records come from and what the records look like,
not in how Lambda reads them, so both are a `ShardSource` of `StreamRecord`s (see
`samlite.services.dynamodb.stream_reads` and `samlite.services.kinesis.stream_reads`), and one poller
(`samlite.services.awslambda.event_sources.stream_poller`) serves both.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class StreamRecord:
    """One record of a shard: its sequence number (as a number for ordering, and as the stream writes
    it), arrival time (epoch seconds), partition key (for ParallelizationFactor), and the record as
    Lambda puts it in the event."""

    sequence_number: int
    sequence_text: str
    arrival: float
    partition_key: str
    record: Mapping[str, Any]
    size: int = field(default=0, compare=False)

    @classmethod
    def of(
        cls,
        sequence_number: int,
        sequence_text: str,
        arrival: float,
        partition_key: str,
        record: Mapping[str, Any],
    ) -> StreamRecord:
        size = len(json.dumps(record).encode("utf-8")) + 2  # its JSON and the separator before it
        return cls(sequence_number, sequence_text, arrival, partition_key, record, size)

    def lane(self, lanes: int) -> int:
        """Which of `lanes` concurrent batches of the shard takes this record: records of one partition
        key always go to the same one, so they stay in order ("Lambda event source mappings": with
        several batches per shard "in-order processing is still guaranteed for each partition key")."""
        return zlib.crc32(self.partition_key.encode("utf-8")) % lanes if lanes > 1 else 0


class SourceGone(LookupError):
    """The stream (or table) no longer exists in the embedded AWS (the local cloud is stopping)."""


class ShardSource(Protocol):
    """One stream, read shard by shard."""

    kind: str  # DYNAMODB or KINESIS
    arn: str
    batch_info_key: str  # DDBStreamBatchInfo or KinesisBatchInfo, in on-failure records
    poll_interval_s: float  # Lambda's base polling rate of a shard
    retention_s: float

    def shard_ids(self) -> list[str]: ...

    def read(self, shard_id: str, after: int, limit: int) -> list[StreamRecord]:
        """Up to `limit` records of the shard with a sequence number above `after` (0: from the
        oldest), oldest first."""
        ...

    def latest(self, shard_id: str) -> int:
        """The shard's last sequence number (0 when it is empty): where LATEST starts."""
        ...

    def before(self, shard_id: str, timestamp: float) -> int:
        """The last sequence number that arrived before `timestamp` (0: none): where AT_TIMESTAMP starts."""
        ...

    def subscribe(self, wake: Callable[[str], None]) -> Callable[[], None]:
        """Call `wake(shard_id)` when a record is added; returns the unsubscriber."""
        ...
