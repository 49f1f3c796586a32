"""LocalCloud end to end on a small template: real HTTP, IAM on, real worker processes.

One cloud is started for the module (a start costs ~2 s); tests that depend on a clean state call
`reset()` first. The fixture directory is copied so the code-change test can edit a CodeUri safely.
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from samlite.cloud.local_cloud import CloudOptions, LocalCloud
from samlite.cloud.log_stream import LogStream, TerminalPrinter
from samlite.errors import CloudError, EndpointError
from samlite.template import TemplateError
from tests.samlite.embedded import cloud_options, copy_project, running_cloud, wait_until

FIXTURE = Path(__file__).resolve().parents[1] / "cloud_fixtures"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(FIXTURE, tmp_path_factory.mktemp("cloud_project"))


@pytest.fixture(scope="module")
def samlite_lines() -> list[tuple[str, str]]:
    return []


@pytest.fixture(scope="module")
def cloud(project: Path, samlite_lines: list[tuple[str, str]]) -> Iterator[LocalCloud]:
    sink = lambda source, line: samlite_lines.append((source, line))  # noqa: E731
    # The code watcher on, as `samlite start` has it: a test below edits the code.
    with running_cloud(
        project / "template.yaml", stack="lc", state_dir=project / ".samlite", watch=True, log_sink=sink
    ) as started:
        yield started


@pytest.fixture
def clean(cloud: LocalCloud) -> LocalCloud:
    cloud.reset()
    return cloud


def _invoke(cloud: LocalCloud, name: str, payload: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return cloud.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **kwargs)


def test_s3_put_runs_the_function_which_writes_the_table_with_its_own_role(clean: LocalCloud) -> None:
    outputs = clean.outputs
    clean.client("s3").put_object(Bucket=outputs["BucketName"], Key="photos/a b.txt", Body=b"hello")

    assert clean.wait_idle(30)
    item = clean.client("dynamodb").get_item(
        TableName=outputs["TableName"], Key={"key": {"S": "photos/a b.txt"}}
    )["Item"]
    assert item["size"] == {"N": "5"}
    [record] = clean.invocations("Recorder")
    assert record.source == "s3"
    assert not record.result.failed
    s3_record = record.event["Records"][0]
    assert s3_record["eventName"] == "ObjectCreated:Put"
    assert s3_record["s3"]["object"]["key"] == "photos/a+b.txt"  # URL-encoded, as S3 sends it
    assert "versionId" in s3_record["s3"]["object"]  # the bucket is versioned
    assert any(line.startswith("START RequestId:") for line in clean.log_lines("Recorder"))
    # The function name resolves to the same records as the logical id.
    assert clean.invocations(outputs["RecorderName"]) == [record]


def test_a_failing_s3_event_is_retried_twice_then_sent_to_the_dead_letter_queue(clean: LocalCloud) -> None:
    outputs = clean.outputs
    clean.client("s3").put_object(Bucket=outputs["BucketName"], Key="fail/x.txt", Body=b"x")

    assert clean.wait_idle(30)
    attempts = clean.invocations("Recorder")
    assert [record.result.failed for record in attempts] == [True, True, True]
    messages = clean.client("sqs").receive_message(
        QueueUrl=outputs["FailedEventsUrl"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"])["Records"][0]["s3"]["object"]["key"] == "fail/x.txt"
    assert "ErrorMessage" in messages[0]["MessageAttributes"]
    [verdict] = [line for line in clean.log_lines("samlite") if "dead-letter queue" in line]
    assert verdict.startswith("samlite: Recorder: async invocation") and "3 attempt(s)" in verdict


def test_invoke_api_request_response_and_access_denied_without_a_policy(clean: LocalCloud) -> None:
    name = clean.stack.functions["Unprivileged"].function_name
    response = _invoke(clean, name, {"action": "write"})
    # The function's role has no DynamoDB policy: the embedded AWS refuses it, as AWS would.
    assert json.loads(response["Payload"].read()) == {"error": "AccessDeniedException"}

    response = _invoke(clean, name, {"hello": "world"})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read())["echo"] == {"hello": "world"}
    assert [record.source for record in clean.invocations("Unprivileged")] == ["lambda-api"] * 2


def test_a_function_error_sets_the_function_error_header(clean: LocalCloud) -> None:
    name = clean.stack.functions["Unprivileged"].function_name
    response = _invoke(clean, name, {"action": "fail"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "ValueError"


def test_event_invocations_are_queued_and_dry_runs_run_nothing(clean: LocalCloud) -> None:
    name = clean.stack.functions["Unprivileged"].function_name
    dry = _invoke(clean, name, {"dry": True}, InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    queued = _invoke(clean, name, {"queued": True}, InvocationType="Event")
    assert queued["StatusCode"] == 202

    assert clean.wait_idle(30)
    [record] = clean.invocations("Unprivileged")
    assert record.source == "lambda-api-event"
    assert record.event == {"queued": True}


def test_outputs_and_env_files_let_a_shell_reach_the_endpoint(cloud: LocalCloud, project: Path) -> None:
    state = project / ".samlite"
    written = json.loads((state / "outputs.json").read_text())
    assert written.pop("samlite:local-names") == cloud.local_names
    assert written == cloud.outputs
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in (state / "env").read_text().splitlines()
    )
    assert exports["AWS_ENDPOINT_URL"] == cloud.url
    assert exports["AWS_REGION"] == exports["AWS_DEFAULT_REGION"] == "us-east-1"
    s3 = boto3.client(
        "s3",
        endpoint_url=exports["AWS_ENDPOINT_URL"],
        region_name=exports["AWS_REGION"],
        aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
    )
    assert cloud.outputs["BucketName"] in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert (state / "env").stat().st_mode & 0o077 == 0  # holds a secret key


def test_describe_stacks_reports_the_outputs_as_cloudformation_does(cloud: LocalCloud) -> None:
    [stack] = cloud.client("cloudformation").describe_stacks(StackName=cloud.stack.stack_name)["Stacks"]
    outputs = {output["OutputKey"]: output for output in stack["Outputs"]}
    assert {key: output["OutputValue"] for key, output in outputs.items()} == cloud.outputs
    assert outputs["FailedEventsUrl"]["Description"] == "where failed S3 events end up"


def test_reset_empties_every_resource_without_firing_events(cloud: LocalCloud) -> None:
    outputs = cloud.outputs
    s3 = cloud.client("s3")
    s3.put_object(Bucket=outputs["BucketName"], Key="one.txt", Body=b"1")
    s3.put_object(Bucket=outputs["BucketName"], Key="one.txt", Body=b"2")
    s3.delete_object(Bucket=outputs["BucketName"], Key="one.txt")  # leaves a delete marker
    cloud.client("sqs").send_message(QueueUrl=outputs["FailedEventsUrl"], MessageBody="stale")
    assert cloud.wait_idle(30)
    assert cloud.invocations("Recorder")

    cloud.reset()

    assert cloud.invocations("Recorder") == []
    assert cloud.log_lines("Recorder") == []
    versions = s3.list_object_versions(Bucket=outputs["BucketName"])
    assert "Versions" not in versions and "DeleteMarkers" not in versions
    assert cloud.client("dynamodb").scan(TableName=outputs["TableName"])["Count"] == 0
    sqs = cloud.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=outputs["FailedEventsUrl"], WaitTimeSeconds=0)
    assert cloud.wait_idle(5)
    assert cloud.invocations("Recorder") == []  # emptying the bucket invoked nothing
    # The resources themselves are still there, and still wired.
    s3.put_object(Bucket=outputs["BucketName"], Key="two.txt", Body=b"2")
    assert cloud.wait_idle(30)
    assert len(cloud.invocations("Recorder")) == 1
    sqs.purge_queue(QueueUrl=outputs["FailedEventsUrl"])  # reset did not use up the 60 s purge quota


def test_log_lines_go_to_one_file_per_function(
    clean: LocalCloud, project: Path, samlite_lines: list[tuple[str, str]]
) -> None:
    name = clean.stack.functions["Unprivileged"].function_name
    _invoke(clean, name, {"log": "me"})
    log_file = project / ".samlite" / "logs" / "Unprivileged.log"
    text = log_file.read_text()
    assert "echo version" in text and "REPORT RequestId:" in text
    assert ("Unprivileged", "echo version 1") in samlite_lines


def test_unsupported_resources_are_listed_once_at_start(samlite_lines: list[tuple[str, str]]) -> None:
    mentions = [line for source, line in samlite_lines if "AWS::CloudWatch::Dashboard" in line]
    assert len(mentions) == 1
    assert "Setting" in mentions[0]
    assert all(source == "samlite" for source, line in samlite_lines if "AWS::CloudWatch::Dashboard" in line)


def test_a_code_change_recycles_the_functions_warm_workers(clean: LocalCloud, project: Path) -> None:
    name = clean.stack.functions["Unprivileged"].function_name
    first = json.loads(_invoke(clean, name, {})["Payload"].read())
    warm = _invoke(clean, name, {})
    assert json.loads(warm["Payload"].read())["version"] == first["version"]
    assert clean.invocations("Unprivileged")[-1].result.cold_start is False

    source = project / "unprivileged" / "app.py"
    source.write_text(source.read_text().replace("VERSION = 1", "VERSION = 2"))
    log_file = project / ".samlite" / "logs" / "samlite.log"
    wait_until(
        lambda: "Unprivileged: code changed (app.py)" in log_file.read_text(), "the code change to be logged"
    )

    changed = json.loads(_invoke(clean, name, {})["Payload"].read())
    assert changed["version"] == 2
    assert clean.invocations("Unprivileged")[-1].result.cold_start is True


def test_the_endpoint_answers_plain_http(cloud: LocalCloud) -> None:
    # boto3 aside, any HTTP client reaches the same endpoint (the AWS CLI, curl...).
    response = requests.get(cloud.url + "/", timeout=5)
    assert response.status_code in (200, 403)


def test_a_port_in_use_is_a_one_line_error_and_leaves_nothing_running(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cloud = LocalCloud(CloudOptions(template=project / "template.yaml", port=port, watch=False))
        with pytest.raises(EndpointError) as raised:
            cloud.start()
    message = str(raised.value)
    assert str(port) in message and "\n" not in message
    with pytest.raises(CloudError):
        _ = cloud.url  # stopped: nothing is left bound or running


def test_a_template_error_stops_the_endpoint_it_had_started(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources:\n  Thing:\n    Type: AWS::S3::Bucket\n    Properties: [1]\n")
    cloud = LocalCloud(CloudOptions(template=broken, port=0, watch=False, state_dir=tmp_path / "state"))
    with pytest.raises(TemplateError) as raised:
        cloud.start()
    assert "Thing" in str(raised.value)
    with pytest.raises(CloudError):
        _ = cloud.url


def test_an_unknown_debug_function_is_refused_before_anything_runs(tmp_path: Path, project: Path) -> None:
    options = cloud_options(
        project / "template.yaml", stack="lc", state_dir=tmp_path, debug_port=5899, debug_function="Nope"
    )
    with pytest.raises(TemplateError, match="Nope"):
        LocalCloud(options).start()


def test_a_second_start_in_the_same_process_sees_its_own_stack(cloud: LocalCloud, project: Path) -> None:
    with running_cloud(project / "template.yaml", stack="lc", state_dir=project / ".samlite-other") as other:
        assert other.url != cloud.url
        assert other.outputs["BucketName"] != cloud.outputs["BucketName"]
        try:
            other.client("s3").head_bucket(Bucket=other.outputs["BucketName"])
        except ClientError as error:  # pragma: no cover - the assertion message is the point
            raise AssertionError(f"the second stack's bucket is missing: {error}") from error


def test_stop_removes_the_stack_so_the_same_template_starts_again_in_this_process(project: Path) -> None:
    options = cloud_options(project / "template.yaml", stack="lc", state_dir=project / ".samlite-again")
    watchers_before = _code_watchers()
    with LocalCloud(replace(options, watch=True)) as first:
        assert len(_code_watchers()) == len(watchers_before) + 1
        bucket = first.outputs["BucketName"]
        first.client("s3").put_object(Bucket=bucket, Key="left-over.txt", Body=b"x")
        assert first.wait_idle(30)
    assert _code_watchers() == watchers_before  # the watcher thread stops with the cloud
    with LocalCloud(options) as second:  # same names: the roles, bucket and table were removed
        assert _code_watchers() == watchers_before  # watch=False (--no-watch): no watcher at all
        assert second.outputs["BucketName"] == bucket
        assert second.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0
        assert second.client("dynamodb").scan(TableName=second.outputs["TableName"])["Count"] == 0


def _code_watchers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "samlite-code-watch"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_lines_carry_the_function_id_coloured_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = _Tty()
    TerminalPrinter(tty)("Recorder", "hello")
    assert "\033[" in tty.getvalue() and tty.getvalue().endswith("| hello\n")

    piped = io.StringIO()
    printer = TerminalPrinter(piped)
    printer("Recorder", "hello")
    printer("samlite", "samlite: ready")
    assert piped.getvalue() == "Recorder | hello\nsamlite  | ready\n"

    monkeypatch.setenv("NO_COLOR", "1")
    no_colour = _Tty()
    TerminalPrinter(no_colour)("Recorder", "hello")
    assert no_colour.getvalue() == "Recorder | hello\n"


def test_log_stream_appends_each_source_to_its_own_file(tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []
    stream = LogStream(tmp_path / "logs", sink=lambda source, line: seen.append((source, line)))
    stream.write("Recorder", "one")
    stream.write("samlite", "samlite: two", echo=False)
    stream.write("Recorder", "three")
    stream.close()
    assert (tmp_path / "logs" / "Recorder.log").read_text() == "one\nthree\n"
    assert (tmp_path / "logs" / "samlite.log").read_text() == "samlite: two\n"
    assert seen == [("Recorder", "one"), ("Recorder", "three")]


def test_a_template_with_an_api_is_served_by_the_local_gateway(tmp_path: Path) -> None:
    options = cloud_options(FIXTURE / "api" / "template.yaml", stack="lc", state_dir=tmp_path)
    with LocalCloud(options) as cloud:
        [base] = cloud.api_urls.values()
        assert requests.get(f"{base}/hello/world", timeout=30).status_code == 403  # ApiKeyRequired
        [(key_logical_id, key_value)] = cloud.api_keys.items()
        response = requests.get(f"{base}/hello/world", headers={"x-api-key": key_value}, timeout=30)
        assert response.status_code == 200
        assert response.json() == {"hello": "world"}
        [record] = cloud.invocations("Hello")
        assert record.source == "apigateway"
        # The output naming the deployed execute-api URL reads the local one, everywhere.
        local = cloud.outputs["ApiUrl"]
        assert local.startswith(base)
        assert json.loads((tmp_path / "outputs.json").read_text())["ApiUrl"] == local
        [stack] = cloud.client("cloudformation").describe_stacks(StackName=options.stack_name)["Stacks"]
        assert stack["Outputs"][0]["OutputValue"] == local
        # The key's value is found as on AWS: apigateway get-api-key --include-value on its id.
        key_id = cloud.stack.resources[key_logical_id].ref
        found = cloud.client("apigateway").get_api_key(apiKey=key_id, includeValue=True)
        assert (found["value"], found["enabled"]) == (key_value, True)


def test_the_async_invoke_callback_is_given_each_events_source() -> None:
    # The source reaches the invoke callback as an argument (the invoker keeps it on each event), not
    # on a bytes subclass attached by a monkeypatched `submit`; two-argument callbacks still work.
    from samlite.model import FunctionSpec, InvocationResult
    from samlite.services.awslambda.async_queue import AsyncInvoker

    spec = FunctionSpec(
        logical_id="Fn",
        function_name="stack-Fn",
        handler="app.handler",
        runtime="python3.11",
        code_uri=Path("."),
    )
    seen: list[tuple[bytes, str, type]] = []

    def with_source(spec: FunctionSpec, payload: bytes, *, source: str = "none") -> InvocationResult:
        seen.append((payload, source, type(payload)))
        return InvocationResult(request_id="r", payload=b"null")

    def plain(spec: FunctionSpec, payload: bytes) -> InvocationResult:
        seen.append((payload, "plain", type(payload)))
        return InvocationResult(request_id="r", payload=b"null")

    for invoke, source in ((with_source, "s3"), (with_source, "destination"), (plain, "lambda-api")):
        invoker = AsyncInvoker(invoke, send_to_target=lambda *_: None, log=lambda _line: None)
        invoker.submit(spec, b"{}", source=source)
        assert invoker.wait_idle(10), "the queued event was not run"
        invoker.close()
    assert seen == [(b"{}", "s3", bytes), (b"{}", "destination", bytes), (b"{}", "plain", bytes)]


def test_local_cloud_leaves_the_invokers_submit_alone(clean: LocalCloud) -> None:
    assert clean._delivery is not None
    assert "submit" not in vars(clean._delivery.invoker), "AsyncInvoker.submit is monkeypatched"
