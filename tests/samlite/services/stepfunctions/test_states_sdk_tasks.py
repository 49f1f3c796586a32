"""`aws-sdk:` tasks and a Task's own `Credentials` run on the local endpoint, as the role they name.

References: "Use AWS SDK service integrations" (`arn:aws:states:::aws-sdk:<service>:<action>`,
parameters in the API's names, errors as `<service>.<exception>`) and "Task state: Credentials"
(`RoleArn`: the task's call is made as that role instead of the state machine's) in the Step
Functions developer guide.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from samlite.iam.roles import RoleDefinition, create_role
from tests.samlite.embedded import client, running_endpoint, unique

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _role(aws: Any, action: str) -> str:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    return create_role(aws.backend("iam"), RoleDefinition("R", unique("role"), TRUST, {"only": policy}))


@pytest.fixture(scope="module")
def outcome() -> Any:
    with running_endpoint() as endpoint:
        aws = endpoint.aws
        bucket = unique("sdk")
        client(aws, "s3").create_bucket(Bucket=bucket)
        put = {"Bucket": bucket, "Body": "hi"}
        definition = {
            "StartAt": "AsTaskRole",
            "States": {
                "AsTaskRole": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                    "Parameters": {**put, "Key": "allowed.txt"},
                    "Credentials": {"RoleArn": _role(aws, "s3:PutObject")},
                    "ResultPath": "$.put",
                    "Next": "AsExecutionRole",
                },
                "AsExecutionRole": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                    "Parameters": {**put, "Key": "denied.txt"},
                    "End": True,
                },
            },
        }
        sfn = client(aws, "stepfunctions")
        machine = sfn.create_state_machine(
            name=unique("sdk"), definition=json.dumps(definition), roleArn=_role(aws, "sqs:SendMessage")
        )
        execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")[
            "executionArn"
        ]
        deadline = time.monotonic() + 20
        while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        events = sfn.get_execution_history(executionArn=execution)["events"]
        keys = [item["Key"] for item in client(aws, "s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
        yield described, events, keys


def test_a_task_with_credentials_runs_as_that_role(outcome: Any) -> None:
    _, events, keys = outcome
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    assert (
        scheduled["taskScheduledEventDetails"]["taskCredentials"]["roleArn"]
        .split("/")[-1]
        .startswith("role-")
    )
    succeeded = next(e for e in events if e["type"] == "TaskSucceeded")["taskSucceededEventDetails"]
    assert (succeeded["resourceType"], succeeded["resource"]) == ("aws-sdk:s3", "putObject")
    assert json.loads(succeeded["output"])["ETag"]
    assert keys == ["allowed.txt"]


def test_the_execution_role_without_the_permission_fails_the_next_task(outcome: Any) -> None:
    described, events, _ = outcome
    failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    # `<service>.<exception>`: moto names the exception after botocore's model of S3, which names
    # AccessDenied from botocore 1.44 on (s3.AccessDeniedException; s3.s3Exception before).
    assert failed["error"] == described["error"]
    assert failed["error"].startswith("s3.") and failed["error"].endswith("Exception")
    assert failed["cause"].startswith("Access Denied (Service: s3, Status Code: 403, Request ID: ")
    assert described["status"] == "FAILED"
