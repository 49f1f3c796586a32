"""A table's DynamoDB stream, read by Lambda's shard poller: the records moto keeps for the table.

moto appends a record to the table's stream shard on every write (`StreamShard.add`: INSERT, MODIFY or
REMOVE, with the keys and the images the view type keeps, numbered from one starting sequence number),
and serves them to DynamoDB Streams' GetRecords; the poller reads the very same records, so the
sequence numbers a function sees (and an on-failure record names) are the ones GetRecords returns.
Each becomes the record Lambda delivers (`samlite.events.dynamodb`): creation time in epoch seconds,
the stream's ARN, the table's region, and `SizeBytes` as DynamoDB sizes items. moto's table has one
shard; Lambda polls a DynamoDB stream's shards four times a second, and samlite's poller is also
woken by every write (`samlite.moto_changes.dynamodb_streams`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from samlite.events.dynamodb import dynamodb_record, item_size
from samlite.model import AwsApi
from samlite.moto_changes import dynamodb_streams
from samlite.services.stream_records import SourceGone, StreamRecord

RETENTION_S = 24 * 3600  # "DynamoDB Streams ... stores this information in a log for up to 24 hours"
POLL_INTERVAL_S = 0.25  # "Lambda polls shards in your DynamoDB stream ... 4 times per second"


class TableStream:
    """The stream of one table, as a `ShardSource`."""

    kind = "dynamodb"
    batch_info_key = "DDBStreamBatchInfo"
    poll_interval_s = POLL_INTERVAL_S
    retention_s = float(RETENTION_S)

    def __init__(self, aws: AwsApi, table_name: str, stream_arn: str) -> None:
        self._aws = aws
        self.table_name = table_name
        self.arn = stream_arn

    def _table(self) -> Any:
        table = self._aws.backend("dynamodb").tables.get(self.table_name)
        if table is None:
            raise SourceGone(self.table_name)
        return table

    def _shard(self, shard_id: str | None = None) -> Any:
        shard = self._table().stream_shard
        if shard is None or (shard_id is not None and shard.id != shard_id):
            return None
        return shard

    def shard_ids(self) -> list[str]:
        shard = self._shard()
        return [shard.id] if shard is not None else []

    def read(self, shard_id: str, after: int, limit: int) -> list[StreamRecord]:
        shard = self._shard(shard_id)
        if shard is None:
            return []
        start = int(shard.starting_sequence_number)
        first = max(0, after - start + 1)
        table = self._table()
        return [self._record(table, item.record) for item in shard.items[first : first + limit]]

    def latest(self, shard_id: str) -> int:
        shard = self._shard(shard_id)
        if shard is None:
            return 0
        return int(shard.starting_sequence_number) + len(shard.items) - 1

    def before(self, shard_id: str, timestamp: float) -> int:
        return 0  # AT_TIMESTAMP is for Kinesis only (refused when the mapping is provisioned)

    def subscribe(self, wake: Callable[[str], None]) -> Callable[[], None]:
        def added(shard: Any) -> None:
            if getattr(shard.table, "name", None) == self.table_name:
                wake(shard.id)

        return dynamodb_streams.record_added.add(added)

    def _record(self, table: Any, moto_record: dict[str, Any]) -> StreamRecord:
        body = moto_record["dynamodb"]
        created = body["ApproximateCreationDateTime"]
        if isinstance(created, datetime):
            arrival = (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()
        else:
            arrival = float(created)
        keys = body["Keys"]
        view = body["StreamViewType"]
        new, old = body.get("NewImage"), body.get("OldImage")
        record = dynamodb_record(
            event_id=moto_record["eventID"],
            event_name=moto_record["eventName"],
            keys=keys,
            new_image=new,
            old_image=old,
            sequence_number=str(body["SequenceNumber"]),
            size_bytes=item_size(keys, new, old),
            view_type=view,
            created_epoch_s=arrival,
            stream_arn=self.arn,
            region=str(table.region_name),
        )
        hash_key = keys.get(table.hash_key_attr, keys)
        return StreamRecord.of(
            int(body["SequenceNumber"]),
            str(body["SequenceNumber"]),
            arrival,
            json.dumps(hash_key, sort_keys=True),
            record,
        )
