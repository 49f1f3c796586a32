"""Service integrations reach the embedded AWS, as the state machine's role.

The fixture's `Integrations` state machine sends to SQS, publishes to SNS, writes and reads DynamoDB,
puts an EventBridge event and runs the `Child` state machine to its end (`startExecution.sync:2`),
each as an optimized integration ("Integrating services with Step Functions" in the developer
guide: SQS SendMessage, SNS Publish, DynamoDB PutItem / GetItem, EventBridge PutEvents, "Start a new
AWS Step Functions state machine execution": `.sync:2` returns the child's output as JSON).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.services.stepfunctions.conftest import details, history, run


def _receive(cloud: LocalCloud, queue_url: str, timeout: float = 20.0) -> list[dict[str, Any]]:
    sqs = cloud.client("sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            return list(messages)
    return []


@pytest.fixture(scope="module")
def listener(states_cloud: LocalCloud) -> str:
    """A queue subscribed to the fixture's topic, so a published message can be seen."""
    sqs, sns = states_cloud.client("sqs"), states_cloud.client("sns")
    url = sqs.create_queue(QueueName=f"alerts-listener-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=states_cloud.stack.resources["Alerts"].ref,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return str(url)


@pytest.fixture(scope="module")
def integrated(
    states_cloud: LocalCloud, sfn: Any, listener: str
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    item = uuid.uuid4().hex
    described = run(states_cloud, sfn, "Integrations", {"id": item})
    return item, described, history(sfn, described["executionArn"])


def test_every_integration_succeeds(integrated: Any) -> None:
    _, described, events = integrated
    assert described["status"] == "SUCCEEDED", described
    succeeded = [
        (details(e)["resourceType"], details(e)["resource"]) for e in events if e["type"] == "TaskSucceeded"
    ]
    assert succeeded == [
        ("sqs", "sendMessage"),
        ("sns", "publish"),
        ("dynamodb", "putItem"),
        ("dynamodb", "getItem"),
        ("events", "putEvents"),
        ("states", "startExecution.sync:2"),
    ]


def test_sqs_send_message_puts_the_message_in_the_queue(states_cloud: LocalCloud, integrated: Any) -> None:
    item, described, _ = integrated
    messages = _receive(states_cloud, states_cloud.stack.resources["Outbox"].ref)
    assert [json.loads(m["Body"]) for m in messages] == [{"id": item}]
    assert json.loads(described["output"])["sqs"]["MessageId"] == messages[0]["MessageId"]


def test_sns_publish_reaches_the_topics_subscribers(
    states_cloud: LocalCloud, integrated: Any, listener: str
) -> None:
    item, described, _ = integrated
    messages = _receive(states_cloud, listener)
    assert [m["Body"] for m in messages] == [item]
    assert json.loads(described["output"])["sns"]["MessageId"]


def test_dynamodb_put_item_writes_the_table_and_get_item_reads_it(
    states_cloud: LocalCloud, integrated: Any
) -> None:
    item, described, _ = integrated
    stored = states_cloud.client("dynamodb").get_item(
        TableName=states_cloud.stack.resources["Items"].ref, Key={"id": {"S": item}}
    )
    assert stored["Item"] == {"id": {"S": item}}
    assert json.loads(described["output"])["stored"] == {"id": item}


def test_eventbridge_put_events_is_accepted(integrated: Any) -> None:
    _, described, events = integrated
    assert json.loads(described["output"])["events"] == {"failed": 0}
    scheduled = next(
        e for e in events if e["type"] == "TaskScheduled" and details(e)["resourceType"] == "events"
    )
    entry = json.loads(details(scheduled)["parameters"])["Entries"][0]
    assert (entry["Source"], entry["DetailType"]) == ("samlite.tests", "Item stored")


def test_a_nested_execution_runs_to_its_end_and_gives_its_output(
    states_cloud: LocalCloud, sfn: Any, integrated: Any
) -> None:
    _, described, events = integrated
    assert json.loads(described["output"])["child"] == {"output": {"value": 42}}  # .sync:2: JSON output
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")
    child_arn = json.loads(details(submitted)["output"])["ExecutionArn"]
    child = sfn.describe_execution(executionArn=child_arn)
    assert child["stateMachineArn"] == states_cloud.stack.resources["Child"].ref
    assert (child["status"], json.loads(child["output"])) == ("SUCCEEDED", {"value": 42})
