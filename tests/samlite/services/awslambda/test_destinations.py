"""Destinations and dead-letter queues: message shapes and delivery through moto's backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.destinations import dlq_message, invocation_record, record_message
from samlite.services.targets import MotoTargets, OutboundMessage

ACCOUNT = "123456789012"
REGION = "us-east-1"


def test_dlq_message_is_the_event_with_three_attributes_and_a_1kb_error_message() -> None:
    message = dlq_message(b'{"a": 1}', "req-1", 200, "x" * 5000)
    assert message.body == '{"a": 1}'
    assert set(message.attributes) == {"RequestID", "ErrorCode", "ErrorMessage"}
    assert message.attributes["ErrorCode"].data_type == "Number"
    assert len(message.attributes["ErrorMessage"].value.encode()) == 1024


def test_invocation_record_has_the_documented_fields() -> None:
    result = InvocationResult(
        request_id="x", payload=b'{"errorMessage": "e", "errorType": "T"}', error_type="T"
    )
    record = invocation_record(
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        request_id="req-1",
        condition="RetriesExhausted",
        invoke_count=3,
        event=b'{"in": true}',
        result=result,
        timestamp=datetime(2019, 11, 14, 18, 16, 5, 568000, tzinfo=UTC),
    )
    assert record == {
        "version": "1.0",
        "timestamp": "2019-11-14T18:16:05.568Z",
        "requestContext": {
            "requestId": "req-1",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"in": True},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "e", "errorType": "T"},
    }
    assert record_message(record).detail_type == "Lambda Function Invocation Result - Failure"


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_sqs_target_gets_body_and_message_attributes(aws) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    logs: list[str] = []
    send = MotoTargets(account_id=ACCOUNT, log=logs.append)
    send(f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq", dlq_message(b'{"e": 1}', "req-9", 200, "bad"))
    [msg] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert msg["Body"] == '{"e": 1}'
    assert msg["MessageAttributes"]["RequestID"] == {"StringValue": "req-9", "DataType": "String"}
    assert msg["MessageAttributes"]["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert logs == []


def test_sns_target_reaches_a_subscribed_queue(aws) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    url = sqs.create_queue(QueueName="sub")["QueueUrl"]
    topic = sns.create_topic(Name="failures")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:sub")
    MotoTargets(account_id=ACCOUNT, log=print)(topic, OutboundMessage(body='{"x": 1}'))
    [msg] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(msg["Body"])["Message"] == '{"x": 1}'


def test_lambda_target_is_an_async_invocation_of_that_function() -> None:
    fn = FunctionSpec(
        logical_id="F", function_name="f", handler="h.h", runtime="python3.11", code_uri=Path(".")
    )
    calls: list[tuple[FunctionSpec, bytes]] = []
    send = MotoTargets(
        account_id=ACCOUNT,
        log=print,
        invoke_function=lambda spec, body: calls.append((spec, body)),
        function_for_arn=lambda arn: fn if arn.endswith(":function:f") else None,
    )
    send(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f", OutboundMessage(body="{}"))
    assert calls == [(fn, b"{}")]


def test_undeliverable_targets_are_logged_not_raised(aws) -> None:
    logs: list[str] = []
    send = MotoTargets(account_id=ACCOUNT, log=logs.append)
    send(f"arn:aws:sqs:{REGION}:{ACCOUNT}:missing", OutboundMessage(body="{}"))
    send("not-an-arn", OutboundMessage(body="{}"))
    send(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f", OutboundMessage(body="{}"))
    send(f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s", OutboundMessage(body="{}"))
    assert len(logs) == 4
    assert "missing" in logs[0]
    assert "not an ARN" in logs[1]
    assert "not wired" in logs[2]
    assert "unsupported target service 'kinesis'" in logs[3]
