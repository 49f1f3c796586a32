"""Invocation outcomes through the real awslambdaric: responses, errors, logs, environment, reuse."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from samlite.runtime import LambdaRuntime, UnsupportedFunctionError
from tests.samlite.runtime.runtime_specs import ECHO, make_spec

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Tab-separated, trailing tab: the REPORT line as CloudWatch shows it.
REPORT = re.compile(
    rf"^REPORT RequestId: (?P<id>{UUID})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: (?P<size>\d+) MB\tMax Memory Used: (?P<used>\d+) MB\t"
    r"(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?"
    r"(?:Status: (?P<status>\w+)\t(?:Error Type: (?P<etype>[\w.]+)\t)?)?$"
)


def invoke_json(runtime: LambdaRuntime, spec, event: object = None, **kwargs):
    result = runtime.invoke(spec, json.dumps(event or {}).encode(), **kwargs)
    return result, json.loads(result.payload)


def test_echo_returns_the_event_and_the_context_lambda_builds(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.echo", logical_id="EchoContext", memory_size=256, timeout=7)
    result, body = invoke_json(
        runtime, spec, {"hello": ["world", 1]}, client_context=json.dumps({"custom": {"a": 1}})
    )
    assert not result.failed
    assert body["event"] == {"hello": ["world", 1]}
    context = body["context"]
    assert context["aws_request_id"] == result.request_id
    assert context["function_name"] == "samlite-EchoContext"
    assert context["function_version"] == "$LATEST"
    assert context["memory_limit_in_mb"] == "256"
    assert (
        context["invoked_function_arn"]
        == "arn:aws:lambda:eu-west-1:123456789012:function:samlite-EchoContext"
    )
    assert context["log_group_name"] == "/aws/lambda/samlite-EchoContext"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert 5000 < context["remaining_ms"] <= 7000  # the deadline header follows the template's Timeout
    assert context["client_context"] == {"a": 1}


def test_environment_is_lambdas_and_nothing_of_the_host(runtime: LambdaRuntime, monkeypatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "developer-real-account")
    spec = make_spec("app.echo", logical_id="EchoEnv", environment={"TABLE": "t1", "AWS_REGION": "ignored"})
    _, body = invoke_json(runtime, spec)
    env = body["env"]
    expected = {
        "TABLE": "t1",
        "_HANDLER": "app.echo",
        "AWS_REGION": "eu-west-1",  # reserved: the template cannot override it
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": "samlite-EchoEnv",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": "3",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/samlite-EchoEnv",
        "AWS_LAMBDA_LOG_FORMAT": "Text",
        "LAMBDA_TASK_ROOT": str(ECHO),
        "TZ": ":UTC",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ACCESS_KEY_ID": "AKIAECHOENV",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
    }
    assert {key: env.get(key) for key in expected} == expected
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == body["context"]["log_stream_name"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert "_X_AMZN_TRACE_ID" in env and env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert "AWS_PROFILE" not in env and "HOME" not in env
    assert not any(key.startswith("PYTEST") for key in env)


def test_python_path_holds_the_code_the_runtime_and_boto3_only(runtime: LambdaRuntime) -> None:
    _, body = invoke_json(runtime, make_spec("app.echo", logical_id="EchoPath"))
    assert body["sys_path"][0] == str(ECHO)
    assert not any("site-packages" in entry for entry in body["sys_path"])
    result, error = invoke_json(runtime, make_spec("app.import_outside_lambda"))
    assert result.error_type == "ModuleNotFoundError" and "yaml" in error["errorMessage"]
    result, boto = invoke_json(runtime, make_spec("app.use_boto3"))
    assert not result.failed and boto["boto3"]


def test_warm_worker_is_reused_and_only_the_cold_start_reports_init(runtime: LambdaRuntime, sink) -> None:
    spec = make_spec("app.echo", logical_id="EchoWarm")
    first, first_body = invoke_json(runtime, spec)
    second, second_body = invoke_json(runtime, spec)
    assert first.cold_start and first.init_duration_ms > 0
    assert not second.cold_start
    assert first_body["pid"] == second_body["pid"] and second_body["count"] == 2
    assert runtime.worker_count("EchoWarm") == 1
    for result in (first, second):
        assert result.log_lines[0] == f"START RequestId: {result.request_id} Version: $LATEST"
        assert result.log_lines[-2] == f"END RequestId: {result.request_id}"
        report = REPORT.match(result.log_lines[-1])
        assert report and report["id"] == result.request_id and report["size"] == "128"
        assert int(report["used"]) == result.max_memory_used_mb
        assert 5 < result.max_memory_used_mb < 128  # measured from the process, not MemorySize
        assert result.billed_duration_ms >= result.duration_ms + (result.init_duration_ms or 0)
    assert REPORT.match(first.log_lines[-1])["init"] is not None
    assert REPORT.match(second.log_lines[-1])["init"] is None
    assert ("EchoWarm", second.log_lines[-1]) in sink.lines


def test_function_error_is_lambdas_error_document(runtime: LambdaRuntime) -> None:
    result, body = invoke_json(runtime, make_spec("app.raise_error"), {"reason": "no key"})
    assert result.error_type == "ValueError"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input: no key"
    assert body["requestId"] == result.request_id
    assert any("raise_error" in frame for frame in body["stackTrace"])
    assert any(line.startswith("[ERROR] ValueError: bad input: no key") for line in result.log_lines)
    assert REPORT.match(result.log_lines[-1])["status"] == "error"


def test_logs_hold_prints_and_logging_records_in_order(runtime: LambdaRuntime) -> None:
    result = runtime.invoke(make_spec("app.chatty"), b"{}")
    assert result.payload == b'"done"'
    body = result.log_lines[1:-2]
    assert body[0] == "hello from print"
    assert body[1] == "to stderr"
    assert re.fullmatch(
        rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT[\d:.]+Z\t{result.request_id}\tstructured {{\"k\": \"v\"}}", body[2]
    )
    assert body[3].startswith("[WARNING]") and body[3].endswith("two\nlines")  # one record, two lines


def test_json_log_format_emits_platform_records_and_json_logs(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.chatty", logical_id="ChattyJson", log_format="JSON", application_log_level="WARN")
    result = runtime.invoke(spec, b"{}")
    first, last = json.loads(result.log_lines[0]), json.loads(result.log_lines[-1])
    assert first["type"] == "platform.start" and first["record"] == {
        "requestId": result.request_id,
        "version": "$LATEST",
    }
    assert last["type"] == "platform.report"
    metrics = last["record"]["metrics"]
    assert set(metrics) == {
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
        "initDurationMs",
    }
    assert last["record"]["status"] == "success"
    records = [json.loads(line) for line in result.log_lines if line.startswith('{"timestamp"')]
    # The function sets its own level (INFO) at import, which wins over AWS_LAMBDA_LOG_LEVEL, as on Lambda.
    assert [record["level"] for record in records] == ["INFO", "WARNING"]
    assert records[1]["message"] == "two\nlines" and records[1]["requestId"] == result.request_id
    assert not any(line.startswith("END") for line in result.log_lines)
    echo = make_spec("app.echo", logical_id="EchoJson", log_format="JSON", application_log_level="WARN")
    env = json.loads(runtime.invoke(echo, b"{}").payload)["env"]
    assert env["AWS_LAMBDA_LOG_FORMAT"] == "JSON" and env["AWS_LAMBDA_LOG_LEVEL"] == "WARN"


def test_import_failure_is_an_init_error_and_the_worker_is_replaced(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.handler", logical_id="BrokenImport", code_uri=ECHO.parent / "broken_import")
    for _ in range(2):  # each attempt is a fresh init, as Lambda retries init on the next invoke
        result, body = invoke_json(runtime, spec)
        assert result.error_type == "Runtime.ImportModuleError"
        assert body["errorType"] == "Runtime.ImportModuleError"
        assert (
            "Unable to import module 'app': No module named 'samlite_no_such_module'" in body["errorMessage"]
        )
        assert result.cold_start
        assert any(line.startswith("INIT_REPORT Init Duration:") for line in result.log_lines)
    assert runtime.worker_count("BrokenImport") == 0


def test_missing_handler_is_handler_not_found(runtime: LambdaRuntime) -> None:
    result, body = invoke_json(runtime, make_spec("app.no_such_function"))
    assert result.error_type == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'no_such_function' missing on module 'app'"


def test_timeout_kills_and_replaces_the_worker(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.sleep", logical_id="Sleeper", timeout=1)
    result, body = invoke_json(runtime, spec, {"seconds": 30})
    assert result.error_type == "Sandbox.Timedout"
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert re.fullmatch(
        rf"[\dT:.-]+Z {result.request_id} Task timed out after 1\.00 seconds", result.log_lines[-3]
    )
    assert REPORT.match(result.log_lines[-1])["status"] == "timeout"
    assert 1000 <= result.duration_ms < 3000
    after, after_body = invoke_json(runtime, spec, {"seconds": 0})
    assert not after.failed and after.cold_start and after_body == {"slept": 0}


@pytest.mark.parametrize(
    ("handler", "event", "reason"),
    [
        ("app.exit_process", {"code": 3}, "exit status 3"),
        ("app.segfault", {}, "signal: segmentation fault"),
    ],
)
def test_dead_runtime_is_exit_error_and_replaced(runtime: LambdaRuntime, handler, event, reason) -> None:
    spec = make_spec(handler)
    result, body = invoke_json(runtime, spec, event)
    assert result.error_type == "Runtime.ExitError"
    assert (
        body["errorMessage"] == f"RequestId: {result.request_id} Error: Runtime exited with error: {reason}"
    )
    assert f"RequestId: {result.request_id} Error: Runtime exited with error: {reason}" in result.log_lines
    assert "Runtime.ExitError" in result.log_lines
    assert runtime.worker_count(spec.logical_id) == 0


def test_memory_above_memory_size_kills_the_worker(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.allocate", logical_id="Hog", memory_size=128, timeout=30)
    small, small_body = invoke_json(runtime, spec, {"mb": 20})
    assert small_body == {"allocated_mb": 20} and small.max_memory_used_mb >= 20
    result, body = invoke_json(runtime, spec, {"mb": 600})
    assert result.error_type == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: signal: killed")
    assert 128 <= result.max_memory_used_mb < 300


def test_busy_function_gets_a_second_worker_and_idle_ones_are_reused(runtime: LambdaRuntime) -> None:
    from concurrent.futures import ThreadPoolExecutor

    spec = make_spec("app.sleep", logical_id="Parallel", timeout=10)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: invoke_json(runtime, spec, {"seconds": 0.5}), range(2)))
    assert all(result.cold_start for result, _ in results)
    assert runtime.worker_count("Parallel") == 2
    again, _ = invoke_json(runtime, spec, {"seconds": 0})
    assert not again.cold_start and runtime.worker_count("Parallel") == 2


def test_recycle_makes_the_next_invocation_cold(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.echo", logical_id="EchoRecycle")
    _, before = invoke_json(runtime, spec)
    runtime.recycle("EchoRecycle")
    result, after = invoke_json(runtime, spec)
    assert result.cold_start and after["pid"] != before["pid"]


def test_oversized_response_fails_like_lambda(runtime: LambdaRuntime, tmp_path: Path) -> None:
    code = tmp_path / "big"
    code.mkdir()
    (code / "big.py").write_text("def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n")
    result, body = invoke_json(runtime, make_spec("big.handler", code_uri=code, logical_id="Big"))
    assert result.error_type == "Function.ResponseSizeTooLarge"
    assert "exceeded maximum allowed payload size (6291456 bytes)" in body["errorMessage"]


def test_unsupported_runtime_is_a_clear_error(runtime: LambdaRuntime) -> None:
    with pytest.raises(
        UnsupportedFunctionError, match=r"function NodeFn: Runtime 'nodejs20.x' is not supported"
    ):
        runtime.invoke(make_spec("index.handler", logical_id="NodeFn", runtime="nodejs20.x"), b"{}")
    with pytest.raises(UnsupportedFunctionError, match=r"function Missing: CodeUri .* is not a directory"):
        runtime.invoke(make_spec("app.echo", logical_id="Missing", code_uri=Path("/nonexistent/code")), b"{}")


def test_close_leaves_no_process_behind(tmp_path: Path) -> None:
    runtime = LambdaRuntime(cache_dir=tmp_path)
    _, body = invoke_json(runtime, make_spec("app.echo", logical_id="EchoClose"))
    assert psutil.pid_exists(body["pid"])
    runtime.close()
    assert not psutil.pid_exists(body["pid"]) or psutil.Process(body["pid"]).status() == psutil.STATUS_ZOMBIE
    with pytest.raises(RuntimeError, match="closed"):
        runtime.invoke(make_spec("app.echo", logical_id="EchoClose"), b"{}")


def test_init_output_comes_before_start_and_handler_output_inside(
    runtime: LambdaRuntime, tmp_path: Path
) -> None:
    code = tmp_path / "ordered"
    code.mkdir()
    (code / "ordered.py").write_text(
        "print('init line')\n\ndef handler(event, context):\n    print('handler line')\n    return 1\n"
    )
    result = runtime.invoke(make_spec("ordered.handler", code_uri=code, logical_id="Ordered"), b"{}")
    assert result.log_lines[:3] == [
        "init line",
        f"START RequestId: {result.request_id} Version: $LATEST",
        "handler line",
    ]
    assert result.log_lines[3] == f"END RequestId: {result.request_id}"


def test_a_changed_definition_gets_fresh_workers(runtime: LambdaRuntime) -> None:
    spec = make_spec("app.echo", logical_id="EchoChanged", environment={"VERSION": "1"})
    _, before = invoke_json(runtime, spec)
    changed = make_spec("app.echo", logical_id="EchoChanged", environment={"VERSION": "2"})
    result, after = invoke_json(runtime, changed)
    assert result.cold_start and after["pid"] != before["pid"] and after["env"]["VERSION"] == "2"


def test_a_replaced_pool_is_dropped_once_its_last_invocation_ends(tmp_path: Path) -> None:
    """The pool of a changed definition is kept (so close() can stop it) only while in use."""
    code = tmp_path / "held"
    code.mkdir()
    (code / "held.py").write_text(
        "import os, pathlib, time\n\n"
        "def handler(event, context):\n"
        "    print('holding', flush=True)\n"
        "    while not pathlib.Path(event['release']).exists():\n"
        "        time.sleep(0.01)\n"
        "    return os.getpid()\n\n"
        "def quick(event, context):\n"
        "    return os.getpid()\n"
    )
    release = tmp_path / "release"
    holding = threading.Event()
    held = make_spec("held.handler", code_uri=code, logical_id="Held", timeout=60)
    changed = dataclasses.replace(held, handler="held.quick")
    with (
        LambdaRuntime(
            cache_dir=tmp_path / "cache", log_sink=lambda _id, line: line == "holding" and holding.set()
        ) as runtime,
        ThreadPoolExecutor(1) as background,
    ):
        in_flight = background.submit(invoke_json, runtime, held, {"release": str(release)})
        assert holding.wait(30) or in_flight.done(), "the first invocation never started"
        assert not in_flight.done(), in_flight.result()
        assert not runtime.invoke(changed, b"{}").failed
        assert len(runtime._retired) == 1, "a replaced pool still running an invocation must be kept"
        release.write_text("")
        result, held_pid = in_flight.result(timeout=30)
        assert not result.failed
        assert not runtime._retired, "a replaced pool must be dropped once its last invocation ended"
        assert not psutil.pid_exists(held_pid) or psutil.Process(held_pid).status() == psutil.STATUS_ZOMBIE, (
            "the worker of a replaced definition must be stopped when its invocation ends"
        )


def test_caller_supplied_trace_header_reaches_the_function(runtime: LambdaRuntime) -> None:
    """The local cloud's recursion guard carries its hop count in the X-Ray Lineage field."""
    header = "Root=1-6744f3a1-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0;Lineage=1:ab12cd34:5"
    spec = make_spec("app.echo", logical_id="EchoTrace")
    result = runtime.invoke(spec, b"{}", trace_id=header)
    assert not result.failed
    assert json.loads(result.payload)["env"]["_X_AMZN_TRACE_ID"] == header
