"""IAM as Step Functions applies it: tasks run as the state machine's role, callers need theirs.

References: "How Step Functions works with IAM" and "Creating an IAM role for your state machine" in
the Step Functions developer guide (a task's call is made with the state machine's role, so a role
without `lambda:InvokeFunction` cannot run a Lambda task); "Handling errors in Step Functions
workflows" (Lambda's errors as `Lambda.<exception>`; a Lambda task named by its function ARN reports an
exception Lambda does not model, such as AccessDeniedException, as `Lambda.AWSLambdaException`, as
in the AWS history quoted in awslabs/aws-deployment-framework#460); "Actions, resources, and
condition keys for AWS Step Functions" (StartExecution is authorized on the state machine's ARN,
which SAM's StepFunctionsExecutionPolicy and the roles of a state machine's events are scoped to).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.services.stepfunctions.conftest import (
    arn_of,
    as_role,
    details,
    history,
    run,
    wait_until_done,
)

LAMBDA_CAUSE = re.compile(
    r"^User: arn:aws:sts::\d{12}:assumed-role/(?P<role>[\w+=,.@-]+)/(?P<session>[A-Za-z]{32}) is not "
    r"authorized to perform: lambda:InvokeFunction.* \(Service: AWSLambda; Status Code: 403; Error Code: "
    r"AccessDeniedException; Request ID: [0-9a-f-]{36}; Proxy: null\)$"
)


@pytest.fixture(scope="module")
def denied(states_cloud: LocalCloud, sfn: Any) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    before = len(states_cloud.invocations("Double"))
    described = run(states_cloud, sfn, "NoInvoke", {"value": 1})
    return (
        described,
        history(sfn, described["executionArn"]),
        len(states_cloud.invocations("Double")) - before,
    )


def test_a_role_without_lambda_invoke_fails_a_task_naming_the_function_arn(
    denied: Any, states_cloud: LocalCloud
) -> None:
    _, events, invoked = denied
    failed = next(e for e in events if e["type"] == "LambdaFunctionFailed")
    assert details(failed)["error"] == "Lambda.AWSLambdaException"
    found = LAMBDA_CAUSE.match(details(failed)["cause"])
    assert found is not None, details(failed)["cause"]
    assert found["role"] == states_cloud.stack.resources["NoInvokeRole"].ref
    assert invoked == 0  # Lambda refused the call: the function never ran
    # The Catcher on Lambda.AWSLambdaException took it, with the same error and cause as output.
    caught = json.loads(details(next(e for e in events if e["previousEventId"] == failed["id"]))["output"])
    assert caught["byArn"] == {"Error": "Lambda.AWSLambdaException", "Cause": details(failed)["cause"]}


def test_a_role_without_lambda_invoke_fails_the_lambda_invoke_integration_with_access_denied(
    denied: Any,
) -> None:
    described, events, _ = denied
    failed = next(e for e in events if e["type"] == "TaskFailed")
    assert details(failed)["error"] == "Lambda.AccessDeniedException"
    assert (details(failed)["resourceType"], details(failed)["resource"]) == ("lambda", "invoke")
    assert "is not authorized to perform: lambda:InvokeFunction" in details(failed)["cause"]
    assert "Error Code: AccessDeniedException" in details(failed)["cause"]
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.AccessDeniedException"
    assert described["cause"] == details(failed)["cause"]


def test_a_function_starts_only_the_state_machines_its_policy_names(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    response = states_cloud.client("lambda").invoke(
        FunctionName=states_cloud.stack.functions["Starter"].function_name
    )
    assert "FunctionError" not in response, response["Payload"].read()
    result = json.loads(response["Payload"].read())
    assert result["sum"] == 5  # StartSyncExecution on Adder (StepFunctionsExecutionPolicy_v2)
    assert result["refused"] == "AccessDeniedException"  # Callback is not in its policies
    assert result["started"].startswith(
        arn_of(states_cloud, "Workflow").replace(":stateMachine:", ":execution:")
    )
    assert wait_until_done(sfn, result["started"])["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("role", "principal"),
    [
        ("WorkflowStartRole", "apigateway.amazonaws.com"),
        ("WorkflowHourlyRole", "events.amazonaws.com"),
        ("WorkflowOrderedRole", "events.amazonaws.com"),
    ],
)
def test_the_roles_sam_generates_for_api_schedule_and_rule_events_start_their_state_machine_only(
    states_cloud: LocalCloud, role: str, principal: str
) -> None:
    """The Api event's role is what API Gateway's integration signs with; the Schedule and
    EventBridgeRule events' roles are the targets' RoleArn EventBridge uses."""
    signed = as_role(states_cloud, role, "stepfunctions", principal)
    started = signed.start_execution(
        stateMachineArn=arn_of(states_cloud, "Workflow"), input='{"value": 1, "items": []}'
    )
    assert started["executionArn"]
    with pytest.raises(ClientError) as refused:
        signed.start_execution(stateMachineArn=arn_of(states_cloud, "Adder"), input="{}")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def test_describing_an_execution_needs_a_policy_on_the_execution(states_cloud: LocalCloud, sfn: Any) -> None:
    """StartExecution does not give DescribeExecution: Starter's role may not read what it started."""
    described = run(states_cloud, sfn, "Workflow", {"value": 1, "items": []})
    as_function = as_role(states_cloud, "StarterRole", "stepfunctions", "lambda.amazonaws.com")
    with pytest.raises(ClientError) as refused:
        as_function.describe_execution(executionArn=described["executionArn"])
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
