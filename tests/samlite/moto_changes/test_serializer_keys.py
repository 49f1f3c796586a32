"""moto's serializer with remembered member names and direct dict structures
(samlite.moto_changes.serializer_keys) writes the same responses as moto's own: random DynamoDB items
of every AttributeValue type (nested maps and lists, sets, binary, null, booleans) are read back with
GetItem, Query and Scan with and without the change, and the parsed responses must be equal.

The AttributeValue shapes: Amazon DynamoDB API Reference, "AttributeValue" data type.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from samlite.moto_changes import serializer_keys

NAMES = st.sampled_from(["a", "b", "S", "N", "M", "L", "type", "x_y", "Item", "B"])
SCALARS = st.one_of(
    st.text(max_size=5).map(lambda text: {"S": text}),
    st.integers(-1000, 1000).map(lambda number: {"N": str(number)}),
    st.binary(min_size=1, max_size=5).map(lambda data: {"B": data}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.just({"NULL": True}),
    st.sets(st.text(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda items: {"SS": sorted(items)}),
    st.sets(st.integers(0, 99), min_size=1, max_size=3).map(lambda items: {"NS": sorted(map(str, items))}),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.dictionaries(NAMES, children, max_size=3).map(lambda members: {"M": members}),
        st.lists(children, max_size=3).map(lambda items: {"L": items}),
    ),
    max_leaves=8,
)
ITEMS = st.dictionaries(NAMES, VALUES, max_size=4)


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


def _read_back(client: Any, table: str, items: list[dict[str, Any]]) -> list[Any]:
    answers = [
        client.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"N": str(n)}})
        for n in range(len(items))
    ]
    answers.append(
        client.query(
            TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
        )
    )
    answers.append(client.scan(TableName=table))
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(ITEMS, min_size=1, max_size=4))
def test_responses_are_motos(dynamodb: Any, items: list[dict[str, Any]]) -> None:
    table = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n, item in enumerate(items):
        dynamodb.put_item(TableName=table, Item={**item, "pk": {"S": "p"}, "sk": {"N": str(n)}})
    expected = _read_back(dynamodb, table, items)
    change = serializer_keys.CHANGE
    change.apply()
    try:
        first = _read_back(dynamodb, table, items)
        again = _read_back(dynamodb, table, items)
    finally:
        change.restore()
    dynamodb.delete_table(TableName=table)
    assert first == expected
    assert again == expected
