"""Every polled trigger end to end: a fixture template under LocalCloud, real workers, IAM on.

One consumer per trigger type (tests/samlite/event_source_fixtures): an SQS queue with a redrive
policy and ReportBatchItemFailures, a FIFO queue, a disabled mapping, a table's DynamoDB stream with
bisection and an on-failure queue, a two-shard Kinesis stream with partial batch responses. What each
test checks is the documented behaviour of its trigger ("Using Lambda with Amazon SQS", "Using AWS
Lambda with Amazon DynamoDB", "Using AWS Lambda with Amazon Kinesis"), here through samlite's own
parts together: provisioning, pollers, runtime, recorder, log lines and `wait_idle`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import running_project

FIXTURE = Path(__file__).resolve().parents[1] / "event_source_fixtures"


@pytest.fixture(scope="module")
def samlite_lines() -> list[tuple[str, str]]:
    return []


@pytest.fixture(scope="module")
def cloud(
    tmp_path_factory: pytest.TempPathFactory, samlite_lines: list[tuple[str, str]]
) -> Iterator[LocalCloud]:
    project = tmp_path_factory.mktemp("event_sources")
    sink = lambda source, line: samlite_lines.append((source, line))  # noqa: E731
    with running_project(FIXTURE, project, stack="es", log_sink=sink) as started:
        yield started


@pytest.fixture
def clean(cloud: LocalCloud) -> LocalCloud:
    cloud.reset()
    return cloud


def _arn(cloud: LocalCloud, mapping_id: str) -> str:
    """The mapping's ARN, as recorded invocations name their trigger."""
    arn = cloud.stack.resources[mapping_id].attributes["EventSourceMappingArn"]
    assert arn.startswith("arn:aws:lambda:us-east-1:123456789012:event-source-mapping:")
    return str(arn)


def _receive_all(cloud: LocalCloud, url: str) -> list[dict[str, Any]]:
    sqs = cloud.client("sqs")
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return found.get("Messages", [])


def test_the_mappings_are_listed_at_start_a_disabled_one_as_such(cloud: LocalCloud) -> None:
    lines = cloud.log_lines("samlite")
    listed = [line for line in lines if line.startswith("samlite: event source")]
    assert len(listed) == 6
    assert any(
        "event source disabled (Enabled: false) QueueFunctionPaused: SQS queue" in line for line in listed
    )
    assert any(
        "TableFunctionItems: DynamoDB stream of table" in line and "TRIM_HORIZON" in line for line in listed
    )
    assert not any("not emulated" in line for line in lines)


def test_sqs_messages_reach_the_function_and_a_reported_failure_ends_in_the_dead_letter_queue(
    clean: LocalCloud,
) -> None:
    outputs = clean.outputs
    sqs = clean.client("sqs")
    for body in ("a", "fail", "b"):
        sqs.send_message(QueueUrl=outputs["WorkQueueUrl"], MessageBody=body)
    assert clean.wait_idle(30)
    records = clean.invocations("QueueFunction")
    assert {r.source for r in records} == {"sqs"} and {r.trigger for r in records} == {
        _arn(clean, "QueueFunctionWork")
    }
    bodies = [rec["body"] for r in records for rec in r.event["Records"]]
    assert sorted(bodies) == ["a", "b", "fail", "fail"]  # maxReceiveCount 2: received twice
    assert [m["Body"] for m in _receive_all(clean, outputs["DeadLettersUrl"])] == ["fail"]
    assert _receive_all(clean, outputs["WorkQueueUrl"]) == []
    log = clean.log_lines("QueueFunction")
    assert any("moved to the dead-letter queue" in line and "maxReceiveCount 2" in line for line in log)
    assert any("message " in line and " a" in line for line in log)  # the function's own print


