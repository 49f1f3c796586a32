"""DynamoDB tables of the template (`AWS::DynamoDB::Table`): keys, indexes, TTL, billing, streams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_list


def _table(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    for required in ("KeySchema", "AttributeDefinitions"):
        if not props.get(required):
            raise ProvisionError(f"{resource.logical_id} (AWS::DynamoDB::Table): {required} is required")
    billing = str(props.get("BillingMode") or "PROVISIONED")
    throughput = props.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and not throughput:
        raise ProvisionError(
            f"{resource.logical_id} (AWS::DynamoDB::Table): ProvisionedThroughput is required "
            "when BillingMode is PROVISIONED"
        )
    stream = props.get("StreamSpecification")
    streams = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]} if stream else None
    sse = props.get("SSESpecification")
    dynamodb = context.aws.backend("dynamodb")
    try:
        dynamodb.create_table(
            resource.ref,
            schema=list(props["KeySchema"]),
            throughput=_throughput(throughput),
            attr=list(props["AttributeDefinitions"]),
            global_indexes=[_index(i) for i in props.get("GlobalSecondaryIndexes") or []],
            indexes=[_index(i) for i in props.get("LocalSecondaryIndexes") or []],
            streams=streams,
            billing_mode=billing,
            sse_specification={"Enabled": bool(sse.get("SSEEnabled"))} if isinstance(sse, Mapping) else None,
            tags=tag_list(props.get("Tags")),
            deletion_protection_enabled=bool(props.get("DeletionProtectionEnabled", False)),
            warm_throughput=None,
        )
        _label_stream(dynamodb, resource)
        ttl = props.get("TimeToLiveSpecification")
        if isinstance(ttl, Mapping) and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                resource.ref, {"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
    except ProvisionError:
        raise
    except Exception as error:
        raise fail(resource, f"cannot create table {resource.ref!r}", error) from error


def _label_stream(dynamodb: Any, resource: Resource) -> None:
    """The stream's label as the template's `GetAtt StreamArn` names it, so DescribeTable, ListStreams
    and the records' eventSourceARN agree with it (moto labels the stream with its creation time)."""
    stream_arn = str(resource.attributes.get("StreamArn") or "")
    if "/stream/" in stream_arn:
        dynamodb.tables[resource.ref].latest_stream_label = stream_arn.rsplit("/stream/", 1)[1]


def _throughput(throughput: Any) -> dict[str, int] | None:
    if not isinstance(throughput, Mapping):
        return None
    return {key: int(value) for key, value in throughput.items()}


def _index(index: Mapping[str, Any]) -> dict[str, Any]:
    converted = dict(index)
    if "ProvisionedThroughput" in converted:
        converted["ProvisionedThroughput"] = _throughput(converted["ProvisionedThroughput"])
    return converted


def _empty(aws: AwsApi, resource: Resource) -> None:
    table = aws.backend("dynamodb").tables.get(resource.ref)
    if table is not None:
        table.items.clear()


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("dynamodb").tables.pop(resource.ref, None)


KINDS = (ResourceKind("AWS::DynamoDB::Table", _table, rank=6, empty=_empty, remove=_remove),)
