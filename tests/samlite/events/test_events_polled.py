"""The events of Lambda's event-source mappings, in AWS's shapes, and `samlite generate-event` for them.

Shapes: AWS Lambda Developer Guide, "Using Lambda with Amazon SQS" (standard and FIFO example events),
"Using AWS Lambda with Amazon DynamoDB" (example event; `SizeBytes` 26, 59 and 38 for its three
records), "Using AWS Lambda with Amazon Kinesis" (example event); "Calculating the MD5 message digest
for message attributes" (Amazon SQS Developer Guide).
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from moto.sqs.models import Message

import samlite.cli
from samlite.events.dynamodb import dynamodb_record, item_size
from samlite.events.kinesis import kinesis_record
from samlite.events.sqs import SqsMessage, message_attributes_md5, sqs_record

QUEUE_ARN = "arn:aws:sqs:us-east-2:123456789012:my-queue"


def _message(**changes: object) -> SqsMessage:
    fields: dict[str, object] = {
        "message_id": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receipt_handle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": "Test message.",
        "sent_timestamp_ms": 1545082649183,
        "first_receive_timestamp_ms": 1545082649185,
        "receive_count": 1,
        "sender_id": "AIDAIENQZJOLO23YVJ4VO",
    }
    fields.update(changes)
    return SqsMessage(**fields)  # type: ignore[arg-type]


def test_a_standard_queue_record_is_the_documented_one() -> None:
    record = sqs_record(_message(), queue_arn=QUEUE_ARN, region="us-east-2")
    assert record == {
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": "Test message.",
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1545082649185",
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-2",
    }
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]


def test_a_fifo_record_carries_sequence_group_and_deduplication_in_the_documented_order() -> None:
    message = _message(sequence_number="18849496460467696128", group_id="1", deduplication_id="1")
    attributes = sqs_record(message, queue_arn=QUEUE_ARN + ".fifo", region="us-east-2")["attributes"]
    assert list(attributes.items()) == [
        ("ApproximateReceiveCount", "1"),
        ("SentTimestamp", "1545082649183"),
        ("SequenceNumber", "18849496460467696128"),
        ("MessageGroupId", "1"),
        ("SenderId", "AIDAIENQZJOLO23YVJ4VO"),
        ("MessageDeduplicationId", "1"),
        ("ApproximateFirstReceiveTimestamp", "1545082649185"),
    ]


def test_message_attributes_are_in_lambdas_shape_with_the_md5_sqs_computes() -> None:
    attributes = {
        "req-id": {"DataType": "String", "StringValue": "24479a02"},
        "count": {"DataType": "Number", "StringValue": "7"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    moto_message = Message("id", "body")
    moto_message.message_attributes = attributes
    md5 = message_attributes_md5(attributes)
    assert md5 == moto_message.attribute_md5  # the same digest SQS returns as MD5OfMessageAttributes
    record = sqs_record(
        _message(message_attributes=attributes, md5_of_message_attributes=md5),
        queue_arn=QUEUE_ARN,
        region="r",
    )
    assert record["messageAttributes"] == {
        "req-id": {
            "stringValue": "24479a02",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "count": {"stringValue": "7", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
        "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
    }
    assert record["md5OfMessageAttributes"] == md5


def test_the_trace_header_is_an_attribute_when_the_message_has_one() -> None:
    record = sqs_record(_message(trace_header="Root=1-5e1b4151-5ac6c58f"), queue_arn=QUEUE_ARN, region="r")
    assert record["attributes"]["AWSTraceHeader"] == "Root=1-5e1b4151-5ac6c58f"


STREAM_ARN = "arn:aws:dynamodb:us-west-2:111122223333:table/TestTable/stream/2015-05-11T21:21:33.291"


def test_dynamodb_records_carry_the_images_their_view_type_keeps() -> None:
    keys = {"Id": {"N": "101"}}
    new = {"Message": {"S": "New item!"}, "Id": {"N": "101"}}
    old = {"Message": {"S": "Old"}, "Id": {"N": "101"}}
    common = {
        "event_id": "1",
        "event_name": "MODIFY",
        "keys": keys,
        "new_image": new,
        "old_image": old,
        "sequence_number": "111",
        "size_bytes": 26,
        "created_epoch_s": 1428537600.9,
        "stream_arn": STREAM_ARN,
        "region": "us-west-2",
    }
    both = dynamodb_record(**common, view_type="NEW_AND_OLD_IMAGES")
    assert both == {
        "eventID": "1",
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-west-2",
        "dynamodb": {
            "ApproximateCreationDateTime": 1428537600,
            "Keys": keys,
            "NewImage": new,
            "OldImage": old,
            "SequenceNumber": "111",
            "SizeBytes": 26,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }
    assert "OldImage" not in dynamodb_record(**common, view_type="NEW_IMAGE")["dynamodb"]
    assert "NewImage" not in dynamodb_record(**common, view_type="OLD_IMAGE")["dynamodb"]
    keys_only = dynamodb_record(**common, view_type="KEYS_ONLY")["dynamodb"]
    assert "NewImage" not in keys_only and "OldImage" not in keys_only
    with pytest.raises(ValueError, match="eventName"):
        dynamodb_record(**{**common, "event_name": "UPSERT"}, view_type="NEW_IMAGE")


def test_size_bytes_follows_dynamodbs_item_size_as_in_the_documented_event() -> None:
    keys = {"Id": {"N": "101"}}
    assert item_size(keys, {"Message": {"S": "New item!"}, "Id": {"N": "101"}}) == 26
    assert (
        item_size(
            keys,
            {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}},
            {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
        )
        == 59
    )
    assert item_size(keys, {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}}) == 38


def test_a_kinesis_record_is_the_documented_one() -> None:
    record = kinesis_record(
        shard_id="shardId-000000000006",
        sequence_number="49590338271490256608559692538361571095921575989136588898",
        partition_key="1",
        data_base64="SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
        arrival_epoch_s=1545084650.9871234,
        stream_arn="arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
        region="us-east-2",
        invoke_identity_arn="arn:aws:iam::123456789012:role/lambda-role",
    )
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "1",
            "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
            "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
            "approximateArrivalTimestamp": 1545084650.987,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "awsRegion": "us-east-2",
        "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
    }


# -- samlite generate-event ---------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert samlite.cli.main(["generate-event", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_generate_sqs_one_record_per_body(capsys: pytest.CaptureFixture[str]) -> None:
    event = run(
        capsys,
        "sqs",
        "receive-message",
        "--body",
        '{"a": 1}',
        "--body",
        "two",
        "--queue-name",
        "jobs",
        "--region",
        "eu-west-1",
        "--account-id",
        "111122223333",
        "--attribute",
        "kind=x",
    )
    first, second = event["Records"]
    assert first["body"] == '{"a": 1}' and second["body"] == "two"
    assert first["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:jobs"
    assert first["md5OfBody"] == hashlib.md5(b'{"a": 1}').hexdigest()
    assert first["messageAttributes"]["kind"]["stringValue"] == "x"
    assert first["messageId"] != second["messageId"]
    assert "MessageGroupId" not in first["attributes"]


def test_generate_sqs_fifo(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = run(capsys, "sqs", "receive-message", "--body", "a", "--body", "b", "--group-id", "g")[
        "Records"
    ]
    assert first["eventSourceARN"].endswith(":my-queue.fifo")
    assert first["attributes"]["MessageGroupId"] == "g"
    assert first["attributes"]["SequenceNumber"] < second["attributes"]["SequenceNumber"]


def test_generate_dynamodb_insert_modify_remove(capsys: pytest.CaptureFixture[str]) -> None:
    records = run(capsys, "dynamodb", "update", "--table", "Orders", "--keys", '{"pk": {"S": "o1"}}')[
        "Records"
    ]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert "NewImage" in insert and "OldImage" not in insert
    assert "NewImage" in modify and "OldImage" in modify
    assert "OldImage" in remove and "NewImage" not in remove
    assert all(r["dynamodb"]["Keys"] == {"pk": {"S": "o1"}} for r in records)
    assert records[0]["eventSourceARN"].startswith(
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/"
    )
    assert [r["dynamodb"]["SequenceNumber"] for r in records] == sorted(
        r["dynamodb"]["SequenceNumber"] for r in records
    )


def test_generate_dynamodb_refuses_an_item_that_is_not_dynamodb_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        samlite.cli.main(["generate-event", "dynamodb", "update", "--new-image", '{"a": 1}'])
    assert exit_info.value.code == 2
    assert "--new-image" in capsys.readouterr().err


def test_generate_kinesis_encodes_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    records = run(
        capsys,
        "kinesis",
        "get-records",
        "--data",
        '{"t": 1}',
        "--data",
        "x",
        "--partition-key",
        "pk",
        "--stream",
        "clicks",
        "--shard",
        "3",
    )["Records"]
    assert [base64.b64decode(r["kinesis"]["data"]).decode() for r in records] == ['{"t": 1}', "x"]
    assert records[0]["eventID"].startswith("shardId-000000000003:")
    assert records[0]["kinesis"]["partitionKey"] == "pk"
    assert records[0]["eventSourceARN"] == "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    sequence_numbers = [r["kinesis"]["sequenceNumber"] for r in records]
    assert all(len(n) == 56 for n in sequence_numbers) and sequence_numbers == sorted(sequence_numbers)
