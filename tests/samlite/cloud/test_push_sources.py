"""Pushed triggers end to end on a small fixture template: one function per trigger type, real
workers, IAM on, real HTTP (tests/samlite/push_fixtures/template.yaml).

SNS ("Using Lambda with Amazon SNS", "Amazon SNS message filtering", "Amazon SNS raw message
delivery"), EventBridge ("Amazon EventBridge rules", "Transforming target input"; S3's "Using
EventBridge"), schedules ("Schedule expressions for rules", EventBridge Scheduler "Adding context
attributes"), and Lambda's "Asynchronous invocation" (retries, then the DLQ) for all of them.
One cloud serves the module; each test resets it first.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.cli.trigger import trigger_over_http
from samlite.cloud.local_cloud import LocalCloud, LocalCloudError
from samlite.iam.function_credentials import FunctionCredentials
from tests.samlite.embedded import running_project

FIXTURE = Path(__file__).resolve().parents[1] / "push_fixtures"


@pytest.fixture(scope="module")
def lines() -> list[tuple[str, str]]:
    return []


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str]]) -> Iterator[LocalCloud]:
    project = tmp_path_factory.mktemp("push_project")
    sink = lambda source, line: lines.append((source, line))  # noqa: E731
    with running_project(FIXTURE, project, stack="push", log_sink=sink) as started:
        yield started


@pytest.fixture
def clean(cloud: LocalCloud) -> LocalCloud:
    cloud.reset()
    return cloud


def messages(cloud: LocalCloud, output: str) -> list[dict[str, Any]]:
    found = cloud.client("sqs").receive_message(
        QueueUrl=cloud.outputs[output], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return found.get("Messages", [])


def publish(cloud: LocalCloud, message: str, **attributes: str) -> str:
    return cloud.client("sns").publish(
        TopicArn=cloud.outputs["TopicArn"],
        Message=message,
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
        },
    )["MessageId"]


def test_an_sns_message_reaches_the_function_that_accepts_it_and_both_queues(clean: LocalCloud) -> None:
    cloud = clean
    message_id = publish(cloud, "hello", color="dark-red")
    assert cloud.wait_idle(30)
    [invocation] = cloud.invocations("SnsFunction")
    assert invocation.source == "sns" and invocation.result.error_type is None
    assert invocation.trigger == cloud.stack.resources["SnsFunctionColors"].ref
    sns = invocation.event["Records"][0]["Sns"]
    assert (sns["MessageId"], sns["Message"]) == (message_id, "hello")
    assert sns["MessageAttributes"] == {"color": {"Type": "String", "Value": "dark-red"}}
    assert cloud.invocations("BodyFunction") == []
    assert any(
        "filtered out by the FilterPolicy (MessageBody)" in line for line in cloud.log_lines("BodyFunction")
    )
    assert [m["Body"] for m in messages(cloud, "RawQueueUrl")] == ["hello"]
    [envelope] = messages(cloud, "EnvelopeQueueUrl")
    assert json.loads(envelope["Body"])["MessageId"] == message_id


def test_a_message_body_filter_policy(clean: LocalCloud) -> None:
    cloud = clean
    cloud.client("sns").publish(
        TopicArn=cloud.outputs["TopicArn"], Message=json.dumps({"order": {"total": 250}})
    )
    cloud.client("sns").publish(
        TopicArn=cloud.outputs["TopicArn"], Message=json.dumps({"order": {"total": 5}})
    )
    assert cloud.wait_idle(30)
    bodies = [json.loads(i.event["Records"][0]["Sns"]["Message"]) for i in cloud.invocations("BodyFunction")]
    assert bodies == [{"order": {"total": 250}}]
    assert cloud.invocations("SnsFunction") == [], (
        "no color attribute: the MessageAttributes policy refuses it"
    )


def test_a_failing_sns_delivery_is_retried_then_dead_lettered_and_says_so_in_the_functions_log(
    clean: LocalCloud,
) -> None:
    """SNS invokes asynchronously: two retries, then the function's DeadLetterQueue."""
    cloud = clean
    publish(cloud, "please-fail", color="red")
    assert cloud.wait_idle(30)
    attempts = cloud.invocations("SnsFunction")
    assert [i.result.error_type for i in attempts] == ["RuntimeError"] * 3
    [dead] = messages(cloud, "DeadLettersUrl")
    assert json.loads(dead["Body"])["Records"][0]["Sns"]["Message"] == "please-fail"
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "asked to fail"
    assert any(
        "from sns failed (RetriesExhausted, 3 attempt(s)): dead-letter queue" in line
        for line in cloud.log_lines("SnsFunction")
    )


