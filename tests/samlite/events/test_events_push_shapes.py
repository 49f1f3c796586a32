"""SNS and EventBridge events in AWS's shapes.

Pages: "Using Lambda with Amazon SNS" (Lambda developer guide; the event), "Parsing message formats"
(SNS developer guide; the HTTP/SQS document), "Amazon EventBridge events" (the envelope), "Creating a
rule that runs on a schedule" (Scheduled Event), "EventBridge event message structure" (S3 User
Guide; Object Created / Object Deleted)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from samlite.events.eventbridge import eventbridge_event, s3_eventbridge_event, scheduled_event
from samlite.events.sns import SnsMessage, message_for_protocol, sns_envelope, sns_lambda_event

TOPIC = "arn:aws:sns:us-west-2:123456789012:MyTopic"
SUBSCRIPTION = f"{TOPIC}:c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee"
WHEN = datetime(2012, 3, 29, 5, 12, 16, 901000, tzinfo=UTC)


def message(**extra: object) -> SnsMessage:
    return SnsMessage(topic_arn=TOPIC, message="Hello world!", message_id="63a3f6b6", timestamp=WHEN, **extra)  # type: ignore[arg-type]


def test_the_sns_document_is_written_as_sns_writes_it() -> None:
    """Per "Parsing message formats": `"Key" : value` lines, Subject only when given, URLs ...URL."""
    text = sns_envelope(message(subject="Testing"), SUBSCRIPTION)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert lines[1:5] == [
        '  "Type" : "Notification",',
        '  "MessageId" : "63a3f6b6",',
        f'  "TopicArn" : "{TOPIC}",',
        '  "Subject" : "Testing",',
    ]
    assert lines[5:8] == [
        '  "Message" : "Hello world!",',
        '  "Timestamp" : "2012-03-29T05:12:16.901Z",',
        '  "SignatureVersion" : "1",',
    ]
    document = json.loads(text)
    assert document["SigningCertURL"].startswith(
        "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-"
    )
    assert document["UnsubscribeURL"] == (
        f"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={SUBSCRIPTION}"
    )
    assert "Subject" not in json.loads(sns_envelope(message(), SUBSCRIPTION))


def test_message_attributes_close_the_document() -> None:
    text = sns_envelope(
        message(message_attributes={"AttributeName": {"Type": "String", "Value": "AttributeValue"}}),
        SUBSCRIPTION,
    )
    assert text.endswith(
        '  "MessageAttributes" : {\n    "AttributeName" : {"Type":"String","Value":"AttributeValue"}\n  }\n}'
    )


def test_a_fifo_topic_adds_the_sequence_number() -> None:
    assert json.loads(sns_envelope(message(sequence_number="10000000000000003000"), SUBSCRIPTION))[
        "SequenceNumber"
    ] == ("10000000000000003000")


def test_the_lambda_event_has_one_record_per_message() -> None:
    """Per "Using Lambda with Amazon SNS": EventSource aws:sns, EventVersion 1.0, the Sns object."""
    event = sns_lambda_event(message(), SUBSCRIPTION)
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == SUBSCRIPTION
    assert record["Sns"]["SigningCertUrl"].endswith(".pem") and "UnsubscribeUrl" in record["Sns"]
    assert record["Sns"]["Subject"] is None and record["Sns"]["Timestamp"] == "2012-03-29T05:12:16.901Z"


def test_message_structure_json_picks_the_protocols_text() -> None:
    """Publish, MessageStructure: "json": a "default" entry, and optional ones per protocol."""
    texts = json.dumps({"default": "d", "sqs": "q", "lambda": {"an": "object"}})
    assert message_for_protocol(texts, "sqs") == "q"
    assert message_for_protocol(texts, "email") == "d"
    assert json.loads(message_for_protocol(texts, "lambda")) == {"an": "object"}
    with pytest.raises(ValueError, match="No default entry"):
        message_for_protocol('{"sqs": "q"}', "sqs")
    with pytest.raises(ValueError, match="No JSON message body"):
        message_for_protocol("plain", "sqs")


def test_the_eventbridge_envelope() -> None:
    """Per "Amazon EventBridge events": version "0", time in whole seconds with Z."""
    event = eventbridge_event(source="shop", detail_type="Order", detail={"a": 1}, time=WHEN, event_id="e1")
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert (event["version"], event["id"], event["time"]) == ("0", "e1", "2012-03-29T05:12:16Z")


def test_the_scheduled_event() -> None:
    """Per "Creating a rule that runs on a schedule": Scheduled Event, aws.events, the rule in resources."""
    rule = "arn:aws:events:eu-west-1:111122223333:rule/nightly"
    event = scheduled_event(rule, time=WHEN)
    assert (event["detail-type"], event["source"], event["account"], event["region"]) == (
        "Scheduled Event",
        "aws.events",
        "111122223333",
        "eu-west-1",
    )
    assert event["resources"] == [rule] and event["detail"] == {}


def test_s3_object_created_for_eventbridge() -> None:
    """Per "EventBridge event message structure" (S3): the key as is, size, etag, sequencer, reason."""
    event = s3_eventbridge_event(
        "ObjectCreated:Put",
        bucket="b",
        key="a b+c.txt",
        size=5,
        etag="abc",
        version_id="v1",
        sequencer="0055AED6DC",
        request_id="R",
        source_ip="1.2.3.4",
    )
    assert event is not None
    assert (event["source"], event["detail-type"], event["resources"]) == (
        "aws.s3",
        "Object Created",
        ["arn:aws:s3:::b"],
    )
    assert event["detail"] == {
        "version": "0",
        "bucket": {"name": "b"},
        "object": {
            "key": "a b+c.txt",
            "size": 5,
            "etag": "abc",
            "version-id": "v1",
            "sequencer": "0055aed6dc",
        },
        "request-id": "R",
        "requester": "123456789012",
        "source-ip-address": "1.2.3.4",
        "reason": "PutObject",
    }


@pytest.mark.parametrize(
    ("name", "reason", "deletion"),
    [
        ("ObjectRemoved:Delete", "DeleteObject", "Permanently Deleted"),
        ("ObjectRemoved:DeleteMarkerCreated", "DeleteObject", "Delete Marker Created"),
    ],
)
def test_s3_object_deleted_for_eventbridge(name: str, reason: str, deletion: str) -> None:
    """Per "Using EventBridge" (S3): deletion-type Permanently Deleted or Delete Marker Created."""
    event = s3_eventbridge_event(name, bucket="b", key="k", sequencer="1")
    assert event is not None and event["detail-type"] == "Object Deleted"
    assert (event["detail"]["reason"], event["detail"]["deletion-type"]) == (reason, deletion)
    assert "size" not in event["detail"]["object"]


def test_reasons_of_each_creation() -> None:
    reasons = {
        name: s3_eventbridge_event(name, bucket="b", key="k")["detail"]["reason"]  # type: ignore[index]
        for name in ("ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload")
    }
    assert reasons == {
        "ObjectCreated:Post": "POST Object",
        "ObjectCreated:Copy": "CopyObject",
        "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    }
    assert s3_eventbridge_event("ObjectRestore:Post", bucket="b", key="k") is None
