"""DynamoDB's part of the snapshot: every table's definition and items, and its stream's records.

Per table: its name, key schema and attribute definitions (what a restart compares with the template:
items cannot go into a table whose keys changed), billing mode, indexes, stream specification, TTL,
tags; every item in DynamoDB JSON (`{"S": ...}`, as GetItem answers); and the records its stream
still holds (as GetRecords answers them), so that a consumer reading the stream after a restart
finds what it had not read yet.

Items are put back into moto's tables directly, never through PutItem: no stream record is written
and no function is invoked by restoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.codec import bytes_of, bytes_text, plain, time_of
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

TABLE = "AWS::DynamoDB::Table"


class DynamoDbSection:
    name = "dynamodb"
    types = (TABLE,)

    def template_name(self, resource: Resource) -> str | None:
        return resource.ref if resource.type == TABLE else None

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        dynamodb = context.aws.backend("dynamodb")
        tables = []
        for name, table in sorted(dict(dynamodb.tables).items()):
            items = [_attributes(item.to_json()["Attributes"], _encoded) for item in _items(table)]
            shard = getattr(table, "stream_shard", None)
            tables.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(TABLE, name),
                    "keys": _keys(table.schema, table.attr),
                    "definition": _definition(dynamodb, table),
                    "items": items,
                    "stream_records": [plain(r.record) for r in list(shard.items)] if shard else [],
                }
            )
        return {"tables": tables}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(TABLE, t["name"], t.get("logical_id")) for t in content.get("tables", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        """Why the saved items cannot go into the template's table: its keys (names or types) changed."""
        table = next(t for t in content.get("tables", []) if t["name"] == saved.name)
        props = template.properties
        declared = _keys(list(props.get("KeySchema") or []), list(props.get("AttributeDefinitions") or []))
        if declared == table["keys"]:
            return None
        return (
            f"table {saved.name!r} ({template.logical_id}): its key schema changed from "
            f"{_show(table['keys'])} to {_show(declared)}, so its saved items cannot be put back"
        )

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("dynamodb").tables.pop(saved.name, None)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        dynamodb = context.aws.backend("dynamodb")
        tables = items = 0
        for saved in content.get("tables", []):
            decision = context.decide(TABLE, saved["name"])
            if decision == "drop":
                continue
            if decision == "recreate" and saved["name"] not in dynamodb.tables:
                _create(dynamodb, saved)
            table = dynamodb.tables[saved["name"]]
            items += _put_items(table, saved.get("items", []))
            shard = getattr(table, "stream_shard", None)
            if shard is not None and saved.get("stream_records"):
                _put_stream_records(shard, saved["stream_records"])
            tables += 1
        if tables:
            context.summary.append(f"{tables} table{'s' * (tables != 1)} ({items} item{'s' * (items != 1)})")


def _items(table: Any) -> list[Any]:
    found = []
    for value in list(dict(table.items).values()):
        if isinstance(value, dict):
            found.extend(list(dict(value).values()))
        else:
            found.append(value)
    return found


def _attributes(attributes: Mapping[str, Any], convert: Any) -> dict[str, Any]:
    return {name: _value(value, convert) for name, value in attributes.items()}


def _value(value: Mapping[str, Any], convert: Any) -> dict[str, Any]:
    """One attribute value in DynamoDB JSON, its binary parts converted (nested maps and lists too)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {kind: convert(inner)}
    if kind == "BS":
        return {kind: [convert(part) for part in inner]}
    if kind == "M":
        return {kind: {name: _value(part, convert) for name, part in inner.items()}}
    if kind == "L":
        return {kind: [_value(part, convert) for part in inner]}
    return {kind: inner}


def _encoded(binary: bytes | str) -> str:
    """moto keeps a binary value as the bytes the wire carried: base64 text in the snapshot."""
    return bytes_text(binary) if isinstance(binary, bytes) else binary  # type: ignore[return-value]


def _decoded(text: str) -> bytes:
    return bytes_of(text)  # type: ignore[return-value]


def _keys(schema: list[Mapping[str, Any]], attributes: list[Mapping[str, Any]]) -> list[list[str]]:
    """[[name, KeyType, AttributeType], ...]: what makes an item's key, in schema order."""
    types = {a.get("AttributeName"): a.get("AttributeType") for a in attributes}
    return [[str(k["AttributeName"]), str(k["KeyType"]), str(types.get(k["AttributeName"]))] for k in schema]


def _show(keys: list[list[str]]) -> str:
    return ", ".join(f"{name} {key_type} ({attr_type})" for name, key_type, attr_type in keys) or "none"


def _definition(dynamodb: Any, table: Any) -> dict[str, Any]:
    """What CreateTable needs to make the table again (when it is no longer in the template)."""
    description = table.describe()["TableDescription"]
    return plain(
        {
            "schema": table.schema,
            "attr": table.attr,
            "billing_mode": description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
            "throughput": {
                "ReadCapacityUnits": table.throughput.get("ReadCapacityUnits", 5),
                "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits", 5),
            },
            "global_indexes": [index.describe() for index in table.global_indexes],
            "indexes": [index.describe() for index in table.indexes],
            "streams": table.stream_specification,
            "ttl": table.ttl,
            "tags": table.tags,
        }
    )


def _create(dynamodb: Any, saved: Mapping[str, Any]) -> None:
    definition = saved["definition"]
    dynamodb.create_table(
        saved["name"],
        schema=definition["schema"],
        throughput=definition["throughput"],
        attr=definition["attr"],
        global_indexes=[_index(i) for i in definition.get("global_indexes") or []],
        indexes=[_index(i) for i in definition.get("indexes") or []],
        streams=definition.get("streams"),
        billing_mode=definition.get("billing_mode") or "PROVISIONED",
        sse_specification=None,
        tags=definition.get("tags") or [],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    ttl = definition.get("ttl") or {}
    if ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName"):
        dynamodb.update_time_to_live(saved["name"], {"AttributeName": ttl["AttributeName"], "Enabled": True})


def _index(described: Mapping[str, Any]) -> dict[str, Any]:
    """An index's DescribeTable shape back in CreateTable's (without the status fields)."""
    kept = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
    index = {key: described[key] for key in kept if key in described}
    throughput = index.get("ProvisionedThroughput")
    if isinstance(throughput, Mapping):
        index["ProvisionedThroughput"] = {
            key: int(throughput[key])
            for key in ("ReadCapacityUnits", "WriteCapacityUnits")
            if key in throughput
        }
    return index


def _put_items(table: Any, items: list[Mapping[str, Any]]) -> int:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    for saved in items:
        attributes = _attributes(saved, _decoded)
        hash_value = DynamoType(attributes[table.hash_key_attr])
        if table.range_key_attr is not None:
            range_value = DynamoType(attributes[table.range_key_attr])
            table.items[hash_value][range_value] = Item(hash_value, range_value, dict(attributes))
        else:
            table.items[hash_value] = Item(hash_value, None, dict(attributes))
    return len(items)


def _put_stream_records(shard: Any, records: list[Mapping[str, Any]]) -> None:
    from moto.dynamodb.models.table import StreamRecord

    for record in records:
        restored = StreamRecord.__new__(StreamRecord)
        restored.record = dict(record)
        change = dict(restored.record.get("dynamodb") or {})
        if isinstance(change.get("ApproximateCreationDateTime"), str):
            change["ApproximateCreationDateTime"] = time_of(change["ApproximateCreationDateTime"], naive=True)
            restored.record["dynamodb"] = change
        shard.items.append(restored)