def test_a_raising_function_returns_the_whole_batch_to_the_queue(clean: LocalCloud) -> None:
    clean.client("sqs").send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="raise")
    assert clean.wait_idle(30)
    records = clean.invocations("QueueFunction")
    assert len(records) == 2 and all(r.result.error_type == "RuntimeError" for r in records)
    counts = [r.event["Records"][0]["attributes"]["ApproximateReceiveCount"] for r in records]
    assert counts == ["1", "2"]
    assert any(
        "failed (RuntimeError: cannot handle this batch)" in line for line in clean.log_lines("QueueFunction")
    )


def test_a_disabled_mapping_leaves_its_queue_alone(clean: LocalCloud) -> None:
    url = clean.outputs["PausedQueueUrl"]
    clean.client("sqs").send_message(QueueUrl=url, MessageBody="waits")
    assert clean.wait_idle(10)
    assert [m["Body"] for m in _receive_all(clean, url)] == ["waits"]


def test_a_fifo_group_is_delivered_in_order(clean: LocalCloud) -> None:
    sqs = clean.client("sqs")
    for i in range(6):
        sqs.send_message(QueueUrl=clean.outputs["OrdersQueueUrl"], MessageBody=f"o{i}", MessageGroupId="g")
    assert clean.wait_idle(30)
    delivered = [rec["body"] for r in clean.invocations("FifoFunction") for rec in r.event["Records"]]
    assert delivered == [f"o{i}" for i in range(6)]
    first = clean.invocations("FifoFunction")[0].event["Records"][0]["attributes"]
    assert first["MessageGroupId"] == "g" and first["SequenceNumber"].isdigit()


def test_table_writes_reach_the_stream_consumer_and_a_poison_record_goes_to_the_on_failure_queue(
    clean: LocalCloud,
) -> None:
    outputs = clean.outputs
    dynamodb = clean.client("dynamodb")
    dynamodb.put_item(TableName=outputs["ItemsTable"], Item={"id": {"S": "1"}})
    dynamodb.put_item(TableName=outputs["ItemsTable"], Item={"id": {"S": "2"}, "poison": {"BOOL": True}})
    dynamodb.put_item(TableName=outputs["ItemsTable"], Item={"id": {"S": "3"}})
    assert clean.wait_idle(30)
    records = clean.invocations("TableFunction")
    assert {r.source for r in records} == {"dynamodb"}
    assert {r.trigger for r in records} == {_arn(clean, "TableFunctionItems")}
    succeeded = [
        rec["dynamodb"]["Keys"]["id"]["S"]
        for r in records
        if not r.result.failed
        for rec in r.event["Records"]
    ]
    assert succeeded[0] == "1" and succeeded[-1] == "3" and "2" not in succeeded
    (message,) = _receive_all(clean, outputs["FailuresQueueUrl"])
    failure = json.loads(message["Body"])
    info = failure["DDBStreamBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert (
        info["batchSize"] == 1 and info["streamArn"] == clean.stack.resources["Items"].attributes["StreamArn"]
    )
    assert "Records" not in failure
    log = clean.log_lines("TableFunction")
    assert any("split in two (BisectBatchOnFunctionError)" in line for line in log)
    assert any("the shard is blocked until it succeeds or is given up" in line for line in log)
    assert any("given up after 2 attempt(s) (RetryAttemptsExhausted)" in line for line in log)


def test_kinesis_records_reach_the_consumer_in_order_per_partition_key(clean: LocalCloud) -> None:
    kinesis = clean.client("kinesis")
    stream = clean.outputs["ClicksStream"]
    entries = [
        {"Data": f"{key}{i}".encode(), "PartitionKey": key} for i in range(4) for key in ("p", "q", "r")
    ]
    kinesis.put_records(StreamName=stream, Records=entries)
    assert clean.wait_idle(30)
    records = clean.invocations("KinesisFunction")
    assert {r.trigger for r in records} == {_arn(clean, "KinesisFunctionClicks")}
    seen = [rec["kinesis"] for r in records for rec in r.event["Records"]]
    for key in ("p", "q", "r"):
        mine = [base64.b64decode(k["data"]).decode() for k in seen if k["partitionKey"] == key]
        assert mine == [f"{key}{i}" for i in range(4)]
    assert all(
        rec["eventSourceARN"] == clean.stack.resources["Clicks"].attributes["Arn"]
        for r in records
        for rec in r.event["Records"]
    )


