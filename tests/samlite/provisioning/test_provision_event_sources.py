"""Event-source mappings and Kinesis streams of a template, provisioned into the embedded AWS.

SAM's `SQS`, `DynamoDB` and `Kinesis` events become `AWS::Lambda::EventSourceMapping` resources
(AWS SAM Developer Guide, "SQS", "DynamoDB", "Kinesis" event source types); each is checked as
Lambda's CreateEventSourceMapping checks it and registered for its poller. `AWS::Kinesis::Stream`:
"AWS::Kinesis::Stream" in the CloudFormation reference (ShardCount, StreamModeDetails,
RetentionPeriodHours); an event-source mapping's `Ref` is its UUID ("AWS::Lambda::EventSourceMapping",
return values).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.errors import ProvisionError
from samlite.provisioning.provision import provision
from samlite.template import load_stack
from tests.samlite.embedded import Endpoint, client, running_endpoint

HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: code/
Resources:
"""


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=False) as started:
        yield started


def _template(tmp_path: Path, resources: str) -> Path:
    (tmp_path / "code").mkdir(exist_ok=True)
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "template.yaml"
    path.write_text(HEADER + textwrap.indent(textwrap.dedent(resources), "  "))
    return path


def _provision(endpoint: Endpoint, path: Path):  # type: ignore[no-untyped-def]
    stack = load_stack(path, stack_name=f"es-{uuid.uuid4().hex[:8]}", endpoint_url=endpoint.aws.url)
    return stack, provision(endpoint.aws, stack, endpoint.services)


def _mappings(endpoint: Endpoint, stack) -> dict:  # type: ignore[no-untyped-def]
    ids = set(stack.resources)
    return {m.logical_id: m for m in endpoint.services.event_source_mappings if m.logical_id in ids}


SOURCES = """\
Queue:
  Type: AWS::SQS::Queue
  Properties: {VisibilityTimeout: 5}
Table:
  Type: AWS::DynamoDB::Table
  Properties:
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    StreamSpecification: {StreamViewType: NEW_IMAGE}
Stream:
  Type: AWS::Kinesis::Stream
  Properties: {ShardCount: 3, RetentionPeriodHours: 48}
"""


def test_sam_events_become_registered_mappings_with_their_settings(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    path = _template(
        tmp_path,
        SOURCES
        + """\
Consumer:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      FromQueue:
        Type: SQS
        Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 7, FunctionResponseTypes: [ReportBatchItemFailures]}
      FromTable:
        Type: DynamoDB
        Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, ParallelizationFactor: 2}
      FromStream:
        Type: Kinesis
        Properties: {Stream: !GetAtt Stream.Arn, StartingPosition: TRIM_HORIZON, TumblingWindowInSeconds: 60}
""",
    )
    stack, provisioned = _provision(endpoint, path)
    assert provisioned.unsupported == []
    mappings = _mappings(endpoint, stack)
    assert set(mappings) == {"ConsumerFromQueue", "ConsumerFromTable", "ConsumerFromStream"}
    queue, table, stream = (mappings[f"ConsumerFrom{n}"] for n in ("Queue", "Table", "Stream"))
    assert queue.kind == "sqs" and queue.batch_size == 7 and queue.report_batch_item_failures
    assert queue.source.visibility_timeout_s == 5 and not queue.source.fifo
    assert (
        table.kind == "dynamodb" and table.starting_position == "LATEST" and table.parallelization_factor == 2
    )
    assert table.source.name == stack.resources["Table"].ref
    assert stream.kind == "kinesis" and stream.tumbling_window_s == 60 and stream.batch_size == 100
    assert all(m.function.logical_id == "Consumer" for m in mappings.values())
    # Ref is the mapping's UUID
    assert re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", queue.uuid)
    assert stack.resources["ConsumerFromQueue"].attributes["Id"] == queue.uuid
    kinesis = client(endpoint.aws, "kinesis")
    summary = kinesis.describe_stream_summary(StreamName=stack.resources["Stream"].ref)[
        "StreamDescriptionSummary"
    ]
    assert summary["OpenShardCount"] == 3 and summary["RetentionPeriodHours"] == 48
    assert summary["StreamARN"] == stack.resources["Stream"].attributes["Arn"]


def test_the_table_stream_arn_is_the_one_the_template_names(endpoint: Endpoint, tmp_path: Path) -> None:
    stack, _ = _provision(endpoint, _template(tmp_path, SOURCES))
    described = client(endpoint.aws, "dynamodb").describe_table(TableName=stack.resources["Table"].ref)[
        "Table"
    ]
    assert described["LatestStreamArn"] == stack.resources["Table"].attributes["StreamArn"]


def test_an_on_demand_stream_and_bad_stream_properties(endpoint: Endpoint, tmp_path: Path) -> None:
    stack, _ = _provision(
        endpoint,
        _template(
            tmp_path,
            "OnDemand:\n  Type: AWS::Kinesis::Stream\n"
            "  Properties: {StreamModeDetails: {StreamMode: ON_DEMAND}}\n",
        ),
    )
    summary = client(endpoint.aws, "kinesis").describe_stream_summary(
        StreamName=stack.resources["OnDemand"].ref
    )
    assert summary["StreamDescriptionSummary"]["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    for properties, message in (
        ("{ShardCount: 0}", "ShardCount must be at least 1"),
        (
            "{ShardCount: 2, StreamModeDetails: {StreamMode: ON_DEMAND}}",
            "ShardCount cannot be set for an ON_DEMAND",
        ),
        ("{RetentionPeriodHours: 12}", "RetentionPeriodHours must be from 24 to 8760"),
    ):
        path = _template(tmp_path, f"Bad:\n  Type: AWS::Kinesis::Stream\n  Properties: {properties}\n")
        with pytest.raises(ProvisionError, match=f"Bad \\(AWS::Kinesis::Stream\\): {message}"):
            _provision(endpoint, path)


def test_a_function_timeout_over_the_queue_visibility_timeout_is_refused(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    """Using Lambda with Amazon SQS: Lambda refuses such a mapping (InvalidParameterValueException)."""
    path = _template(
        tmp_path,
        SOURCES
        + """\
Slow:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 30
    Events:
      Work: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
""",
    )
    with pytest.raises(ProvisionError) as error:
        _provision(endpoint, path)
    message = str(error.value)
    assert message.startswith(
        "SlowWork (AWS::Lambda::EventSourceMapping): Queue visibility timeout: 5 seconds"
    )
    assert "is less than Function timeout: 30 seconds" in message
    assert "VisibilityTimeout" in message and "function Slow Timeout" in message and "\n" not in message


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            "EventSourceArn: arn:aws:sqs:us-east-1:123456789012:no-such-queue\n"
            "    FunctionName: !Ref Consumer",
            "EventSourceArn names the queue 'no-such-queue', which does not exist",
        ),
        (
            "EventSourceArn: !GetAtt Queue.Arn\n    FunctionName: nobody",
            "FunctionName 'nobody' names no function of the template",
        ),
        (
            "EventSourceArn: !GetAtt Plain.Arn\n    FunctionName: !Ref Consumer",
            "is not an SQS queue, DynamoDB stream or Kinesis stream (a table's stream is its StreamArn",
        ),
        (
            "EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/nothing/stream/2024-01-01\n"
            "    FunctionName: !Ref Consumer\n    StartingPosition: LATEST",
            "a stream of the table 'nothing', which does not exist",
        ),
        (
            "EventSourceArn: arn:aws:sqs:eu-west-1:123456789012:q\n    FunctionName: !Ref Consumer",
            "is in eu-west-1/123456789012; the local cloud is us-east-1/123456789012",
        ),
        ("FunctionName: !Ref Consumer", "EventSourceArn is required"),
    ],
)
def test_a_mapping_naming_what_does_not_exist_is_refused(
    endpoint: Endpoint, tmp_path: Path, mapping: str, message: str
) -> None:
    path = _template(
        tmp_path,
        SOURCES
        + f"""\
Plain:
  Type: AWS::DynamoDB::Table
  Properties:
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
    KeySchema: [{{AttributeName: id, KeyType: HASH}}]
Consumer:
  Type: AWS::Serverless::Function
Mapping:
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    {mapping}
""",
    )
    with pytest.raises(ProvisionError, match=re.escape(message)) as error:
        _provision(endpoint, path)
    assert str(error.value).startswith("Mapping (AWS::Lambda::EventSourceMapping): ")