def test_put_events_on_the_custom_bus_reaches_the_rule_through_its_input_transformer(
    clean: LocalCloud,
) -> None:
    cloud = clean
    events = cloud.client("events")
    answer = events.put_events(
        Entries=[
            {
                "Source": "shop",
                "DetailType": "Order",
                "Detail": json.dumps({"kind": "order-paid", "total": 42}),
                "EventBusName": cloud.outputs["BusName"],
            },
            {
                "Source": "shop",
                "DetailType": "Order",
                "Detail": json.dumps({"kind": "order-paid", "total": 1}),
            },
            {
                "Source": "shop",
                "DetailType": "Order",
                "Detail": json.dumps({"kind": "refund", "total": 42}),
                "EventBusName": cloud.outputs["BusName"],
            },
        ]
    )
    assert answer["FailedEntryCount"] == 0
    assert cloud.wait_idle(30)
    [invocation] = cloud.invocations("RuleFunction")
    rule = cloud.stack.resources["RuleFunctionOrders"]
    assert invocation.event == {
        "what": "order-paid",
        "total": 42,
        "text": "order-paid of 42",
        "rule": rule.ref,
    }
    assert (invocation.source, invocation.trigger) == ("eventbridge", rule.attributes["Arn"])


def test_a_plain_rule_sends_input_path_to_a_queue_and_a_constant_to_a_function(clean: LocalCloud) -> None:
    cloud = clean
    cloud.client("events").put_events(Entries=[{"Source": "plain", "DetailType": "x", "Detail": '{"n": 1}'}])
    assert cloud.wait_idle(30)
    assert [m["Body"] for m in messages(cloud, "RuleQueueUrl")] == ['{"n": 1}']
    assert [i.event for i in cloud.invocations("RuleFunction")] == [{"constant": True}]


def test_a_bucket_with_eventbridge_sends_object_created_and_deleted(clean: LocalCloud) -> None:
    """S3 User Guide, "Using EventBridge": every object change goes to the default bus."""
    cloud = clean
    s3, bucket = cloud.client("s3"), cloud.outputs["BucketName"]
    s3.put_object(Bucket=bucket, Key="photos/a cat.jpg", Body=b"meow")
    s3.delete_object(Bucket=bucket, Key="photos/a cat.jpg")
    assert cloud.wait_idle(30)
    events = sorted((i.event for i in cloud.invocations("S3EventsFunction")), key=lambda e: e["detail-type"])
    assert [e["detail-type"] for e in events] == ["Object Created", "Object Deleted"]
    created, deleted = events
    assert (
        created["detail"]["object"]["key"] == "photos/a cat.jpg" and created["detail"]["object"]["size"] == 4
    )
    assert created["detail"]["reason"] == "PutObject" and created["resources"] == [f"arn:aws:s3:::{bucket}"]
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"


def test_schedules_are_listed_at_start_disabled_ones_as_such(
    cloud: LocalCloud, lines: list[tuple[str, str]]
) -> None:
    said = [line for source, line in lines if source == "samlite" and line.startswith("samlite: schedule ")]
    assert any(
        line.startswith("samlite: schedule TickFunctionNightly (rule ") and "DISABLED" in line
        for line in said
    )
    assert any(
        line.startswith(
            "samlite: schedule TickFunctionMorning (EventBridge Scheduler schedule TickFunctionMorning)"
        )
        and "in Europe/Paris: next run" in line
        and "within 5 min (flexible window)" in line
        for line in said
    )
    assert any(
        line.startswith("samlite: schedule PlainSchedule") and "next run 2099-01-01" in line for line in said
    )


def test_trigger_fires_a_disabled_rule_a_scheduler_schedule_and_a_plain_schedule(clean: LocalCloud) -> None:
    cloud = clean
    fired = cloud.trigger("TickFunction.Nightly")
    assert (fired.kind, fired.targets) == ("rule", (cloud.provisioned.function_arns["TickFunction"],))
    morning = cloud.trigger("TickFunctionMorning")
    plain = cloud.trigger("PlainSchedule")
    assert cloud.wait_idle(30)
    events = sorted((i.event for i in cloud.invocations("TickFunction")), key=json.dumps)
    assert events == [{"morning": morning.time}, {"nightly": True}], "in either order: they run concurrently"
    assert [i.source for i in cloud.invocations("TickFunction")] == ["schedule", "schedule"]
    assert [json.loads(m["Body"]) for m in messages(cloud, "RuleQueueUrl")] == [{"from": plain.arn}]