def test_a_kinesis_partial_failure_is_retried_from_the_failed_record_then_given_up(clean: LocalCloud) -> None:
    kinesis = clean.client("kinesis")
    stream = clean.outputs["ClicksStream"]
    kinesis.put_records(
        StreamName=stream, Records=[{"Data": data, "PartitionKey": "one"} for data in (b"x", b"bad", b"y")]
    )
    assert clean.wait_idle(30)
    batches = [
        [base64.b64decode(rec["kinesis"]["data"]).decode() for rec in r.event["Records"]]
        for r in clean.invocations("KinesisFunction")
    ]
    assert batches[0] == ["x", "bad", "y"]
    assert batches[1:] == [["bad", "y"]] * 2  # the rest of the batch, retried MaximumRetryAttempts (2) times
    log = clean.log_lines("KinesisFunction")
    assert any("given up after 3 attempt(s) (RetryAttemptsExhausted)" in line for line in log)
    assert any("discarded (no DestinationConfig.OnFailure)" in line for line in log)


def test_reset_empties_the_sources_and_the_mappings_go_on(clean: LocalCloud) -> None:
    sqs = clean.client("sqs")
    sqs.send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="before")
    assert clean.wait_idle(30)
    clean.reset()
    assert clean.invocations("QueueFunction") == []
    sqs.send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="after")
    assert clean.wait_idle(30)
    assert [rec["body"] for r in clean.invocations("QueueFunction") for rec in r.event["Records"]] == [
        "after"
    ]


def test_the_lambda_api_lists_and_describes_the_mappings(clean: LocalCloud) -> None:
    """Lambda API Reference, ListEventSourceMappings / GetEventSourceMapping."""
    lambda_ = clean.client("lambda")
    listed = lambda_.list_event_source_mappings()["EventSourceMappings"]
    assert len(listed) == 6
    work = _arn(clean, "QueueFunctionWork").rsplit(":", 1)[1]
    clean.client("sqs").send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="a")
    assert clean.wait_idle(30)
    described = lambda_.get_event_source_mapping(UUID=work)
    assert described["EventSourceArn"] == clean.stack.resources["Work"].attributes["Arn"]
    assert described["FunctionArn"].endswith(
        ":function:" + clean.stack.functions["QueueFunction"].function_name
    )
    assert described["State"] == "Enabled" and described["BatchSize"] == 10
    assert described["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert described["LastProcessingResult"] == "OK"
    paused = next(
        m for m in listed if m["EventSourceArn"] == clean.stack.resources["Paused"].attributes["Arn"]
    )
    assert paused["State"] == "Disabled" and paused["LastProcessingResult"] == "No records processed"
    table = lambda_.list_event_source_mappings(
        FunctionName=clean.stack.functions["TableFunction"].function_name
    )
    (only,) = table["EventSourceMappings"]
    assert only["StartingPosition"] == "TRIM_HORIZON" and only["MaximumRetryAttempts"] == 1
    assert (
        only["DestinationConfig"]["OnFailure"]["Destination"]
        == clean.stack.resources["Failures"].attributes["Arn"]
    )
    page = lambda_.list_event_source_mappings(MaxItems=2)
    assert len(page["EventSourceMappings"]) == 2 and "NextMarker" in page
    with pytest.raises(lambda_.exceptions.ResourceNotFoundException):
        lambda_.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")


def test_deliveries_follow_update_function_configuration(clean: LocalCloud) -> None:
    """A mapping invokes the function as it is configured now (UpdateFunctionConfiguration)."""
    name = clean.stack.functions["QueueFunction"].function_name
    lambda_ = clean.client("lambda")
    lambda_.update_function_configuration(FunctionName=name, Environment={"Variables": {"MODE": "updated"}})
    clean.client("sqs").send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="after update")
    assert clean.wait_idle(30)
    assert any(line.endswith("mode updated") for line in clean.log_lines("QueueFunction"))
    clean.reset()  # back to the template's configuration
    clean.client("sqs").send_message(QueueUrl=clean.outputs["WorkQueueUrl"], MessageBody="after reset")
    assert clean.wait_idle(30)
    assert any(line.endswith("mode template") for line in clean.log_lines("QueueFunction"))


