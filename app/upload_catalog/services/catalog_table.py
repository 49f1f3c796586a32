"""Conditional writes to the catalog table (contract in the README): the order-safety of the catalog.

Each PutItem carries ``attribute_not_exists(key) OR sequencer < :sequencer``. Sequencers are stored
zero-padded to one width (``controllers.sequencer``), so DynamoDB's string comparison is S3's documented
order. The condition makes check-and-write one atomic step: two concurrent invocations for one key can
never both win with the older event.

A live entry also carries the attributes of the sparse listing indexes (``catalog_index``); a tombstone
carries none, so PutItem of a tombstone (which replaces the whole item) removes the key from every index.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from upload_catalog.catalog_index import live_attributes
from upload_catalog.models import CatalogEntry, CatalogItem, Tombstone

CONDITION = "attribute_not_exists(#key) OR #sequencer < :sequencer"


def to_attributes(item: CatalogItem) -> dict[str, dict[str, Any]]:
    """The DynamoDB item of a catalog entry or tombstone (low-level attribute-value format)."""
    attrs: dict[str, dict[str, Any]] = {
        "bucket": {"S": item.bucket},
        "key": {"S": item.key},
        "sequencer": {"S": item.sequencer},
        "event_time": {"S": item.event_time},
    }
    if isinstance(item, Tombstone):
        attrs["deleted"] = {"BOOL": True}
        attrs["expires_at"] = {"N": str(item.expires_at)}
        return attrs
    entry: CatalogEntry = item
    attrs["size"] = {"N": str(entry.size)}
    attrs["etag"] = {"S": entry.etag}
    attrs["content_type"] = {"S": entry.content_type}
    if entry.declared_content_type:
        attrs["declared_content_type"] = {"S": entry.declared_content_type}
    if entry.width is not None and entry.height is not None:
        attrs["width"] = {"N": str(entry.width)}
        attrs["height"] = {"N": str(entry.height)}
    if entry.version_id:
        attrs["version_id"] = {"S": entry.version_id}
    for name, value in live_attributes(entry.bucket, entry.content_type, entry.event_time).items():
        attrs[name] = {"S": value}
    return attrs


def from_attributes(item: dict[str, dict[str, Any]]) -> CatalogItem:
    """The catalog entry or tombstone of a DynamoDB item (the inverse of ``to_attributes``)."""

    def text(name: str) -> str | None:
        value = item.get(name)
        return value.get("S") if value else None

    def number(name: str) -> int | None:
        value = item.get(name)
        return int(value["N"]) if value and "N" in value else None

    if item.get("deleted", {}).get("BOOL"):
        return Tombstone(
            bucket=text("bucket") or "",
            key=text("key") or "",
            sequencer=text("sequencer") or "",
            event_time=text("event_time") or "",
            expires_at=number("expires_at") or 0,
        )
    return CatalogEntry(
        bucket=text("bucket") or "",
        key=text("key") or "",
        size=number("size") or 0,
        etag=text("etag") or "",
        content_type=text("content_type") or "",
        declared_content_type=text("declared_content_type"),
        sequencer=text("sequencer") or "",
        event_time=text("event_time") or "",
        width=number("width"),
        height=number("height"),
        version_id=text("version_id"),
    )


class DynamoCatalogStore:
    """Implements ``controllers.ports.CatalogStore`` over a boto3 DynamoDB client."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._ddb = dynamodb_client
        self._table = table_name

    def put_if_newer(self, item: CatalogItem) -> bool:
        """Write ``item`` unless the stored entry of its key is as new or newer; True when written."""
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=to_attributes(item),
                ConditionExpression=CONDITION,
                ExpressionAttributeNames={"#key": "key", "#sequencer": "sequencer"},
                ExpressionAttributeValues={":sequencer": {"S": item.sequencer}},
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
