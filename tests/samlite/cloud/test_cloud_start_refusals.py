"""What a local cloud refuses, watches and tells its user, on small templates written by each test.

- one UnsupportedError line before anything is created, never a partial start that drops events;
- the code watcher ignores samlite's own state folder, even inside a `CodeUri: ./`;
- a template without Outputs still gets the local names of its resources.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from samlite.cloud.local_cloud import CloudOptions, LocalCloud
from samlite.cloud.unsupported import refuse_partial_start
from samlite.errors import UnsupportedError
from samlite.template import load_stack
from tests.samlite.embedded import cloud_options, wait_until

APP = "def handler(event, context):\n    print('handled', event)\n    return {'ok': True}\n"


def _project(tmp_path: Path, template: str) -> Path:
    (tmp_path / "app.py").write_text(APP)
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(template))
    return path


def _options(path: Path, **changes: object) -> CloudOptions:
    return cloud_options(
        path, stack="ref", state_dir=path.parent / ".samlite", cache_dir=path.parent / "cache", **changes
    )


IOT_TRIGGERED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Readings:
    Type: AWS::S3::Bucket
  OnReading:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./
      Handler: app.handler
      Runtime: python3.12
      Events:
        Sensor:
          Type: IoTRule
          Properties:
            Sql: "SELECT * FROM 'sensors/#'"
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: FunctionName, Value: !Ref OnReading}]
      ComparisonOperator: GreaterThanThreshold
      EvaluationPeriods: 1
      Period: 60
      Statistic: Sum
      Threshold: 0
"""


def test_an_event_source_samlite_does_not_emulate_refuses_the_start(tmp_path: Path) -> None:
    """The IoT rule would deliver to OnReading; starting without it would drop those events. The
    alarm names the function too, but delivers nothing to it: it alone would be left out."""
    path = _project(tmp_path, IOT_TRIGGERED)
    with pytest.raises(UnsupportedError) as raised:
        refuse_partial_start(load_stack(path))
    message = str(raised.value)
    assert message.startswith("Resource 'OnReadingSensor' (AWS::IoT::TopicRule) property ")
    assert "function OnReading would never arrive" in message and "\n" not in message
    assert "Errors" not in message

    options = _options(path)
    with pytest.raises(UnsupportedError, match=r"'OnReadingSensor' \(AWS::IoT::TopicRule\)"):
        LocalCloud(options).start()
    from moto.backends import get_backend  # the refusal came before anything was created

    buckets = get_backend("s3")["123456789012"]["global"].buckets
    assert not [name for name in buckets if name.startswith(options.stack_name)]


def test_an_unsupported_function_refuses_the_start_in_one_line(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Works:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./, Handler: app.handler, Runtime: python3.12}
          Node:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./, Handler: index.handler, Runtime: nodejs20.x}
          FromS3:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: "s3://bucket/code.zip", Handler: app.handler, Runtime: python3.12}
          NotBuilt:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: .aws-sam/build/NotBuilt, Handler: app.handler, Runtime: python3.12}
        """,
    )
    with pytest.raises(UnsupportedError) as raised:
        LocalCloud(_options(path)).start()
    message = str(raised.value)
    assert message.startswith("Function 'FromS3' property 'CodeUri': s3://bucket/code.zip is code in S3")
    assert "; Function 'Node' property 'Runtime': 'nodejs20.x' is not supported" in message
    assert (
        "; Function 'NotBuilt' property 'CodeUri': " in message
        and "is not a folder on this machine" in message
    )
    assert "\n" not in message


def test_the_state_folder_inside_the_code_never_recycles_workers(tmp_path: Path) -> None:
    """CodeUri: ./ holds .samlite/, where every log line is written: on its own, each invocation
    used to recycle the function's workers, and the next cold start logged again, forever."""
    path = _project(
        tmp_path,
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Here:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./, Handler: app.handler, Runtime: python3.12}
        """,
    )
    with LocalCloud(_options(path, watch=True)) as cloud:
        client = cloud.client("lambda")
        name = cloud.stack.function("Here").function_name
        for number in range(3):
            client.invoke(FunctionName=name, Payload=json.dumps({"n": number}).encode())
        assert (tmp_path / ".samlite" / "logs" / "Here.log").stat().st_size > 0
        (tmp_path / "app.py").write_text(APP.replace("handled", "changed"))  # a real edit, to wait on
        changed = lambda: [line for line in cloud.log_lines("samlite") if "code changed" in line]  # noqa: E731
        recycled = wait_until(changed, "the code change to be logged")
    assert recycled == ["samlite: Here: code changed (app.py); warm workers recycled, next call starts cold"]


def test_a_template_without_outputs_still_names_its_resources(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Store:
            Type: AWS::S3::Bucket
          Items:
            Type: AWS::Serverless::SimpleTable
          Work:
            Type: AWS::SQS::Queue
          Worker:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./, Handler: app.handler, Runtime: python3.12}
        """,
    )
    with LocalCloud(_options(path)) as cloud:
        names = cloud.local_names
        written = json.loads((tmp_path / ".samlite" / "outputs.json").read_text())
        resources = cloud.stack.resources
        url = cloud.url
    assert names == {
        "functions": {"Worker": resources["Worker"].ref},
        "buckets": {"Store": resources["Store"].ref},
        "tables": {"Items": resources["Items"].ref},
        "queues": {"Work": resources["Work"].ref},
    }
    assert written == {"samlite:local-names": names}
    assert names["queues"]["Work"].startswith(f"{url}/123456789012/")
