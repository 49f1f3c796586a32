"""Wait for a Callback with Task Token: `.waitForTaskToken` tasks pause until SendTaskSuccess or
SendTaskFailure names their token.

The fixture's `Callback` state machine sends its token to an SQS queue (`sqs:sendMessage.
waitForTaskToken`), where the test plays the worker, then hands a second token to the `Approver`
function (`lambda:invoke.waitForTaskToken`), which answers with its own role (SAM's
StepFunctionsCallbackPolicy, scoped to the state machine). References: "Wait for a Callback with Task
Token" in the Step Functions developer guide (the task's result is the output given to
SendTaskSuccess; SendTaskFailure's error and cause fail the task, and Retry / Catch see them), and the
SendTaskSuccess / SendTaskFailure API reference (InvalidToken for a token no task waits on).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.services.stepfunctions.conftest import arn_of, details, history, wait_until_done

TOKEN_TIMEOUT_S = 20.0


def _task_message(cloud: LocalCloud, request_id: str) -> dict[str, Any]:
    """The message the `Ask` task sent for this request (other tests' messages are put back)."""
    sqs = cloud.client("sqs")
    queue = cloud.stack.resources["Approvals"].ref
    deadline = time.monotonic() + TOKEN_TIMEOUT_S
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            body = json.loads(message["Body"])
            if body["request"].get("id") == request_id:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                return dict(body)
            sqs.change_message_visibility(
                QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    raise AssertionError(f"no task token message for {request_id} in {TOKEN_TIMEOUT_S} s")


def _start(cloud: LocalCloud, sfn: Any) -> tuple[str, str]:
    request_id = uuid.uuid4().hex
    started = sfn.start_execution(
        stateMachineArn=arn_of(cloud, "Callback"), input=json.dumps({"id": request_id})
    )
    return started["executionArn"], request_id


def test_send_task_success_gives_the_task_its_output_and_the_workflow_goes_on(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    execution_arn, request_id = _start(states_cloud, sfn)
    message = _task_message(states_cloud, request_id)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"  # paused on the token
    sfn.send_task_success(taskToken=message["token"], output=json.dumps({"granted": 3}))

    described = wait_until_done(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["answer"] == {"granted": 3}  # the callback's output, at the task's ResultPath
    approver = states_cloud.stack.functions["Approver"].function_name
    assert output["approval"] == {"approved": True, "by": approver}  # the function answered its own token

    events = history(sfn, execution_arn)
    ask = [e["type"] for e in events if details(e).get("resource") == "sendMessage.waitForTaskToken"]
    assert ask == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    succeeded = next(e for e in events if e["type"] == "TaskSucceeded")
    assert json.loads(details(succeeded)["output"]) == {"granted": 3}


def test_send_task_failure_fails_the_task_with_its_error_and_cause_for_catch(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    execution_arn, request_id = _start(states_cloud, sfn)
    message = _task_message(states_cloud, request_id)
    sfn.send_task_failure(taskToken=message["token"], error="Rejected", cause="no budget left")

    described = wait_until_done(sfn, execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Refused",
        "the request was rejected",
    )
    events = history(sfn, execution_arn)
    failed = next(e for e in events if e["type"] == "TaskFailed")
    assert (details(failed)["error"], details(failed)["cause"]) == ("Rejected", "no budget left")
    exited = next(e for e in events if e["type"] == "TaskStateExited")
    assert json.loads(details(exited)["output"])["rejection"] == {
        "Error": "Rejected",
        "Cause": "no budget left",
    }
    assert [e["type"] for e in events][-2:] == ["FailStateEntered", "ExecutionFailed"]


@pytest.mark.parametrize("answer", ["success", "failure"])
def test_a_token_no_task_waits_on_is_an_invalid_token(sfn: Any, answer: str) -> None:
    with pytest.raises(ClientError) as refused:
        if answer == "success":
            sfn.send_task_success(taskToken="not-a-token", output="{}")
        else:
            sfn.send_task_failure(taskToken="not-a-token", error="E")
    assert refused.value.response["Error"]["Code"] == "InvalidToken"


def test_a_token_answered_once_cannot_be_answered_again(states_cloud: LocalCloud, sfn: Any) -> None:
    execution_arn, request_id = _start(states_cloud, sfn)
    message = _task_message(states_cloud, request_id)
    sfn.send_task_success(taskToken=message["token"], output="{}")
    wait_until_done(sfn, execution_arn)
    with pytest.raises(ClientError) as refused:
        sfn.send_task_success(taskToken=message["token"], output="{}")
    assert refused.value.response["Error"]["Code"] in ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")
