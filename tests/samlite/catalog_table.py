"""The catalog table that samlite's page-sized DynamoDB Query is tested and measured on.

It has the shape of upload-catalog's listing: a table keyed by `pk`, and a sparse global secondary
index `live-by-key` (partition `listing`, sort `key`) holding only the live entries, which
`GET /objects` reads a page at a time starting after an ExclusiveStartKey. The DynamoDB Query tests
and the benchmarks (`bench/bench_dynamodb_query.py`, `bench/bench_vs_ministack.py`) import it from
here: a benchmark is one more consumer of a test fixture, while tests never depend on `bench/`
(which `make test` does not run).
"""

from __future__ import annotations

from typing import Any

INDEX = "live-by-key"


def create_catalog_table(client: Any, name: str) -> str:
    """Creates the table (on-demand) with its sparse index through a boto3 DynamoDB client."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "listing", "AttributeType": "S"},
            {"AttributeName": "key", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": INDEX,
                "KeySchema": [
                    {"AttributeName": "listing", "KeyType": "HASH"},
                    {"AttributeName": "key", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def catalog_item(key: str, *, live: bool = True, size: int | None = None, **strings: str) -> dict[str, Any]:
    """One entry in DynamoDB's typed form; only a live one carries `listing`, so the index is sparse."""
    item: dict[str, Any] = {"pk": {"S": key}, "key": {"S": key}}
    if live:
        item["listing"] = {"S": "LIVE"}
    if size is not None:
        item["size"] = {"N": str(size)}
    item.update({name: {"S": value} for name, value in strings.items()})
    return item


def live_page(table: str, limit: int, after: str | None = None) -> dict[str, Any]:
    """Query arguments for one page of live entries in key order, after the entry keyed `after`."""
    query: dict[str, Any] = {
        "TableName": table,
        "IndexName": INDEX,
        "KeyConditionExpression": "listing = :live",
        "ExpressionAttributeValues": {":live": {"S": "LIVE"}},
        "Limit": limit,
    }
    if after is not None:
        query["ExclusiveStartKey"] = {"pk": {"S": after}, "key": {"S": after}, "listing": {"S": "LIVE"}}
    return query