def test_trigger_names_what_is_wrong_with_an_id(clean: LocalCloud) -> None:
    with pytest.raises(
        LocalCloudError, match="function TickFunction has 2 Schedule / ScheduleV2 events: name one"
    ):
        clean.trigger("TickFunction")
    with pytest.raises(LocalCloudError, match="PlainRule is an event-pattern rule, not a schedule"):
        clean.trigger("PlainRule")
    with pytest.raises(
        LocalCloudError, match=r"no schedule 'Nope'.*schedules: PlainSchedule, TickFunctionMorning"
    ):
        clean.trigger("Nope")


def _settings(cloud: LocalCloud, credentials: dict[str, str]) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": cloud.url, "AWS_REGION": cloud.options.region, **credentials}


def test_trigger_over_http_is_for_the_administrator(clean: LocalCloud) -> None:
    """POST /_samlite/trigger/{id}, IAM-checked (samlite:Trigger on the schedule's ARN)."""
    cloud = clean
    status, body = trigger_over_http(
        _settings(cloud, cloud.admin_credentials.as_env()), "TickFunction.Nightly"
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["Kind"] == "rule" and answer["Id"] == "TickFunction.Nightly"
    function_credentials = FunctionCredentials(cloud._require_aws()).credentials_for(
        cloud.stack.functions["RuleFunction"]
    )
    status, body = trigger_over_http(_settings(cloud, function_credentials), "TickFunction.Nightly")
    assert status == 403 and "samlite:Trigger" in json.loads(body)["Message"]
    status, body = trigger_over_http(_settings(cloud, cloud.admin_credentials.as_env()), "PlainRule")
    assert status == 400 and "event-pattern rule" in json.loads(body)["Message"]
    status, _ = trigger_over_http(_settings(cloud, cloud.admin_credentials.as_env()), "Unknown")
    assert status == 404
    assert cloud.wait_idle(30)
    assert len(cloud.invocations("TickFunction")) == 1, "only the administrator's call fired"


def test_put_events_is_authorised_and_refused_as_eventbridge_does(clean: LocalCloud) -> None:
    """PutEvents (EventBridge API reference): at most 10 entries; events:PutEvents on the bus; an
    unknown bus is a ResourceNotFoundException."""
    cloud = clean
    events = cloud.client("events")
    entry = {"Source": "plain", "DetailType": "x", "Detail": "{}"}
    with pytest.raises(ClientError) as raised:
        events.put_events(Entries=[entry] * 11)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        events.put_events(Entries=[{**entry, "EventBusName": "no-such-bus"}])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    answer = events.put_events(Entries=[entry, {"Source": "plain", "DetailType": "x"}])
    assert answer["FailedEntryCount"] == 1 and answer["Entries"][1]["ErrorCode"] == "InvalidArgument"
    function_credentials = FunctionCredentials(cloud._require_aws()).credentials_for(
        cloud.stack.functions["RuleFunction"]
    )
    as_function = boto3.client(
        "events",
        endpoint_url=cloud.url,
        region_name=cloud.options.region,
        aws_access_key_id=function_credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=function_credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=function_credentials["AWS_SESSION_TOKEN"],
    )
    with pytest.raises(ClientError) as raised:
        as_function.put_events(Entries=[entry])
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert cloud.wait_idle(30)
    assert [m["Body"] for m in messages(cloud, "RuleQueueUrl")] == ["{}"], "only the valid entry was routed"


def test_the_trigger_route_and_the_console_share_samlite_s_prefix(clean: LocalCloud) -> None:
    """`/_samlite/` is the console's, but for `POST /_samlite/trigger/{id}`: the console's guard (its
    token) does not stand in front of the trigger, whose own check is IAM, and the console still
    answers beside it."""
    cloud = clean
    assert cloud.console_url is not None, "the fixture cloud runs with the console, as `samlite start` does"
    with urllib.request.urlopen(cloud.console_url, timeout=10) as page:
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    status, body = trigger_over_http(
        _settings(cloud, cloud.admin_credentials.as_env()), "TickFunctionMorning"
    )
    assert status == 200, body
    assert json.loads(body)["Kind"] == "schedule"
    unsigned = urllib.request.Request(
        cloud.console_url.rstrip("/") + "/trigger/TickFunctionMorning", data=b"", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)
    assert refused.value.code == 403, "an unsigned trigger is refused by IAM, not served by the console"
    assert cloud.wait_idle(30)
    assert [i.source for i in cloud.invocations("TickFunction")] == ["schedule"]
