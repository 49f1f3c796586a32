"""Kinesis's part of the snapshot: every data stream's definition, shards and records.

Per stream: its name, mode, retention, encryption (as StartStreamEncryption left it) and tags; per
shard, what ListShards shows (shard id, hash key range, parent shards, open or closed) and every
record it still holds, in order: data (base64, as the stream keeps it), partition key, explicit hash
key, sequence number and arrival time. Restored shards are the saved ones, so GetRecords from
TRIM_HORIZON after a restart reads the same records with the same sequence numbers, and the records
put after it are numbered above them ("Amazon Kinesis Data Streams terminology": sequence numbers
increase within a shard).

A stream the template still declares with another shard count (or another mode) cannot take its
saved shards back: as a table whose keys changed, the start stops with one line naming the stream
and `--reset-resource` (CloudFormation would reshard it with UpdateShardCount, giving the records new
shards; samlite does not reshard saved records). Records are put back into moto's shards directly,
never through PutRecord: restoring invokes no function. Enhanced fan-out consumers are not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.moto_changes.kinesis_records import continue_numbering
from samlite.persistence.codec import time_of, time_text
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

STREAM = "AWS::Kinesis::Stream"
ON_DEMAND_SHARDS = 4  # what the embedded Kinesis opens for an ON_DEMAND stream


class KinesisSection:
    name = "kinesis"
    types = (STREAM,)

    def template_name(self, resource: Resource) -> str | None:
        return str(resource.ref) if resource.type == STREAM else None

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        kinesis = context.aws.backend("kinesis")
        streams = []
        for name, stream in sorted(_items(kinesis.streams)):
            streams.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(STREAM, name),
                    "mode": str(stream.stream_mode.get("StreamMode", "PROVISIONED")),
                    "retention_hours": int(stream.retention_period_hours),
                    "encryption": {"type": stream.encryption_type, "key_id": stream.key_id},
                    "shard_level_metrics": list(stream.shard_level_metrics),
                    "tags": dict(stream.tags),
                    "shards": [_shard(shard) for _, shard in _items(stream.shards)],
                }
            )
        return {"streams": streams}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(STREAM, s["name"], s.get("logical_id")) for s in content.get("streams", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        """Why the saved shards cannot go into the template's stream: it has another number of them."""
        stream = next(s for s in content.get("streams", []) if s["name"] == saved.name)
        declared = _declared_shards(template)
        kept = sum(1 for shard in stream.get("shards", []) if shard.get("open", True))
        if declared is None or declared == kept:
            return None
        return (
            f"stream {saved.name!r} ({template.logical_id}): its shard count changed from {kept} to "
            f"{declared}, so its saved records cannot be put back in their shards"
        )

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("kinesis").streams.pop(saved.name, None)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        kinesis = context.aws.backend("kinesis")
        streams = records = 0
        for saved in content.get("streams", []):
            decision = context.decide(STREAM, saved["name"])
            if decision == "drop":
                continue
            if decision == "recreate" and saved["name"] not in kinesis.streams:
                kinesis.create_stream(
                    saved["name"],
                    1,
                    stream_mode={"StreamMode": saved.get("mode", "PROVISIONED")},
                    retention_period_hours=saved.get("retention_hours"),
                )
            stream = kinesis.streams[saved["name"]]
            records += _put_shards(stream, saved.get("shards", []))
            encryption = saved.get("encryption") or {}
            if encryption.get("type") not in (None, "NONE"):
                stream.encryption_type, stream.key_id = encryption["type"], encryption.get("key_id")
            stream.shard_level_metrics = list(saved.get("shard_level_metrics") or [])
            # The template's tags are what it says now; tags added through the API are kept.
            stream.tags = {**dict(saved.get("tags") or {}), **stream.tags}
            streams += 1
        if streams:
            context.summary.append(
                f"{streams} stream{'s' * (streams != 1)} ({records} record{'s' * (records != 1)})"
            )


def _declared_shards(template: Resource) -> int | None:
    """The open shards the template's stream is provisioned with (see provisioning's kinesis kind)."""
    props = template.properties
    details = props.get("StreamModeDetails")
    if isinstance(details, Mapping) and details.get("StreamMode") == "ON_DEMAND":
        return ON_DEMAND_SHARDS
    try:
        return int(props.get("ShardCount", 1))
    except (TypeError, ValueError):
        return None  # provisioning refuses it, naming the property


def _items(mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    """A copy of a moto dict a PutRecord (or CreateStream) may be growing meanwhile: an iteration it
    interrupts ("mutated during iteration") is simply read again."""
    for _ in range(10):
        try:
            return list(mapping.items())
        except RuntimeError:
            continue
    return list(mapping.items())


def _shard(shard: Any) -> dict[str, Any]:
    records = [record for _, record in _items(shard.records)]
    return {
        "index": int(shard._shard_id),
        "starting_hash": str(shard.starting_hash),
        "ending_hash": str(shard.ending_hash),
        "parent": shard.parent,
        "adjacent_parent": shard.adjacent_parent,
        "open": bool(shard.is_open),
        "last_sequence": str(getattr(shard, "_samlite_last_sequence", 0)),
        "records": [
            {
                "sequence_number": str(record.sequence_number),
                "partition_key": record.partition_key,
                "explicit_hash_key": record.explicit_hash_key,
                "data": record.data,
                "arrival": time_text(record.created_at_datetime),
            }
            for record in records
        ],
    }


def _put_shards(stream: Any, saved_shards: list[Mapping[str, Any]]) -> int:
    """The stream's shards become the saved ones, records and numbering included."""
    from collections import OrderedDict

    from moto.core.utils import unix_time
    from moto.kinesis.models import Record, Shard

    shards: dict[str, Any] = {}
    count = 0
    for saved in saved_shards:
        shard = Shard(
            int(saved["index"]),
            int(saved["starting_hash"]),
            int(saved["ending_hash"]),
            parent=saved.get("parent"),
            adjacent_parent=saved.get("adjacent_parent"),
        )
        shard.is_open = bool(saved.get("open", True))
        records: OrderedDict[int, Any] = OrderedDict()
        for entry in saved.get("records", []):
            number = int(entry["sequence_number"])
            record = Record(entry["partition_key"], entry["data"], number, entry.get("explicit_hash_key"))
            arrival = time_of(entry["arrival"], naive=True)
            record.created_at_datetime = arrival
            record.created_at = unix_time(arrival)
            records[number] = record
        shard.records = records
        continue_numbering(shard, max([int(saved.get("last_sequence") or 0), *records]))
        shards[shard.shard_id] = shard
        count += len(records)
    if shards:
        stream.shards = shards
        stream.shard_count = sum(1 for shard in shards.values() if shard.is_open)
    return count