def test_a_table_without_a_stream_is_refused(endpoint: Endpoint, tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        """\
Plain:
  Type: AWS::DynamoDB::Table
  Properties:
    TableName: plain-table-for-esm
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    KeySchema: [{AttributeName: id, KeyType: HASH}]
Consumer:
  Type: AWS::Serverless::Function
Mapping:
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/plain-table-for-esm/stream/2024-01-01
    FunctionName: !Ref Consumer
    StartingPosition: LATEST
""",
    )
    with pytest.raises(ProvisionError, match="the table 'plain-table-for-esm' has no stream"):
        _provision(endpoint, path)


def test_kafka_and_mq_sources_are_reported_as_not_emulated(endpoint: Endpoint, tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        """\
Consumer:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Broker:
        Type: MQ
        Properties:
          Broker: arn:aws:mq:us-east-1:123456789012:broker:b:b-1234
          Queues: [orders]
          SourceAccessConfigurations:
            - {Type: BASIC_AUTH, URI: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}
""",
    )
    stack, provisioned = _provision(endpoint, path)
    (left_out,) = [item for item in provisioned.unsupported if item.type == "AWS::Lambda::EventSourceMapping"]
    assert left_out.logical_id == "ConsumerBroker" and "not emulated by samlite" in left_out.reason
    assert _mappings(endpoint, stack) == {}


def test_an_alias_qualified_function_name_runs_the_aliased_version(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    """AutoPublishAlias makes SAM name the alias in FunctionName: the mapping runs the version the
    alias points at ("Lambda function aliases")."""
    path = _template(
        tmp_path,
        SOURCES
        + """\
Consumer:
  Type: AWS::Serverless::Function
  Properties:
    AutoPublishAlias: live
    Events:
      Work: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
""",
    )
    stack, _ = _provision(endpoint, path)
    (mapping,) = _mappings(endpoint, stack).values()
    assert mapping.function.logical_id == "Consumer" and mapping.function.version == "1"


def test_samlite_start_refuses_the_template_in_one_line_with_exit_status_2(tmp_path: Path) -> None:
    """`samlite start` stops before ready, as `sam deploy` would fail on AWS."""
    _template(
        tmp_path,
        """\
Work:
  Type: AWS::SQS::Queue
  Properties: {VisibilityTimeout: 2}
Slow:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 10
    Events:
      Jobs: {Type: SQS, Properties: {Queue: !GetAtt Work.Arn}}
""",
    )
    process = subprocess.run(
        [sys.executable, "-m", "samlite", "start", "--port", "0", "--no-watch"],
        check=False,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1 and "Traceback" not in process.stderr
    assert (
        "SlowJobs (AWS::Lambda::EventSourceMapping): Queue visibility timeout: 2 seconds is less than "
        in process.stderr
    )
    assert "function Slow Timeout" in process.stderr and "samlite ready" not in process.stdout
