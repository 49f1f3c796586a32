"""moto delivers no event-source mapping itself; samlite hears of every new message and stream record.

`sqs_event_sources`, `dynamodb_streams` and `kinesis_records` (samlite.moto_changes): moto would call
its Docker-based Lambda from inside SendMessage, PutItem and PutRecord; with the changes applied it
does not even look at its mappings, the listeners fire after moto stored the message or record, and
sequence numbers are shaped as AWS's ("Amazon SQS FIFO queue message sequence number": increasing;
Kinesis: 56 digits, increasing within a shard, so text and numeric order agree).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.backends import get_backend

from samlite import moto_changes
from samlite.moto_changes import dynamodb_streams, kinesis_records, sqs_event_sources
from tests.samlite.embedded import changed_moto

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws() -> Iterator[None]:
    with changed_moto():
        yield


def _heard(listeners: Any) -> tuple[list[Any], Any]:
    heard: list[Any] = []
    remove = listeners.add(heard.append)
    return heard, remove


def _no_lambda(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail the test if moto's Lambda backend is asked to deliver anything."""
    calls: list[str] = []
    from moto.awslambda.models import LambdaBackend

    for name in ("send_sqs_batch", "send_dynamodb_items", "send_kinesis_message"):
        monkeypatch.setattr(
            LambdaBackend, name, lambda *a, _name=name, **k: calls.append(_name), raising=True
        )
    return calls


def test_sqs_send_fires_the_listener_and_ignores_a_mapping_moto_holds(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _no_lambda(monkeypatch)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    queue = get_backend("sqs")[ACCOUNT][REGION].queues["work"]
    queue.lambda_event_source_mappings["arn:aws:lambda:us-east-1:123456789012:function:f"] = object()
    assert queue.lambda_event_source_mappings == {}  # moto's assignment is kept nowhere
    heard, remove = _heard(sqs_event_sources.message_added)
    try:
        sqs.send_message(QueueUrl=url, MessageBody="hello")
    finally:
        remove()
    assert heard == [queue]
    assert calls == []
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hello"


def test_fifo_messages_get_increasing_sequence_numbers_even_with_content_based_deduplication(
    aws: None,
) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(
        QueueName="orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sent = [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g") for i in range(5)]
    numbers = [response["SequenceNumber"] for response in sent]
    assert all(len(number) == 20 and number.isdigit() for number in numbers)
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["SequenceNumber"])
    assert [m["Attributes"]["SequenceNumber"] for m in received["Messages"]] == numbers


def test_a_table_write_fires_the_listener_and_the_stream_keeps_its_records(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _no_lambda(monkeypatch)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="items",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    table = get_backend("dynamodb")[ACCOUNT][REGION].tables["items"]
    heard, remove = _heard(dynamodb_streams.record_added)
    try:
        dynamodb.put_item(TableName="items", Item={"id": {"S": "1"}})
        dynamodb.put_item(TableName="items", Item={"id": {"S": "1"}, "n": {"N": "2"}})
        dynamodb.delete_item(TableName="items", Key={"id": {"S": "1"}})
    finally:
        remove()
    assert heard == [table.stream_shard] * 3
    assert [item.record["eventName"] for item in table.stream_shard.items] == ["INSERT", "MODIFY", "REMOVE"]
    assert calls == []


def _put(kinesis: Any, key: str, count: int) -> list[str]:
    return [
        kinesis.put_record(StreamName="clicks", Data=f"{key}{i}".encode(), PartitionKey=key)["SequenceNumber"]
        for i in range(count)
    ]


def test_kinesis_sequence_numbers_have_56_digits_and_sort_as_text_and_numbers(aws: None) -> None:
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    heard, remove = _heard(kinesis_records.record_added)
    try:
        numbers = _put(kinesis, "k", 12)
    finally:
        remove()
    assert len(heard) == 12
    assert all(len(number) == 56 for number in numbers)
    assert numbers == sorted(numbers) == sorted(numbers, key=int)
    assert len(set(numbers)) == 12


def test_get_records_reads_the_reshaped_sequence_numbers(aws: None) -> None:
    """TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER and LATEST iterators work with them."""
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    numbers = _put(kinesis, "k", 4)
    shard = kinesis.list_shards(StreamName="clicks")["Shards"][0]["ShardId"]

    def read(kind: str, number: str | None = None) -> list[str]:
        extra = {"StartingSequenceNumber": number} if number else {}
        iterator = kinesis.get_shard_iterator(
            StreamName="clicks", ShardId=shard, ShardIteratorType=kind, **extra
        )["ShardIterator"]
        return [r["SequenceNumber"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]

    assert read("TRIM_HORIZON") == numbers
    assert read("AT_SEQUENCE_NUMBER", numbers[1]) == numbers[1:]
    assert read("AFTER_SEQUENCE_NUMBER", numbers[1]) == numbers[2:]
    assert read("LATEST") == []


def test_sequence_numbers_increase_within_a_shard_under_concurrent_puts(aws: None) -> None:
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = get_backend("kinesis")[ACCOUNT][REGION].streams["clicks"]
    shard = next(iter(stream.shards.values()))
    threads = [
        threading.Thread(target=lambda: [shard.put_record("k", "ZGF0YQ==", "") for _ in range(50)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = list(shard.records)
    assert len(keys) == 200 and keys == sorted(keys)


def test_a_failing_listener_does_not_fail_the_request(aws: None) -> None:
    def broken(_changed: object) -> None:
        raise RuntimeError("listener bug")

    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    remove = sqs_event_sources.message_added.add(broken)
    try:
        sqs.send_message(QueueUrl=url, MessageBody="still sent")
    finally:
        remove()
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "still sent"


def test_sqs_scans_answer_as_moto_does_with_one_clock_reading(aws: None) -> None:
    """`sqs_scan_cost`: visible, delayed and in-flight messages counted as moto counts them."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="mixed", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    for i in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", DelaySeconds=30 if i < 2 else 0)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
    queue = get_backend("sqs")[ACCOUNT][REGION].queues["mixed"]

    def observed() -> tuple[Any, ...]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        counts = {k: v for k, v in attributes.items() if k.startswith("ApproximateNumber")}
        return (
            [m.id for m in queue.messages],
            queue.approximate_number_of_messages_delayed,
            queue.approximate_number_of_messages_not_visible,
            counts,
        )

    changed = observed()
    moto_changes.restore()
    try:
        original = observed()
    finally:
        moto_changes.apply()
    assert changed == original
    assert changed[1] == 2 and changed[2] == 1 and len(changed[0]) == 3
    assert changed[3]["ApproximateNumberOfMessages"] == "3"