def test_a_mapping_to_an_alias_runs_the_version_it_points_at_under_the_alias_arn(clean: LocalCloud) -> None:
    """ "Lambda function aliases" and "CreateEventSourceMapping" (FunctionName: a qualified ARN): the
    mapping invokes the alias, so the aliased version runs and sees the alias ARN as its invoked ARN."""
    alias_arn = clean.stack.resources["AliasedMapping"].properties["FunctionName"]
    assert str(alias_arn).endswith(":live")
    clean.client("sqs").send_message(QueueUrl=clean.outputs["AliasedQueueUrl"], MessageBody="to the alias")
    assert clean.wait_idle(30)
    (record,) = clean.invocations("AliasedFunction")
    assert record.source == "sqs" and record.trigger == _arn(clean, "AliasedMapping")
    assert record.event["Records"][0]["body"] == "to the alias"
    said = f"version 1 as {alias_arn}: 1 message(s)"
    assert any(line.endswith(said) for line in clean.log_lines("AliasedFunction"))
    described = clean.client("lambda").get_event_source_mapping(
        UUID=_arn(clean, "AliasedMapping").rsplit(":", 1)[1]
    )
    assert described["FunctionArn"] == alias_arn


def test_the_console_peeks_and_redrives_beside_the_pollers(clean: LocalCloud) -> None:
    """The console's queue page and the SQS pollers share the queues: peeking a dead-letter queue takes
    nothing from it (no receive counted), and a redrive sends the message back to its source queue,
    where the mapping delivers it again ("Using dead-letter queues in Amazon SQS": redrive to source)."""
    assert clean.console is not None and clean.console_url is not None
    outputs = clean.outputs
    sqs = clean.client("sqs")
    sqs.send_message(QueueUrl=outputs["WorkQueueUrl"], MessageBody="fail")
    assert clean.wait_idle(30)
    dead = outputs["DeadLettersUrl"].rsplit("/", 1)[-1]
    api = requests.Session()
    api.headers["X-Samlite-Token"] = clean.console.token
    base = clean.console_url.rstrip("/") + "/api/queues"
    with api:
        peeked = api.get(f"{base}/{dead}/messages", timeout=30).json()["messages"]
        again = api.get(f"{base}/{dead}/messages", timeout=30).json()["messages"]
        assert [(m["body"], m["state"]) for m in peeked] == [("fail", "visible")]
        assert again[0]["receiveCount"] == peeked[0]["receiveCount"]  # peeking is not receiving
        queues = {q["name"]: q for q in api.get(base, timeout=30).json()["queues"]}
        assert [source["arn"] for source in queues[dead]["sources"]] == [
            clean.stack.resources["Work"].attributes["Arn"]
        ]
        before = len(clean.invocations("QueueFunction"))
        answer = api.post(f"{base}/{dead}/redrive", json={}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["redriven"] == [peeked[0]["messageId"]]
        assert clean.wait_idle(30)
    redelivered = clean.invocations("QueueFunction")[before:]
    assert [r.event["Records"][0]["body"] for r in redelivered] == ["fail", "fail"]  # maxReceiveCount 2
    assert [m["Body"] for m in _receive_all(clean, outputs["DeadLettersUrl"])] == ["fail"]
