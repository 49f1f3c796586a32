"""A Kinesis data stream, read by Lambda's shard pollers: the records of moto's shards.

Each shard keeps its records in order of sequence number (`moto.kinesis.models.Shard.records`, shaped
by `samlite.moto_changes.kinesis_records`); each becomes the record Lambda delivers
(`samlite.events.kinesis`): data in base64 as it was put, arrival time, the shard in `eventID`, and the
function's role as `invokeIdentityArn`. Lambda polls each shard once a second ("Using AWS Lambda with
Amazon Kinesis"); samlite's poller is also woken by every PutRecord(s).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from typing import Any

from samlite.events.kinesis import kinesis_record
from samlite.model import AwsApi
from samlite.moto_changes import kinesis_records
from samlite.services.stream_records import SourceGone, StreamRecord

POLL_INTERVAL_S = 1.0


class DataStream:
    """One Kinesis stream, as a `ShardSource`."""

    kind = "kinesis"
    batch_info_key = "KinesisBatchInfo"
    poll_interval_s = POLL_INTERVAL_S

    def __init__(self, aws: AwsApi, stream_name: str, stream_arn: str, *, invoke_identity_arn: str) -> None:
        self._aws = aws
        self.stream_name = stream_name
        self.arn = stream_arn
        self._identity = invoke_identity_arn
        self._lock = threading.Lock()
        self._keys: dict[str, list[int]] = {}  # per shard: its sequence numbers, ascending

    def _stream(self) -> Any:
        stream = self._aws.backend("kinesis").streams.get(self.stream_name)
        if stream is None:
            raise SourceGone(self.stream_name)
        return stream

    @property
    def retention_s(self) -> float:
        try:
            return float(self._stream().retention_period_hours) * 3600
        except SourceGone:
            return 24 * 3600.0

    def shard_ids(self) -> list[str]:
        return list(self._stream().shards)

    def _sequence_numbers(self, shard: Any) -> list[int]:
        """The shard's sequence numbers, kept up to date by looking only at what was added since."""
        records = shard.records
        with self._lock:
            keys = self._keys.setdefault(shard.shard_id, [])
            if len(records) < len(keys) or (keys and keys[0] not in records):
                keys.clear()  # the stream was emptied (reset)
            if len(records) != len(keys):
                fresh = []
                for key in reversed(records):
                    if keys and key <= keys[-1]:
                        break
                    fresh.append(key)
                keys.extend(reversed(fresh))
            return keys

    def read(self, shard_id: str, after: int, limit: int) -> list[StreamRecord]:
        stream = self._stream()
        shard = stream.shards.get(shard_id)
        if shard is None:
            return []
        keys = self._sequence_numbers(shard)
        start = bisect.bisect_right(keys, after)
        records = shard.records
        return [self._record(shard_id, records[key]) for key in keys[start : start + limit] if key in records]

    def latest(self, shard_id: str) -> int:
        shard = self._stream().shards.get(shard_id)
        if shard is None:
            return 0
        keys = self._sequence_numbers(shard)
        return keys[-1] if keys else 0

    def before(self, shard_id: str, timestamp: float) -> int:
        shard = self._stream().shards.get(shard_id)
        if shard is None:
            return 0
        last = 0
        for key in self._sequence_numbers(shard):
            if shard.records[key].created_at >= timestamp:
                break
            last = key
        return last

    def subscribe(self, wake: Callable[[str], None]) -> Callable[[], None]:
        def added(shard: Any) -> None:
            try:
                shards = self._stream().shards
            except SourceGone:
                return
            if shards.get(shard.shard_id) is shard:
                wake(shard.shard_id)

        return kinesis_records.record_added.add(added)

    def _record(self, shard_id: str, record: Any) -> StreamRecord:
        sequence = str(record.sequence_number)
        event_record = kinesis_record(
            shard_id=shard_id,
            sequence_number=sequence,
            partition_key=record.partition_key,
            data_base64=str(record.data),
            arrival_epoch_s=float(record.created_at),
            stream_arn=self.arn,
            region=self._aws.region,
            invoke_identity_arn=self._identity,
        )
        return StreamRecord.of(
            int(record.sequence_number),
            sequence,
            float(record.created_at),
            record.partition_key,
            event_record,
        )
