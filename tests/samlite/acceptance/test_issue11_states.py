"""Issue 11's acceptance, Step Functions part: the shared fixture under `samlite start`, as a user runs
it: the state machine calling two functions runs to its end, a rejected order ends in its Fail state,
and each step is in the output.

The user's side is plain boto3 with `.samlite/env` (Step Functions developer guide, "Starting a state
machine execution"; DescribeExecution, GetExecutionHistory in the API reference).
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.samlite.start_process import READY_TIMEOUT_S, OutputLines, spawn_start

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "apis"  # shared with test_issue11_apis.py


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OutputLines, dict[str, str]]]:
    project = tmp_path_factory.mktemp("issue11")
    shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
    process = spawn_start(
        project, "--port", "0", "--api-port", "0", "--no-watch", "--stack-name", f"acc-{uuid.uuid4().hex[:8]}"
    )
    output = OutputLines(process)
    try:
        output.wait_for("samlite ready", READY_TIMEOUT_S)
        env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (project / ".samlite" / "env").read_text().splitlines()
        )
        outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
        yield output, {**env, "WORKFLOW": outputs["OrderWorkflowArn"]}
    finally:
        process.terminate()
        try:
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _states(env: dict[str, str]) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
    )
    return session.client("stepfunctions", endpoint_url=env["AWS_ENDPOINT_URL"])


def _finished(states: Any, execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (described := states.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{execution_arn} still running"
        time.sleep(0.05)
    return dict(described)


def test_the_state_machine_calls_both_functions_and_succeeds(started: Any) -> None:
    output, env = started
    states = _states(env)
    order = {"order": "o-1", "items": [{"price": 5, "quantity": 2}, {"price": 1, "quantity": 3}]}
    execution = states.start_execution(stateMachineArn=env["WORKFLOW"], name="o-1", input=json.dumps(order))
    described = _finished(states, execution["executionArn"])
    assert described["status"] == "SUCCEEDED"
    result = json.loads(described["output"])
    assert (result["order"], result["charged"]) == ("o-1", 13)
    assert "-ChargeOrder-" in result["by"]  # the second function's generated name
    events = states.get_execution_history(executionArn=execution["executionArn"])["events"]
    kinds = [e["type"] for e in events]
    assert kinds.count("TaskSucceeded") == 1 and kinds.count("LambdaFunctionSucceeded") == 1
    # Each step is in samlite's output under the state machine's id, each function's run under its own.
    output.wait_for("| [o-1] ExecutionSucceeded", 10, anywhere=True)
    text = "\n".join(output.seen)
    assert re.search(r"^OrderWorkflow\s*\| \[o-1\] TaskStateEntered Validate$", text, re.MULTILINE)
    assert re.search(
        r"^OrderWorkflow\s*\| \[o-1\] LambdaFunctionScheduled resource=arn:aws:lambda:", text, re.M
    )
    for function in ("ValidateOrder", "ChargeOrder"):
        assert re.search(rf"^{function}\s*\| REPORT RequestId:", text, re.MULTILINE), function


def test_an_invalid_order_is_caught_into_the_fail_state(started: Any) -> None:
    output, env = started
    states = _states(env)
    execution = states.start_execution(stateMachineArn=env["WORKFLOW"], name="o-2", input='{"order": "o-2"}')
    described = _finished(states, execution["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "OrderRejected",
        "the order could not be validated",
    )
    line = output.wait_for("| [o-2] ExecutionFailed error=OrderRejected", 10, anywhere=True)
    assert line.startswith("OrderWorkflow")
