"""Reads of the catalog table for the API: GetItem and Query on the listing indexes. Never Scan.

The API function's role may only ``dynamodb:GetItem`` and ``dynamodb:Query`` (template.yaml), so a Scan
would fail with AccessDenied on AWS, not just be slow.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.api_models import IndexPage, IndexQuery, ListedEntry
from upload_catalog.models import CatalogEntry, CatalogItem
from upload_catalog.services.catalog_table import from_attributes


def _strings(item: dict[str, dict[str, Any]], names: set[str]) -> dict[str, str]:
    return {name: item[name]["S"] for name in names if name in item and "S" in item[name]}


class DynamoCatalogReader:
    """Implements ``controllers.api_ports.CatalogReader`` over a boto3 DynamoDB client."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._ddb = dynamodb_client
        self._table = table_name

    def get(self, bucket: str, key: str) -> CatalogItem | None:
        # Strongly consistent: a client that just saw its delete's 202 and the event processed reads it.
        response = self._ddb.get_item(
            TableName=self._table, Key={"bucket": {"S": bucket}, "key": {"S": key}}, ConsistentRead=True
        )
        item = response.get("Item")
        return from_attributes(item) if item else None

    def query(self, query: IndexQuery) -> IndexPage:
        names = {"#p": query.partition_name}
        values: dict[str, dict[str, str]] = {":p": {"S": query.partition_value}}
        condition = "#p = :p"
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": query.index,
            "ScanIndexForward": query.forward,
            "Limit": query.limit,
        }
        if query.key_prefix:
            names["#k"] = "key"
            values[":prefix"] = {"S": query.key_prefix}
            condition += " AND begins_with(#k, :prefix)"
        if query.filter_prefix:
            names["#k"] = "key"
            values[":prefix"] = {"S": query.filter_prefix}
            params["FilterExpression"] = "begins_with(#k, :prefix)"
        params.update(
            KeyConditionExpression=condition, ExpressionAttributeNames=names, ExpressionAttributeValues=values
        )
        if query.start:
            params["ExclusiveStartKey"] = {name: {"S": value} for name, value in query.start.items()}
        response = self._ddb.query(**params)
        position_names = {"bucket", "key", query.partition_name, query.sort_name}
        entries = []
        for item in response.get("Items", []):
            entry = from_attributes(item)
            if isinstance(entry, CatalogEntry):  # indexes are sparse: tombstones never appear
                entries.append(ListedEntry(entry, _strings(item, position_names)))
        last = response.get("LastEvaluatedKey")
        return IndexPage(
            entries=entries,
            last_evaluated=_strings(last, set(last)) if last else None,
            evaluated=int(response.get("ScannedCount", len(entries))),
        )
