"""The Step Functions API on the local endpoint answers the SDK in AWS's shapes.

References (Step Functions API reference): StartExecution (a generated UUID when no name is given;
the same name and input while running returns the running execution, otherwise
ExecutionAlreadyExists), StartSyncExecution (EXPRESS only, StateMachineTypeNotSupported otherwise;
200 with the status, output or error and cause), DescribeExecution and GetExecutionHistory (not
for EXPRESS executions), StopExecution (ABORTED), ListExecutions (not for EXPRESS state machines).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.services.stepfunctions.conftest import arn_of, details, history, run, wait_until_done

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _error_code(call: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return str(refused.value.response["Error"]["Code"])


def _execution_prefix(cloud: LocalCloud, logical_id: str, kind: str = "execution") -> str:
    return arn_of(cloud, logical_id).replace(":stateMachine:", f":{kind}:") + ":"


def test_start_execution_without_a_name_names_it_with_a_uuid(states_cloud: LocalCloud, sfn: Any) -> None:
    started = sfn.start_execution(
        stateMachineArn=arn_of(states_cloud, "Workflow"), input='{"value": 1, "items": []}'
    )
    prefix = _execution_prefix(states_cloud, "Workflow")
    assert re.fullmatch(re.escape(prefix) + UUID, started["executionArn"])
    assert started["startDate"].tzinfo is not None
    described = wait_until_done(sfn, started["executionArn"])
    assert described["name"] == started["executionArn"].removeprefix(prefix)


def test_describe_execution_of_a_succeeded_execution(states_cloud: LocalCloud, sfn: Any) -> None:
    name = f"doubled-{uuid.uuid4().hex[:8]}"
    described = run(states_cloud, sfn, "Child", {"value": 5}, name=name)
    assert described["executionArn"] == _execution_prefix(states_cloud, "Child") + name
    assert described["stateMachineArn"] == arn_of(states_cloud, "Child")
    assert (described["name"], described["status"]) == (name, "SUCCEEDED")
    assert described["startDate"] <= described["stopDate"]
    assert json.loads(described["input"]) == {"value": 5}
    assert json.loads(described["output"]) == {"value": 10}
    assert described["inputDetails"] == described["outputDetails"] == {"included": True}
    assert "error" not in described and "cause" not in described


def test_describe_execution_of_a_failed_execution_has_error_and_cause_and_no_output(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    described = run(states_cloud, sfn, "NoInvoke", {"value": 1})
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.AccessDeniedException"
    assert described["cause"]
    assert "output" not in described


def test_the_same_name_again_is_the_running_execution_or_execution_already_exists(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    arn, name = arn_of(states_cloud, "Callback"), f"once-{uuid.uuid4().hex[:8]}"
    first = sfn.start_execution(stateMachineArn=arn, name=name, input='{"id": "x"}')
    again = sfn.start_execution(stateMachineArn=arn, name=name, input='{"id": "x"}')
    assert again["executionArn"] == first["executionArn"]  # running, same input: the same execution
    assert _error_code(lambda: sfn.start_execution(stateMachineArn=arn, name=name, input='{"id": "y"}')) == (
        "ExecutionAlreadyExists"
    )
    sfn.stop_execution(executionArn=first["executionArn"])


def test_stop_execution_aborts_a_running_execution(states_cloud: LocalCloud, sfn: Any) -> None:
    started = sfn.start_execution(stateMachineArn=arn_of(states_cloud, "Callback"), input='{"id": "stop"}')
    deadline = time.monotonic() + 20
    while not any(e["type"] == "TaskSubmitted" for e in history(sfn, started["executionArn"])):
        assert time.monotonic() < deadline, "the callback task never started"
        time.sleep(0.02)
    stopped = sfn.stop_execution(
        executionArn=started["executionArn"], error="Operator", cause="no longer needed"
    )
    assert stopped["stopDate"].tzinfo is not None
    described = wait_until_done(sfn, started["executionArn"])
    assert described["status"] == "ABORTED"
    aborted = history(sfn, started["executionArn"])[-1]
    assert aborted["type"] == "ExecutionAborted"
    assert details(aborted) == {"error": "Operator", "cause": "no longer needed"}


def test_get_execution_history_in_reverse_order(states_cloud: LocalCloud, sfn: Any) -> None:
    described = run(states_cloud, sfn, "Child", {"value": 1})
    forward = history(sfn, described["executionArn"])
    backward = sfn.get_execution_history(executionArn=described["executionArn"], reverseOrder=True)["events"]
    assert [e["id"] for e in backward] == [e["id"] for e in reversed(forward)]
    assert [e["type"] for e in forward][:2] == ["ExecutionStarted", "TaskStateEntered"]
    scheduled = next(e for e in forward if e["type"] == "TaskScheduled")
    assert (details(scheduled)["resourceType"], details(scheduled)["resource"]) == ("lambda", "invoke")


def test_list_executions_of_a_standard_state_machine(states_cloud: LocalCloud, sfn: Any) -> None:
    described = run(states_cloud, sfn, "Child", {"value": 2})
    listed = sfn.list_executions(stateMachineArn=arn_of(states_cloud, "Child"))["executions"]
    item = next(e for e in listed if e["executionArn"] == described["executionArn"])
    assert (item["status"], item["name"], item["stateMachineArn"]) == (
        "SUCCEEDED",
        described["name"],
        arn_of(states_cloud, "Child"),
    )


def test_bad_input_and_bad_names_are_refused(states_cloud: LocalCloud, sfn: Any) -> None:
    arn = arn_of(states_cloud, "Child")
    assert (
        _error_code(lambda: sfn.start_execution(stateMachineArn=arn, input="{not json"))
        == "InvalidExecutionInput"
    )
    assert (
        _error_code(lambda: sfn.start_execution(stateMachineArn=arn, name="has space", input="{}"))
        == "InvalidName"
    )
    missing = arn.rsplit(":", 1)[0] + ":NoSuchMachine"
    assert (
        _error_code(lambda: sfn.start_execution(stateMachineArn=missing, input="{}"))
        == "StateMachineDoesNotExist"
    )
    unknown = _execution_prefix(states_cloud, "Child") + "never-started"
    assert _error_code(lambda: sfn.describe_execution(executionArn=unknown)) == "ExecutionDoesNotExist"


def test_start_sync_execution_returns_an_express_workflows_result(states_cloud: LocalCloud, sfn: Any) -> None:
    result = sfn.start_sync_execution(
        stateMachineArn=arn_of(states_cloud, "Adder"), name="add", input='{"a": 2, "b": 40}'
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"sum": 42}
    assert json.loads(result["input"]) == {"a": 2, "b": 40}
    assert re.fullmatch(
        re.escape(_execution_prefix(states_cloud, "Adder", "express")) + "add:" + UUID, result["executionArn"]
    )
    assert (result["name"], result["stateMachineArn"]) == ("add", arn_of(states_cloud, "Adder"))
    assert result["startDate"] <= result["stopDate"]


def test_start_sync_execution_of_a_failing_express_workflow_is_200_with_error_and_cause(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    result = sfn.start_sync_execution(
        stateMachineArn=arn_of(states_cloud, "Adder"), input='{"a": "two", "b": 1}'
    )
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (result["status"], result["error"], result["cause"]) == (
        "FAILED",
        "NotANumber",
        "a is not a number",
    )
    assert "output" not in result


def test_start_sync_execution_of_a_standard_state_machine_is_refused(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    code = _error_code(
        lambda: sfn.start_sync_execution(stateMachineArn=arn_of(states_cloud, "Child"), input="{}")
    )
    assert code == "StateMachineTypeNotSupported"


def test_express_executions_run_but_are_not_described_listed_or_stopped(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    name = f"async-{uuid.uuid4().hex[:8]}"
    started = sfn.start_execution(
        stateMachineArn=arn_of(states_cloud, "Adder"), name=name, input='{"a": 1, "b": 1}'
    )
    assert started["executionArn"].startswith(
        _execution_prefix(states_cloud, "Adder", "express") + name + ":"
    )
    execution = started["executionArn"]
    assert _error_code(lambda: sfn.describe_execution(executionArn=execution)) == "InvalidArn"
    assert _error_code(lambda: sfn.get_execution_history(executionArn=execution)) == "InvalidArn"
    assert _error_code(lambda: sfn.stop_execution(executionArn=execution)) == "InvalidArn"
    adder = arn_of(states_cloud, "Adder")
    assert _error_code(lambda: sfn.list_executions(stateMachineArn=adder)) == "StateMachineTypeNotSupported"
    # It ran all the same: its steps are in the state machine's log (CloudWatch Logs, on AWS).
    deadline = time.monotonic() + 20
    while not any(
        line.startswith(f"[{name}] ExecutionSucceeded") for line in states_cloud.log_lines("Adder")
    ):
        assert time.monotonic() < deadline, states_cloud.log_lines("Adder")
        time.sleep(0.02)


def test_a_shell_with_the_clouds_env_reaches_start_sync_execution(
    states_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 puts `sync-` before the host of StartSyncExecution's endpoint ("sync-127.0.0.1" does not
    resolve): `.samlite/env` and the functions' environment turn that off for the local endpoint."""
    import boto3

    env = states_cloud.env()
    assert env["AWS_DISABLE_HOST_PREFIX_INJECTION"] == "true"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    plain = boto3.client("stepfunctions")  # everything from the environment, as after `source .samlite/env`
    result = plain.start_sync_execution(
        stateMachineArn=arn_of(states_cloud, "Adder"), input='{"a": 1, "b": 2}'
    )
    assert json.loads(result["output"]) == {"sum": 3}
