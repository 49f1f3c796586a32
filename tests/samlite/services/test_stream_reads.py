"""Tables' streams and Kinesis streams as Lambda's pollers read them, from real writes to moto.

"Using AWS Lambda with Amazon DynamoDB" (the record, each StreamViewType's images: "Change data
capture for DynamoDB Streams" in the DynamoDB Developer Guide) and "Using AWS Lambda with Amazon
Kinesis" (the record: data as put, sequence number, arrival time, invokeIdentityArn).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from samlite.services.dynamodb.stream_reads import TableStream
from samlite.services.kinesis.stream_reads import DataStream
from samlite.services.stream_records import SourceGone
from tests.samlite.embedded import Endpoint, client, create_pk_table, running_endpoint

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=False) as started:
        yield started


def _table(endpoint: Endpoint, view_type: str) -> tuple[Any, TableStream]:
    dynamodb = client(endpoint.aws, "dynamodb")
    name = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )
    arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}/stream/2024-01-01T00:00:00.000"
    return dynamodb, TableStream(endpoint.aws, name, arn)


def _write(dynamodb: Any, stream: TableStream) -> None:
    table = stream.table_name
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    dynamodb.put_item(TableName=table, Item={**key, "v": {"S": "one"}})
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "two"}},
    )
    dynamodb.delete_item(TableName=table, Key=key)


@pytest.mark.parametrize(
    ("view_type", "images"),
    [
        ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
        ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
        ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
        ("KEYS_ONLY", [set(), set(), set()]),
    ],
)
def test_table_writes_become_records_with_the_images_of_the_view_type(
    endpoint: Endpoint, view_type: str, images: list[set[str]]
) -> None:
    dynamodb, stream = _table(endpoint, view_type)
    before = time.time()
    _write(dynamodb, stream)
    (shard,) = stream.shard_ids()
    records = stream.read(shard, 0, 10)
    assert [r.record["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record, expected in zip(records, images, strict=True):
        body = record.record["dynamodb"]
        assert {"NewImage", "OldImage"} & set(body) == expected
        assert body["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
        assert body["StreamViewType"] == view_type
        assert body["SequenceNumber"] == record.sequence_text
        assert body["SizeBytes"] > 0
        assert int(before) <= body["ApproximateCreationDateTime"] <= time.time()
        assert record.record["eventSourceARN"] == stream.arn and record.record["awsRegion"] == "us-east-1"
        assert record.record["eventVersion"] == "1.1" and record.record["eventSource"] == "aws:dynamodb"
        assert record.partition_key == '{"S": "a"}'
    if view_type == "NEW_AND_OLD_IMAGES":
        assert records[1].record["dynamodb"]["OldImage"]["v"] == {"S": "one"}
        assert records[1].record["dynamodb"]["NewImage"]["v"] == {"S": "two"}
    numbers = [r.sequence_number for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_the_records_are_the_ones_dynamodb_streams_get_records_returns(endpoint: Endpoint) -> None:
    dynamodb, stream = _table(endpoint, "NEW_IMAGE")
    _write(dynamodb, stream)
    streams = client(endpoint.aws, "dynamodbstreams")
    arn = dynamodb.describe_table(TableName=stream.table_name)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )
    served = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    polled = stream.read(stream.shard_ids()[0], 0, 10)
    assert [r["dynamodb"]["SequenceNumber"] for r in served] == [r.sequence_text for r in polled]
    assert [r["eventID"] for r in served] == [r.record["eventID"] for r in polled]


def test_positions_in_a_table_stream(endpoint: Endpoint) -> None:
    dynamodb, stream = _table(endpoint, "KEYS_ONLY")
    (shard,) = stream.shard_ids()
    empty_latest = stream.latest(shard)
    _write(dynamodb, stream)
    records = stream.read(shard, 0, 10)
    assert stream.read(shard, empty_latest, 10) == records  # LATEST on an empty stream: all that came
    assert stream.latest(shard) == records[-1].sequence_number
    assert stream.read(shard, records[0].sequence_number, 1) == records[1:2]
    assert stream.read(shard, stream.latest(shard), 10) == []


def test_a_table_without_a_stream_has_no_shard_and_a_missing_table_is_gone(endpoint: Endpoint) -> None:
    dynamodb = client(endpoint.aws, "dynamodb")
    name = f"plain-{uuid.uuid4().hex[:8]}"
    create_pk_table(dynamodb, name)
    assert TableStream(endpoint.aws, name, "arn").shard_ids() == []
    with pytest.raises(SourceGone):
        TableStream(endpoint.aws, "no-such-table", "arn").shard_ids()


def _kinesis(endpoint: Endpoint, shards: int = 2) -> tuple[Any, DataStream]:
    kinesis = client(endpoint.aws, "kinesis")
    name = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    return kinesis, DataStream(endpoint.aws, name, arn, invoke_identity_arn=f"arn:aws:iam::{ACCOUNT}:role/r")


def test_kinesis_records_as_lambda_delivers_them(endpoint: Endpoint) -> None:
    kinesis, stream = _kinesis(endpoint, shards=1)
    before = time.time()
    put = kinesis.put_record(StreamName=stream.stream_name, Data=b'{"n": 1}', PartitionKey="user-1")
    (record,) = stream.read(put["ShardId"], 0, 10)
    assert record.sequence_text == put["SequenceNumber"]
    assert record.record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "user-1",
            "sequenceNumber": put["SequenceNumber"],
            "data": base64.b64encode(b'{"n": 1}').decode(),
            "approximateArrivalTimestamp": record.record["kinesis"]["approximateArrivalTimestamp"],
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{put['ShardId']}:{put['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/r",
        "awsRegion": "us-east-1",
        "eventSourceARN": stream.arn,
    }
    assert before - 1 <= record.arrival <= time.time() + 1
    assert record.partition_key == "user-1"


def test_kinesis_records_go_to_shards_by_partition_key_and_read_in_order(endpoint: Endpoint) -> None:
    kinesis, stream = _kinesis(endpoint, shards=2)
    entries = [
        {"Data": f"{key}-{i}".encode(), "PartitionKey": key} for i in range(5) for key in ("a", "b", "c", "d")
    ]
    kinesis.put_records(StreamName=stream.stream_name, Records=entries)
    shards = stream.shard_ids()
    assert len(shards) == 2
    seen = []
    for shard in shards:
        records = stream.read(shard, 0, 100)
        numbers = [r.sequence_number for r in records]
        assert numbers == sorted(numbers)
        seen += [base64.b64decode(r.record["kinesis"]["data"]).decode() for r in records]
        for key in {r.partition_key for r in records}:
            mine = [
                base64.b64decode(r.record["kinesis"]["data"]).decode()
                for r in records
                if r.partition_key == key
            ]
            assert mine == [f"{key}-{i}" for i in range(5)]
    assert sorted(seen) == sorted(e["Data"].decode() for e in entries)


def test_kinesis_positions_latest_and_at_timestamp(endpoint: Endpoint) -> None:
    kinesis, stream = _kinesis(endpoint, shards=1)
    (shard,) = stream.shard_ids()
    assert stream.latest(shard) == 0
    kinesis.put_record(StreamName=stream.stream_name, Data=b"early", PartitionKey="k")
    time.sleep(0.05)
    middle = time.time()
    kinesis.put_record(StreamName=stream.stream_name, Data=b"late", PartitionKey="k")
    first, second = stream.read(shard, 0, 10)
    assert stream.latest(shard) == second.sequence_number
    assert stream.before(shard, middle) == first.sequence_number
    assert stream.read(shard, stream.before(shard, middle), 10) == [second]
    assert stream.before(shard, 0) == 0


def test_an_emptied_kinesis_stream_keeps_numbering_upwards(endpoint: Endpoint) -> None:
    kinesis, stream = _kinesis(endpoint, shards=1)
    (shard,) = stream.shard_ids()
    kinesis.put_record(StreamName=stream.stream_name, Data=b"1", PartitionKey="k")
    position = stream.latest(shard)
    for moto_shard in endpoint.aws.backend("kinesis").streams[stream.stream_name].shards.values():
        moto_shard.records.clear()  # what a reset does
    assert stream.read(shard, 0, 10) == []
    kinesis.put_record(StreamName=stream.stream_name, Data=b"2", PartitionKey="k")
    (after,) = stream.read(shard, position, 10)
    assert after.sequence_number > position
