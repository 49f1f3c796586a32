"""Kinesis data streams of the template (`AWS::Kinesis::Stream`): provisioned or on-demand shards.

Properties, from the CloudFormation reference: `Name`, `ShardCount` (provisioned mode; 1 when
omitted), `StreamModeDetails.StreamMode` (PROVISIONED or ON_DEMAND), `RetentionPeriodHours` (24 to
8,760; default 24), `Tags`. `StreamEncryption` is accepted; records are stored as given.
"""

from __future__ import annotations

from collections.abc import Mapping

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, int_or_none, tag_map

_MODES = ("PROVISIONED", "ON_DEMAND")


def stream_name(resource: Resource) -> str:
    return str(resource.ref)


def _stream(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    where = f"{resource.logical_id} (AWS::Kinesis::Stream)"
    details = props.get("StreamModeDetails") or {}
    mode = str(details.get("StreamMode", "PROVISIONED")) if isinstance(details, Mapping) else ""
    if mode not in _MODES:
        raise ProvisionError(f"{where}: StreamModeDetails.StreamMode must be PROVISIONED or ON_DEMAND")
    shards = int_or_none(props.get("ShardCount"))
    if mode == "ON_DEMAND" and shards is not None:
        raise ProvisionError(f"{where}: ShardCount cannot be set for an ON_DEMAND stream")
    if shards is not None and shards < 1:
        raise ProvisionError(f"{where}: ShardCount must be at least 1, got {shards}")
    retention = int_or_none(props.get("RetentionPeriodHours"))
    if retention is not None and not 24 <= retention <= 8760:
        raise ProvisionError(f"{where}: RetentionPeriodHours must be from 24 to 8760, got {retention}")
    kinesis = context.aws.backend("kinesis")
    try:
        stream = kinesis.create_stream(
            stream_name(resource),
            shards or 1,
            stream_mode={"StreamMode": mode},
            retention_period_hours=retention,
        )
        stream.tags.update(tag_map(props.get("Tags")))
    except Exception as error:
        raise fail(resource, f"cannot create stream {stream_name(resource)!r}", error) from error


def _empty(aws: AwsApi, resource: Resource) -> None:
    """Records go; shards and sequence numbering stay (numbers keep growing, as Kinesis's do)."""
    stream = aws.backend("kinesis").streams.get(stream_name(resource))
    if stream is not None:
        for shard in stream.shards.values():
            shard.records.clear()


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("kinesis").streams.pop(stream_name(resource), None)


KINDS = (ResourceKind("AWS::Kinesis::Stream", _stream, rank=6, empty=_empty, remove=_remove),)
