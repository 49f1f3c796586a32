"""The page-sized Query's sorted lists exist from a table's first write, so the first Query after a
table was loaded reads a page, not the table; Query answers stay moto's (checked both ways)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from samlite.moto_changes import dynamodb_query
from tests.samlite.catalog_table import catalog_item, create_catalog_table, live_page
from tests.samlite.embedded import changed_moto


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with changed_moto():
        yield boto3.client("dynamodb", region_name="us-east-1")


def test_the_lists_are_kept_from_the_first_write_and_the_first_query_reads_them(dynamodb: Any) -> None:
    from moto.dynamodb.models import dynamodb_backends

    name = create_catalog_table(dynamodb, f"t-{uuid.uuid4().hex[:8]}")
    for n in range(30):
        dynamodb.put_item(TableName=name, Item=catalog_item(f"k{n:03d}", live=bool(n % 3)))
    table = dynamodb_backends["123456789012"]["us-east-1"].get_table(name)
    views = table._samlite_query_state.views
    assert set(views) == {None, "live-by-key"}, "both lists are kept before any Query"
    index = views["live-by-key"]
    assert sum(len(part) for part in index.partitions.values()) == 20, "sparse: only listed items"

    query = live_page(name, 7)
    before = dynamodb_query.stats()
    fast = dynamodb.query(**query)
    assert dynamodb_query.stats().fast == before.fast + 1
    assert table._samlite_query_state.views["live-by-key"] is index, "not rebuilt by the Query"
    with dynamodb_query.moto_query_only():
        own = dynamodb.query(**query)
    for response in (fast, own):
        response.pop("ResponseMetadata")
    assert fast == own
