"""One local cloud for every Step Functions test: the fixture template, IAM on, real workers.

A start costs a couple of seconds, so each test module shares one (module scope: a wider scope would
outlive the directory, these test folders being no packages, and leave moto's IAM switch on for the
rest of the session); each test starts executions of its own and reads their history. Helpers:
`run()` starts an execution and waits for it to end, `history()` reads its events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import running_cloud

FIXTURE = Path(__file__).parent / "fixtures"
EXECUTION_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def states_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    state_dir = tmp_path_factory.mktemp("states") / ".samlite"
    with running_cloud(FIXTURE / "template.yaml", stack="sfn", state_dir=state_dir) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def sfn(states_cloud: LocalCloud) -> Any:
    return states_cloud.client("stepfunctions")


def arn_of(cloud: LocalCloud, logical_id: str) -> str:
    return cloud.stack.resources[logical_id].ref


def wait_until_done(sfn: Any, execution_arn: str, timeout: float = EXECUTION_TIMEOUT_S) -> dict[str, Any]:
    """DescribeExecution once the execution is no longer RUNNING (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return dict(described)
        if time.monotonic() > deadline:
            raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")
        time.sleep(0.02)


def run(cloud: LocalCloud, sfn: Any, logical_id: str, payload: Any, **kwargs: Any) -> dict[str, Any]:
    started = sfn.start_execution(
        stateMachineArn=arn_of(cloud, logical_id), input=json.dumps(payload), **kwargs
    )
    return wait_until_done(sfn, started["executionArn"])


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution_arn, **({"nextToken": token} if token else {})
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def details(event: dict[str, Any]) -> dict[str, Any]:
    """The one `...EventDetails` member of a history event ({} when it has none)."""
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})


def as_role(cloud: LocalCloud, role_logical_id: str, service: str, principal: str) -> Any:
    """A client signed with a session of one of the template's roles, as the AWS service that
    assumes it would sign (API Gateway for an integration's credentials, EventBridge for a target)."""
    import boto3
    from botocore.config import Config

    from samlite.iam.role_sessions import RoleSessions

    # The embedded AWS itself: roles trusting a service are assumed in-process, as samlite does.
    aws = cloud._require_aws()
    role_arn = str(cloud.stack.resources[role_logical_id].attributes["Arn"])
    credentials = RoleSessions(aws).credentials(role_arn, principal, "samlite-tests")
    return boto3.client(
        service,
        endpoint_url=cloud.url,
        region_name=cloud.options.region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False),
    )
