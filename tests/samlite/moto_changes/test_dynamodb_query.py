"""The page-sized DynamoDB Query (samlite.moto_changes.dynamodb_query) answers exactly as moto's own Query.

Every query runs twice on the same data, fast path and `moto_query_only()`, and the whole responses
(Items, order, Count, ScannedCount, LastEvaluatedKey) must be equal, page after page. Random writes
(PutItem, DeleteItem, UpdateItem SET/REMOVE of index keys, BatchWriteItem, TransactWriteItems that
roll back) come between the queries, so the sorted lists are maintained, not just built.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from samlite import moto_changes
from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.moto_changes import dynamodb_query

REGION = "us-east-1"
# One session for every example: its loader keeps botocore's service model, which a fresh default
# session (moto's mock_aws resets it) would read and parse again for each of the property's examples.
SESSION = boto3.Session(region_name=REGION)
PKS = ["p0", "p1", "p2"]
WORDS = ["", "a", "ab", "abc", "b", "ba", "z", "é", "日本"]


@pytest.fixture
def patched() -> Iterator[None]:
    moto_changes.apply()
    try:
        yield
    finally:
        moto_changes.restore()


def _create_table(client: Any, *, numeric_sort: bool) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N" if numeric_sort else "S"},
            {"AttributeName": "gpk", "AttributeType": "S"},
            {"AttributeName": "gsk", "AttributeType": "N"},
            {"AttributeName": "owner", "AttributeType": "S"},
            {"AttributeName": "title", "AttributeType": "S"},
            {"AttributeName": "blob", "AttributeType": "B"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "byOwner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "byBlob",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "blob", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byTitle",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "title", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


small_numbers = st.sampled_from([Decimal(v) for v in ("-3", "-1.5", "0", "1", "1.0", "2", "10", "100")])
sort_values = st.integers(min_value=0, max_value=6)


@st.composite
def items(draw: st.DrawFn, numeric_sort: bool) -> dict[str, Any]:
    sk = draw(sort_values)
    item: dict[str, Any] = {"pk": draw(st.sampled_from(PKS)), "sk": sk if numeric_sort else f"s{sk}"}
    if draw(st.booleans()):
        item["gpk"] = draw(st.sampled_from(["g0", "g1"]))
    if draw(st.booleans()):
        item["gsk"] = draw(small_numbers)
    if draw(st.booleans()):
        item["owner"] = draw(st.sampled_from(["ann", "bob"]))
    if draw(st.booleans()):
        item["title"] = draw(st.sampled_from([w for w in WORDS if w]))
    if draw(st.booleans()):
        item["blob"] = draw(st.sampled_from([b"\x00", b"\x00\x01", b"\x01", b"\xff", b"ab"]))
    if draw(st.booleans()):
        item["size"] = draw(st.integers(min_value=0, max_value=5))
    return item


@st.composite
def writes(draw: st.DrawFn, numeric_sort: bool) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["put", "put", "delete", "update", "batch", "transact"]))
    item = draw(items(numeric_sort))
    key = {"pk": item["pk"], "sk": item["sk"]}
    if kind == "put":
        return kind, item
    if kind == "delete":
        return kind, key
    if kind == "update":
        action = draw(st.sampled_from(["set-g", "remove-g", "set-title", "remove-owner", "fail"]))
        return kind, (key, action, draw(small_numbers))
    if kind == "batch":
        batch = st.lists(items(numeric_sort), min_size=1, max_size=4, unique_by=lambda i: (i["pk"], i["sk"]))
        return kind, draw(batch)
    return kind, (item, draw(st.booleans()))


def _apply(table: Any, write: tuple[str, Any]) -> None:
    kind, arg = write
    client = table.meta.client
    if kind == "put":
        table.put_item(Item=arg)
    elif kind == "delete":
        table.delete_item(Key=arg)
    elif kind == "update":
        key, action, number = arg
        expressions = {
            "set-g": ("SET gpk = :g, gsk = :n", {":g": "g1", ":n": number}),
            "remove-g": ("REMOVE gsk", None),
            "set-title": ("SET title = :t", {":t": "abd"}),
            "remove-owner": ("REMOVE #o", None),
            "fail": ("SET gsk = :n", {":n": number}),
        }
        expression, values = expressions[action]
        kwargs: dict[str, Any] = {"Key": key, "UpdateExpression": expression}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        if action == "remove-owner":
            kwargs["ExpressionAttributeNames"] = {"#o": "owner"}
        if action == "fail":
            kwargs["ConditionExpression"] = "attribute_exists(nope)"
        with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
            table.update_item(**kwargs)
    elif kind == "batch":
        with table.batch_writer() as batch:
            for item in arg:
                batch.put_item(Item=item)
    else:
        item, fail = arg
        other = {"pk": "p9", "sk": item["sk"]}
        operations: list[dict[str, Any]] = [{"Put": {"TableName": table.name, "Item": item}}]
        condition = {"ConditionExpression": "attribute_exists(nope)"} if fail else {}
        operations.append({"Put": {"TableName": table.name, "Item": other, **condition}})
        with contextlib.suppress(client.exceptions.TransactionCanceledException):
            table.meta.client.transact_write_items(TransactItems=_serialized(operations))


def _serialized(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    out = []
    for operation in operations:
        put = dict(operation["Put"])
        put["Item"] = {k: serializer.serialize(v) for k, v in put["Item"].items()}
        out.append({"Put": put})
    return out


@st.composite
def queries(draw: st.DrawFn, numeric_sort: bool) -> dict[str, Any]:
    index = draw(st.sampled_from([None, "byG", "byOwner", "byBlob", "byTitle"]))
    hash_attr = {None: "pk", "byG": "gpk", "byOwner": "owner", "byBlob": "gpk", "byTitle": "pk"}[index]
    names: dict[str, str] = {"#h": hash_attr}
    hash_value = {
        None: st.sampled_from(PKS),
        "byTitle": st.sampled_from(PKS),
        "byG": st.sampled_from(["g0", "g1", "g2"]),
        "byBlob": st.sampled_from(["g0", "g1"]),
        "byOwner": st.sampled_from(["ann", "bob", "cy"]),
    }[index]
    values: dict[str, Any] = {":h": draw(hash_value)}
    expression = "#h = :h"
    range_attr, range_values = {
        None: ("sk", sort_values.map(lambda v: v if numeric_sort else f"s{v}")),
        "byG": ("gsk", small_numbers),
        "byBlob": ("blob", st.sampled_from([b"\x00", b"\x01", b"a", b"\xff"])),
        "byTitle": ("title", st.sampled_from(WORDS[1:])),
        "byOwner": (None, None),
    }[index]
    if range_attr is not None and draw(st.booleans()):
        names["#r"] = range_attr
        operator = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]))
        if operator == "begins_with" and (range_attr == "gsk" or (range_attr == "sk" and numeric_sort)):
            operator = ">="
        if operator == "BETWEEN":
            values[":a"], values[":b"] = draw(range_values), draw(range_values)
            expression += " AND #r BETWEEN :a AND :b"
        elif operator == "begins_with":
            values[":a"] = draw(range_values)
            expression += " AND begins_with(#r, :a)"
        else:
            values[":a"] = draw(range_values)
            expression += f" AND #r {operator} :a"
    query: dict[str, Any] = {
        "KeyConditionExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": draw(st.booleans()),
    }
    if index:
        query["IndexName"] = index
    if draw(st.booleans()):
        query["Limit"] = draw(st.integers(min_value=1, max_value=4))
    if draw(st.booleans()):
        query["FilterExpression"] = "attribute_exists(#s)"
        query["ExpressionAttributeNames"]["#s"] = "size"
    if draw(st.booleans()):
        query["Select"] = "COUNT"
    elif draw(st.booleans()):
        query["ProjectionExpression"] = "#h, title"
    return query


def _pages(table: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of the query, following LastEvaluatedKey (at most 40 pages)."""
    pages = []
    request = dict(query)
    for _ in range(40):
        response = table.query(**request)
        response.pop("ResponseMetadata", None)
        pages.append(response)
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return pages


