"""DynamoCatalogStore against moto: the table contract and the conditional write's ordering."""

from __future__ import annotations

import pytest
from upload_catalog.controllers.sequencer import is_newer, normalize_sequencer
from upload_catalog.models import CatalogEntry, Tombstone
from upload_catalog.services.catalog_table import DynamoCatalogStore

from tests.unit.test_sequencer import ORDERED_PAIRS


def entry(sequencer: str, **changes) -> CatalogEntry:
    fields = {
        "bucket": "b",
        "key": "photos/한글 a+b.png",
        "size": 1234,
        "etag": "d41d8cd98f00b204e9800998ecf8427e",
        "content_type": "image/png",
        "declared_content_type": "application/octet-stream",
        "sequencer": normalize_sequencer(sequencer),
        "event_time": "2026-11-25T10:00:00.000Z",
        "width": 640,
        "height": 480,
    }
    return CatalogEntry(**{**fields, **changes})


def get(aws, key: str = "photos/한글 a+b.png") -> dict:
    return aws.dynamodb.get_item(TableName=aws.table, Key={"bucket": {"S": "b"}, "key": {"S": key}})["Item"]


def test_live_entry_follows_the_table_contract(aws) -> None:
    assert DynamoCatalogStore(aws.dynamodb, aws.table).put_if_newer(entry("0A", version_id="v1"))
    assert get(aws) == {
        "bucket": {"S": "b"},
        "key": {"S": "photos/한글 a+b.png"},
        "size": {"N": "1234"},
        "etag": {"S": "d41d8cd98f00b204e9800998ecf8427e"},
        "content_type": {"S": "image/png"},
        "declared_content_type": {"S": "application/octet-stream"},
        "sequencer": {"S": normalize_sequencer("0A")},
        "event_time": {"S": "2026-11-25T10:00:00.000Z"},
        "width": {"N": "640"},
        "height": {"N": "480"},
        "version_id": {"S": "v1"},
        # Attributes of the sparse listing indexes (upload_catalog.catalog_index): live entries only.
        "live_all": {"S": "b"},
        "live_family": {"S": "b#image"},
        "live_type": {"S": "b#image/png"},
        "listed_at": {"S": "2026-11-25T10:00:00.000000Z"},
    }


def test_non_image_has_no_dimensions_and_unknown_declared_type_is_omitted(aws) -> None:
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    store.put_if_newer(
        entry("0A", width=None, height=None, declared_content_type=None, content_type="text/plain")
    )
    item = get(aws)
    assert "width" not in item and "height" not in item and "declared_content_type" not in item


def test_tombstone_follows_the_table_contract(aws) -> None:
    tomb = Tombstone(
        "b", "photos/한글 a+b.png", normalize_sequencer("0B"), "2026-11-25T10:01:00Z", 1790000000
    )
    assert DynamoCatalogStore(aws.dynamodb, aws.table).put_if_newer(tomb)
    assert get(aws) == {
        "bucket": {"S": "b"},
        "key": {"S": "photos/한글 a+b.png"},
        "sequencer": {"S": normalize_sequencer("0B")},
        "event_time": {"S": "2026-11-25T10:01:00Z"},
        "deleted": {"BOOL": True},
        "expires_at": {"N": "1790000000"},
    }


def test_only_a_newer_sequencer_overwrites(aws) -> None:
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    assert store.put_if_newer(entry("5F1", size=1))
    assert not store.put_if_newer(entry("5F10", size=2))  # same sequencer once padded: a duplicate
    assert not store.put_if_newer(entry("5F0F", size=3))  # older
    assert get(aws)["size"] == {"N": "1"}
    tomb = Tombstone("b", "photos/한글 a+b.png", normalize_sequencer("5F11"), "t", 1)
    assert store.put_if_newer(tomb)
    assert not store.put_if_newer(entry("5F10A", size=4))  # a late create cannot resurrect
    assert get(aws)["deleted"] == {"BOOL": True}
    assert not {"live_all", "live_family", "live_type", "listed_at"} & set(get(aws))  # left every index
    assert store.put_if_newer(entry("5F2", size=5))  # a genuinely newer create can
    assert get(aws)["size"] == {"N": "5"}


def test_declared_type_parameters_do_not_split_the_type_index(aws) -> None:
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    store.put_if_newer(
        entry("0A", content_type="Text/Plain; charset=UTF-8", event_time="2026-11-25T10:00:00Z")
    )
    item = get(aws)
    assert item["live_type"] == {"S": "b#text/plain"}
    assert item["live_family"] == {"S": "b#text"}
    assert item["listed_at"] == {"S": "2026-11-25T10:00:00.000000Z"}


@pytest.mark.parametrize(
    ("current", "candidate"),
    [
        (None, "0A"),
        *((a, a) for a, _ in ORDERED_PAIRS),
        ("5F1", "5F100"),
        *ORDERED_PAIRS,
        *((new, old) for old, new in ORDERED_PAIRS),
    ],
)
def test_conditional_write_agrees_with_is_newer(aws, current: str | None, candidate: str) -> None:
    """The in-memory catalog of the unit and property tests orders writes with ``is_newer``: DynamoDB's
    condition must decide every pair the same way, or those tests prove nothing about production."""
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    stored = None if current is None else normalize_sequencer(current)
    if stored is not None:
        assert store.put_if_newer(entry(current, size=1))
    expected = is_newer(normalize_sequencer(candidate), stored)
    written = store.put_if_newer(entry(candidate, size=2))
    assert written == expected, (
        f"DynamoDB wrote={written}, is_newer={expected} for {candidate} over {current}"
    )
