"""The statistics on moto: the stream function over the real catalog table's stream records
(``NEW_AND_OLD_IMAGES``), transactions that apply all or nothing, and GET /stats's reads."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

import boto3
import pytest
from upload_catalog.controllers.stats_updates import StatsUpdater
from upload_catalog.models import CatalogEntry, Tombstone
from upload_catalog.services.catalog_table import DynamoCatalogStore
from upload_catalog.services.stats_table import DynamoStatsReader, DynamoStatsStore
from upload_catalog.stats_keys import ALL
from upload_catalog.stats_models import Contribution, ItemChange, MarkerWrite

from tests.template.sam_template import create_table, load_template
from tests.unit.stats_fakes import catalog_image, stream_record

HANDLER = "upload_catalog.handlers.stats"


@pytest.fixture
def stats_table(aws) -> str:
    return create_table(aws.dynamodb, load_template(), "CatalogStatsTable", "upload-catalog-test-stats")


@pytest.fixture
def handler(aws, stats_table, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("STATS_TABLE", stats_table)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    return importlib.import_module(HANDLER)


def stream_records(aws) -> list[dict[str, Any]]:
    """Every record of the catalog table's stream, shaped as Lambda delivers them."""
    # moto routes DynamoDB Streams only on a path of "/", which botocore's default endpoint lacks.
    streams = boto3.client(
        "dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com/"
    )
    arn = aws.dynamodb.describe_table(TableName=aws.table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            record["dynamodb"].pop("ApproximateCreationDateTime", None)  # a datetime from boto3
            records.append({**record, "eventSourceARN": arn})
    return records


def entry(aws, key: str, size: int, content_type: str, sequencer: str) -> CatalogEntry:
    return CatalogEntry(
        aws.bucket, key, size, "e", content_type, None, sequencer.ljust(64, "0"), "2026-11-25T10:00:00Z"
    )


def test_the_catalog_streams_records_that_keep_the_totals(aws, handler, stats_table) -> None:
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    store.put_if_newer(entry(aws, "photos/a.png", 100, "image/png", "1"))
    store.put_if_newer(entry(aws, "photos/b.txt", 7, "text/plain", "1"))
    store.put_if_newer(entry(aws, "c.png", 20, "image/png", "1"))
    store.put_if_newer(entry(aws, "photos/a.png", 150, "image/png", "2"))  # overwritten
    store.put_if_newer(
        Tombstone(aws.bucket, "c.png", "2".ljust(64, "0"), "2026-11-25T10:00:01Z", 2_000_000_000)
    )
    records = stream_records(aws)
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "INSERT", "MODIFY", "MODIFY"]

    assert handler.handle({"Records": records}, None) == {"batchItemFailures": []}
    assert handler.handle({"Records": records[1:]}, None) == {"batchItemFailures": []}  # a replay

    reader = DynamoStatsReader(aws.dynamodb, stats_table)
    assert (reader.totals((aws.bucket, ALL, ALL)).objects, reader.totals((aws.bucket, ALL, ALL)).bytes) == (
        2,
        157,
    )
    photos = reader.prefix(aws.bucket, "photos/", 10)
    assert (photos.total.objects, photos.total.bytes) == (2, 157)
    assert {f: (t.objects, t.bytes) for f, t in photos.families.items()} == {
        "image": (1, 150),
        "text": (1, 7),
    }
    keyless = reader.totals((aws.bucket, "", "image"))  # c.png is a tombstone now
    assert keyless is None or keyless.objects == 0


def test_a_transaction_with_a_stale_marker_changes_nothing(aws, stats_table) -> None:
    store = DynamoStatsStore(aws.dynamodb, stats_table)
    counted = Contribution(aws.bucket, "p/", "image", 5)
    first = MarkerWrite(ItemChange(aws.bucket, "p/k", 10, counted), None)
    assert store.commit([first], {(aws.bucket, ALL, ALL): (1, 5)})
    assert not store.commit([first], {(aws.bucket, ALL, ALL): (1, 5)})  # its marker exists now
    assert store.markers([(aws.bucket, "p/k"), (aws.bucket, "other")]) == {
        (aws.bucket, "p/k"): store.markers([(aws.bucket, "p/k")])[(aws.bucket, "p/k")]
    }
    marker = store.markers([(aws.bucket, "p/k")])[(aws.bucket, "p/k")]
    assert (marker.sequence, marker.contribution) == (10, counted)
    totals = DynamoStatsReader(aws.dynamodb, stats_table).totals((aws.bucket, ALL, ALL))
    assert (totals.objects, totals.bytes) == (1, 5)


def test_sequence_numbers_beyond_a_numbers_precision_keep_their_order(aws, stats_table) -> None:
    """Stream sequence numbers have up to 40 digits (Amazon DynamoDB Streams API Reference, StreamRecord):
    more than a DynamoDB number holds exactly."""
    updater = StatsUpdater(DynamoStatsStore(aws.dynamodb, stats_table))
    big = 10**39
    new = stream_record(big + 2, "k", None, catalog_image("k", 9, bucket=aws.bucket), bucket=aws.bucket)
    old = stream_record(big + 1, "k", None, catalog_image("k", 4, bucket=aws.bucket), bucket=aws.bucket)
    new["dynamodb"]["SequenceNumber"] = str(big + 2)
    old["dynamodb"]["SequenceNumber"] = str(big + 1)
    updater.handle({"Records": [new]})
    updater.handle({"Records": [old]})
    totals = DynamoStatsReader(aws.dynamodb, stats_table).totals((aws.bucket, ALL, ALL))
    assert (totals.objects, totals.bytes) == (1, 9)


def test_a_full_transaction_of_keys_fits_dynamodbs_limit(aws, stats_table) -> None:
    """14 keys that each change family and prefix: 14 markers and 85 totals, within the 100 actions of a
    transaction (Amazon DynamoDB Developer Guide, "TransactWriteItems")."""
    updater = StatsUpdater(DynamoStatsStore(aws.dynamodb, stats_table))
    keys = [f"p{n}/k" for n in range(14)]
    created = [
        stream_record(n + 1, k, None, catalog_image(k, 1, "image/png", bucket=aws.bucket), bucket=aws.bucket)
        for n, k in enumerate(keys)
    ]
    assert updater.handle({"Records": created}) == {"batchItemFailures": []}
    moved = [
        stream_record(
            100 + n,
            k,
            catalog_image(k, 1, "image/png", bucket=aws.bucket),
            catalog_image(k, 2, f"type{n}/x", bucket=aws.bucket),
            bucket=aws.bucket,
        )
        for n, k in enumerate(keys)
    ]
    assert updater.handle({"Records": moved}) == {"batchItemFailures": []}
    totals = DynamoStatsReader(aws.dynamodb, stats_table).totals((aws.bucket, ALL, ALL))
    assert (totals.objects, totals.bytes) == (14, 28)