def _compare(table: Any, query: dict[str, Any], *, expect_fast: bool = True) -> None:
    before = dynamodb_query.stats()
    fast = _pages(table, query)
    during = dynamodb_query.stats()
    with dynamodb_query.moto_query_only():
        reference = _pages(table, query)
    assert fast == reference, query
    if expect_fast:  # every page came from the sorted lists (none of these shapes is left to moto)
        assert (during.fast - before.fast, during.moto - before.moto) == (len(fast), 0), query


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    numeric_sort=st.booleans(),
    data=st.data(),
)
def test_query_matches_moto_after_random_writes(numeric_sort: bool, data: st.DataObject) -> None:
    moto_changes.apply()
    try:
        with mock_aws():
            client = SESSION.client("dynamodb")
            table = SESSION.resource("dynamodb").Table(_create_table(client, numeric_sort=numeric_sort))
            for _round in range(3):
                for write in data.draw(st.lists(writes(numeric_sort), max_size=15)):
                    _apply(table, write)
                for query in data.draw(st.lists(queries(numeric_sort), min_size=1, max_size=6)):
                    _compare(table, query)
    finally:
        moto_changes.restore()


# --- deterministic cases ------------------------------------------------------------------------------


@pytest.fixture
def table(patched: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        yield boto3.resource("dynamodb", region_name=REGION).Table(_create_table(client, numeric_sort=True))


def _moto_table(table: Any) -> Any:
    from moto.backends import get_backend

    return get_backend("dynamodb")["123456789012"][REGION].get_table(table.name)


GSI_QUERY = {
    "IndexName": "byG",
    "KeyConditionExpression": "gpk = :g",
    "ExpressionAttributeValues": {":g": "g0"},
    "Limit": 3,
}


def test_page_cost_does_not_walk_the_table(table: Any) -> None:
    for n in range(300):
        table.put_item(Item={"pk": f"p{n % 7}", "sk": n, "gpk": "g0", "gsk": n % 11})
    _compare(table, GSI_QUERY)
    moto_table = _moto_table(table)
    calls = 0
    original = type(moto_table).all_items

    def counting(self: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self)

    type(moto_table).all_items = counting  # type: ignore[method-assign]
    try:
        table.query(**GSI_QUERY)
    finally:
        type(moto_table).all_items = original  # type: ignore[method-assign]
    assert calls == 0  # moto's own Query lists (and sorts) every item of the table for each page


def test_writes_behind_the_hooks_are_detected(table: Any) -> None:
    for n in range(20):
        table.put_item(Item={"pk": "p0", "sk": n, "gpk": "g0", "gsk": n})
    _compare(table, GSI_QUERY)  # the sorted lists exist now
    moto_table = _moto_table(table)
    from moto.dynamodb.models.dynamo_type import DynamoType

    # A write no hook sees: the first items vanish straight from moto's dict.
    for n in range(2):
        del moto_table.items[DynamoType({"S": "p0"})][DynamoType({"N": str(n)})]
    before = dynamodb_query.stats()
    assert [item["sk"] for item in table.query(**GSI_QUERY)["Items"]] == [2, 3, 4]
    assert dynamodb_query.stats().fast == before.fast + 1  # rebuilt, then answered from the lists
    _compare(table, GSI_QUERY)


def test_unusual_queries_are_left_to_moto(table: Any) -> None:
    table.put_item(Item={"pk": "p0", "sk": 1, "gpk": "g0", "gsk": 1, "size": 3})
    client = table.meta.client
    before = dynamodb_query.stats()
    legacy = {
        "TableName": table.name,
        "KeyConditions": {"pk": {"AttributeValueList": ["p0"], "ComparisonOperator": "EQ"}},
        "QueryFilter": {"size": {"AttributeValueList": [3], "ComparisonOperator": "EQ"}},
    }
    assert client.query(**legacy)["Count"] == 1
    after = dynamodb_query.stats()
    assert (after.fast - before.fast, after.moto - before.moto) == (0, 1)


def test_mixed_key_types_fall_back_to_moto(table: Any) -> None:
    # moto accepts an index key of another type than declared; its own Query then decides.
    table.put_item(Item={"pk": "p0", "sk": 1, "gpk": "g0", "gsk": 5})
    table.put_item(Item={"pk": "p0", "sk": 2, "gpk": "g1", "gsk": "five"})
    before = dynamodb_query.stats()
    _compare(table, GSI_QUERY, expect_fast=False)
    after = dynamodb_query.stats()
    assert (after.fast, after.moto) == (before.fast, before.moto + 2)


def test_one_megabyte_pages_end_where_moto_ends_them(table: Any) -> None:
    for n in range(12):
        table.put_item(Item={"pk": "p0", "sk": n, "gpk": "g0", "gsk": n, "payload": b"x" * 150_000})
    pages = _pages(table, {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": "p0"}})
    assert len(pages) > 1  # the 1 MB limit ended the first page
    _compare(table, {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": "p0"}})
    _compare(table, {**GSI_QUERY, "Limit": 100, "ScanIndexForward": False})


def test_embedded_aws_answers_queries_from_the_sorted_lists() -> None:
    with EmbeddedAws(port=0) as aws:
        credentials = aws.admin_credentials.as_env()
        resource = boto3.resource(
            "dynamodb",
            endpoint_url=aws.url,
            region_name=aws.region,
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        )
        table = resource.Table(_create_table(resource.meta.client, numeric_sort=False))
        assert dynamodb_query.installed()  # applied on DynamoDB's first use
        for n in range(5):
            table.put_item(Item={"pk": "p0", "sk": f"s{n}", "gpk": "g0", "gsk": n})
        before = dynamodb_query.stats()
        response = table.query(**GSI_QUERY)
        assert [item["sk"] for item in response["Items"]] == ["s0", "s1", "s2"]
        assert response["LastEvaluatedKey"] == {"pk": "p0", "sk": "s2", "gpk": "g0", "gsk": 2}
        assert dynamodb_query.stats().fast == before.fast + 1
