"""An execution's steps appear in the log stream, under the state machine's logical id, as they happen.

Each history event (the GetExecutionHistory API reference's event types) becomes one line prefixed
with the execution's name, as a function's lines are prefixed with its id: in `log_lines(id)`,
in `.samlite/logs/<id>.log` and in `samlite start`'s output.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from samlite.cloud.local_cloud import LocalCloud
from samlite.moto_changes.stepfunctions_history import ExecutionRef
from samlite.services.stepfunctions.execution_log import MAX_VALUE, ExecutionLog, base_arn, history_line
from tests.samlite.services.stepfunctions.conftest import run

REF = ExecutionRef(
    "arn:aws:states:us-east-1:123456789012:execution:M:e1",
    "e1",
    "arn:aws:states:us-east-1:123456789012:stateMachine:M",
)


def _lines_of(cloud: LocalCloud, logical_id: str, name: str, last: str, timeout: float = 10.0) -> list[str]:
    """The execution's lines once its last event is logged (the log trails DescribeExecution a little)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in cloud.log_lines(logical_id) if line.startswith(f"[{name}] ")]
        if any(line.startswith(f"[{name}] {last}") for line in lines):
            return lines
        assert time.monotonic() < deadline, lines
        time.sleep(0.02)


def test_an_executions_steps_are_logged_in_history_order(states_cloud: LocalCloud, sfn: Any) -> None:
    name = f"logged-{uuid.uuid4().hex[:8]}"
    run(states_cloud, sfn, "Child", {"value": 4}, name=name)
    lines = _lines_of(states_cloud, "Child", name, "ExecutionSucceeded")
    assert lines == [
        f'[{name}] ExecutionStarted input={{"value": 4}}',
        f"[{name}] TaskStateEntered DoubleIt",
        f"[{name}] TaskScheduled resource=lambda:invoke",
        f"[{name}] TaskStarted resource=lambda:invoke",
        lines[4],  # TaskSucceeded, with Lambda's whole Invoke result
        f'[{name}] TaskStateExited DoubleIt output={{"value":8}}',
        f'[{name}] ExecutionSucceeded output={{"value":8}}',
    ]
    assert lines[4].startswith(f"[{name}] TaskSucceeded resource=lambda:invoke output=")
    # The task ran the template's function, whose own lines are under its own id.
    assert any(line.startswith("REPORT RequestId:") for line in states_cloud.log_lines("Double"))


def test_the_lines_are_in_the_state_machines_log_file(states_cloud: LocalCloud, sfn: Any) -> None:
    name = f"filed-{uuid.uuid4().hex[:8]}"
    run(states_cloud, sfn, "Child", {"value": 1}, name=name)
    _lines_of(states_cloud, "Child", name, "ExecutionSucceeded")
    log_file = states_cloud.options.state_dir / "logs" / "Child.log"
    assert f"[{name}] ExecutionSucceeded" in log_file.read_text()


def test_failures_are_logged_with_error_and_cause(states_cloud: LocalCloud, sfn: Any) -> None:
    name = f"failing-{uuid.uuid4().hex[:8]}"
    run(states_cloud, sfn, "NoInvoke", {"value": 1}, name=name)
    lines = _lines_of(states_cloud, "NoInvoke", name, "ExecutionFailed")
    assert any(
        line.startswith(f"[{name}] LambdaFunctionFailed error=Lambda.AWSLambdaException cause=User: ")
        for line in lines
    )
    assert lines[-1].startswith(f"[{name}] ExecutionFailed error=Lambda.AccessDeniedException cause=")


def test_a_line_names_the_event_its_state_and_its_outcome() -> None:
    assert history_line(
        REF, {"type": "MapIterationStarted", "mapIterationStartedEventDetails": {"name": "Each", "index": 2}}
    ) == ("[e1] MapIterationStarted Each[2]")
    failed = {
        "type": "TaskFailed",
        "taskFailedEventDetails": {
            "resourceType": "sqs",
            "resource": "sendMessage",
            "error": "SQS.X",
            "cause": "why",
        },
    }
    assert history_line(REF, failed) == "[e1] TaskFailed resource=sqs:sendMessage error=SQS.X cause=why"
    assert history_line(REF, {"type": "LambdaFunctionStarted"}) == "[e1] LambdaFunctionStarted"


def test_long_values_are_cut_and_state_inputs_are_left_to_the_history() -> None:
    big = json.dumps({"data": "x" * 1000})
    line = history_line(
        REF, {"type": "TaskStateExited", "stateExitedEventDetails": {"name": "S", "output": big}}
    )
    value = line.split("output=", 1)[1]
    assert len(value) == MAX_VALUE and value.endswith("...")
    entered = history_line(
        REF, {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "S", "input": big}}
    )
    assert entered == "[e1] TaskStateEntered S"


def test_only_the_clouds_own_state_machines_are_logged_and_versions_count_as_theirs() -> None:
    written: list[tuple[str, str]] = []
    observer = ExecutionLog(
        {REF.state_machine_arn: "Machine"}, lambda source, line: written.append((source, line))
    )
    observer(REF, {"type": "ExecutionStarted"})
    version = ExecutionRef(REF.execution_arn, "e2", REF.state_machine_arn + ":3")
    observer(version, {"type": "ExecutionStarted"})
    other = ExecutionRef(REF.execution_arn, "e3", REF.state_machine_arn + "Other")
    observer(other, {"type": "ExecutionStarted"})
    assert written == [("Machine", "[e1] ExecutionStarted"), ("Machine", "[e2] ExecutionStarted")]
    assert base_arn(REF.state_machine_arn + ":prod") == REF.state_machine_arn
