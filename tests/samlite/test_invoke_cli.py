"""`samlite invoke` and `samlite.api.invoke` on the fixture template in tests/samlite/functions."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from samlite import api
from samlite.cli import main

TEMPLATE = Path(__file__).resolve().parent / "functions" / "template.yaml"


def run_cli(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["invoke", "-t", str(TEMPLATE), *args])
    out, err = capfd.readouterr()
    return status, out, err


def test_invoke_prints_the_response_and_streams_logs(capfd, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [{"s3": {"object": {"key": "a+b.txt"}}}]}))
    env_vars = tmp_path / "env.json"
    env_vars.write_text(
        json.dumps({"Parameters": {"FROM_GLOBALS": "overridden"}, "EchoFunction": {"GREETING": "hi"}})
    )
    status, out, err = run_cli(
        capfd,
        "EchoFunction",
        "-e",
        str(event),
        "--env-vars",
        str(env_vars),
        "--parameter-overrides",
        "Stage=prod",
    )
    assert status == 0, err
    body = json.loads(out)
    assert body["event"] == json.loads(event.read_text())
    env = body["env"]
    assert env["STAGE"] == "prod"  # parameter, through Globals
    assert env["FROM_GLOBALS"] == "overridden" and env["GREETING"] == "hi"  # --env-vars
    assert env["REGION_SEEN"] == "us-east-1/samlite"  # pseudo parameters
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "echo-prod"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "5"
    lines = [line for line in err.splitlines() if not line.startswith("samlite invoke: warning: ")]
    assert lines[0].startswith("START RequestId: ") and lines[-2].startswith("END RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ") and "Init Duration: " in lines[-1]


def test_event_from_stdin(capfd, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"from": "stdin"}')))
    status, out, _ = run_cli(capfd, "EchoFunction", "-e", "-")
    assert status == 0 and json.loads(out)["event"] == {"from": "stdin"}


def test_function_error_exits_non_zero_with_lambdas_error_document(capfd) -> None:
    status, out, err = run_cli(capfd, "ErrorFunction")
    assert status == 1
    body = json.loads(out)
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input: none"
    assert "[ERROR] ValueError: bad input: none" in err


def test_timeout_exits_non_zero(capfd, tmp_path: Path) -> None:
    event = tmp_path / "sleep.json"
    event.write_text('{"seconds": 30}')
    status, out, err = run_cli(capfd, "SleepFunction", "-e", str(event))
    assert status == 1
    assert json.loads(out)["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in err and "Status: timeout" in err


def test_json_log_format_function(capfd) -> None:
    status, out, err = run_cli(capfd, "ChattyFunction")
    assert status == 0 and json.loads(out) == "done"
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert records[0]["type"] == "platform.start" and records[-1]["type"] == "platform.report"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NoSuchFunction"], "no function 'NoSuchFunction'"),
        ([], "name the function to invoke"),
        (
            ["EchoFunction", "-e", "/nonexistent/event.json"],
            "cannot read the event file /nonexistent/event.json",
        ),
        (["EchoFunction", "--parameter-overrides", "Stage=staging"], "Stage"),
    ],
)
def test_bad_input_is_one_clear_line_and_status_2(capfd, args: list[str], message: str) -> None:
    status, out, err = run_cli(capfd, *args)
    assert status == 2 and out == ""
    assert err.startswith("samlite invoke: error: ") and message in err
    assert "Traceback" not in err


def test_invalid_json_event_is_rejected_before_any_worker_starts(capfd, tmp_path: Path) -> None:
    event = tmp_path / "bad.json"
    event.write_text("{not json")
    status, _, err = run_cli(capfd, "EchoFunction", "-e", str(event))
    assert status == 2 and f"the event from {event} is not valid JSON" in err


def test_console_script_entry_point(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "samlite", "invoke", "ExitFunction", "-t", str(TEMPLATE.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["errorType"] == "Runtime.ExitError"
    assert (
        "about to exit" in completed.stderr and "Runtime exited with error: exit status 3" in completed.stderr
    )


def test_python_api_invoke(tmp_path: Path) -> None:
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"EchoFunction": {"GREETING": "from file"}}))
    lines: list[tuple[str, str]] = []
    result = api.invoke(
        TEMPLATE,
        "echo-dev",
        {"k": 1},
        parameter_overrides=["Greeting=ignored"],
        env_vars=env_vars,
        log_sink=lambda function_id, line: lines.append((function_id, line)),
    )
    assert not result.failed and result.cold_start
    body = json.loads(result.payload)
    assert body["event"] == {"k": 1} and body["env"]["GREETING"] == "from file"
    assert lines and all(function_id == "EchoFunction" for function_id, _ in lines)
    assert [line for _, line in lines] == result.log_lines
    with pytest.raises(api.TemplateError, match="NoSuch"):
        api.invoke(TEMPLATE, "NoSuch")
