"""A published version runs as Lambda runs it: in execution environments of its own, with
`AWS_LAMBDA_FUNCTION_VERSION` and `context.function_version` its number, its log stream named
`YYYY/MM/DD/[N]...`, `START RequestId: ... Version: N`, and `context.invoked_function_arn` the ARN the
caller named ("Defined runtime environment variables", "Lambda context object in Python",
"Lambda function versions" in the Lambda developer guide)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from samlite.runtime import LambdaRuntime
from tests.samlite.runtime.runtime_specs import make_spec


def _run(runtime: LambdaRuntime, spec, **options) -> tuple[dict, list[str]]:
    result = runtime.invoke(spec, b"{}", **options)
    assert result.error_type is None, result.payload
    return json.loads(result.payload), result.log_lines


def test_a_version_reports_its_number_everywhere_lambda_does(runtime: LambdaRuntime) -> None:
    latest = make_spec("app.echo", logical_id="EchoVersioned")
    version = replace(latest, version="3")
    body, lines = _run(runtime, version)
    assert body["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == "3"
    assert body["context"]["function_version"] == "3"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[3\][0-9a-f]{32}", body["context"]["log_stream_name"])
    assert body["context"]["invoked_function_arn"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:samlite-EchoVersioned:3"
    )
    assert any(re.fullmatch(r"START RequestId: \S+ Version: 3", line) for line in lines)
    latest_body, latest_lines = _run(runtime, latest)
    assert latest_body["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert any(line.endswith("Version: $LATEST") for line in latest_lines)


def test_the_invoked_arn_is_the_one_the_caller_named(runtime: LambdaRuntime) -> None:
    spec = replace(make_spec("app.echo", logical_id="EchoAliased"), version="1")
    alias_arn = "arn:aws:lambda:eu-west-1:123456789012:function:samlite-EchoAliased:live"
    body, _ = _run(runtime, spec, invoked_arn=alias_arn)
    assert body["context"]["invoked_function_arn"] == alias_arn
    assert body["context"]["function_version"] == "1"


def test_versions_keep_their_own_warm_workers(runtime: LambdaRuntime) -> None:
    latest = make_spec("app.echo", logical_id="EchoPools")
    one = replace(latest, version="1")
    first_latest, _ = _run(runtime, latest)
    first_one, _ = _run(runtime, one)
    again_latest, _ = _run(runtime, latest)
    again_one, _ = _run(runtime, one)
    assert again_latest["pid"] == first_latest["pid"] != first_one["pid"] == again_one["pid"]
    assert runtime.worker_count("EchoPools") == 2
    runtime.recycle("EchoPools")  # code changed: every version's idle workers go
    assert runtime.worker_count("EchoPools") == 0
