"""The AWS clients of moto's state machine tasks: samlite's endpoint, signed with the execution's role.

moto's interpreter calls every service a task names (Lambda, SQS, SNS, DynamoDB, EventBridge, nested
Step Functions executions, S3 for Map's ItemReader and ResultWriter, any `aws-sdk:` integration)
through `boto_client_for(region, service, state_credentials)`, which makes a boto3 client for
`http://localhost:<moto server port>` with the access key "ak" and ignores the credentials: on a
samlite endpoint every such call would miss, and no task would run under its state machine's role.

Here `boto_client_for` asks the client factories samlite registered (`use`, newest first, one per
running endpoint) for a client of that service signed as `state_credentials.role_arn` (the state
machine's role, or the Task's `Credentials.RoleArn`); a factory answers None when its endpoint is not
running. The name is replaced in every module of the interpreter that imported it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# (service, region, role ARN or None) -> a boto3 client, or None when this factory cannot serve.
ClientFactory = Callable[[str, str, "str | None"], Any]

_ASL = "moto.stepfunctions.parser.asl"
_TASK = f"{_ASL}.component.state.exec.state_task"
_MAP = f"{_ASL}.component.state.exec.state_map"
# Every module of moto's interpreter that calls boto_client_for (found with `grep -rl boto_client_for`).
USERS = (
    f"{_ASL}.utils.boto_client",
    f"{_TASK}.lambda_eval_utils",
    f"{_TASK}.service.state_task_service_aws_sdk",
    f"{_TASK}.service.state_task_service_batch",
    f"{_TASK}.service.state_task_service_dynamodb",
    f"{_TASK}.service.state_task_service_ecs",
    f"{_TASK}.service.state_task_service_events",
    f"{_TASK}.service.state_task_service_glue",
    f"{_TASK}.service.state_task_service_sfn",
    f"{_TASK}.service.state_task_service_sns",
    f"{_TASK}.service.state_task_service_sqs",
    f"{_TASK}.service.state_task_service_unsupported",
    f"{_MAP}.item_reader.eval.resource_eval_s3",
    f"{_MAP}.result_writer.resource_eval.resource_eval_s3",
)
SIGNATURE = "(region, service, state_credentials=None)"

_lock = threading.Lock()
# Weak references: a factory goes away with the endpoint's services, registered or not.
_factories: list[weakref.ref[Any]] = []


class NoEndpoint(RuntimeError):
    """No running samlite endpoint serves the calls of this state machine's tasks."""


def use(factory: ClientFactory) -> None:
    """Serve tasks' clients from `factory` (asked before those registered earlier), for as long as
    something else holds it: the registry keeps only a weak reference."""
    with _lock:
        _factories[:] = [ref for ref in _factories if ref() is not None]
        _factories.append(weakref.ref(factory))


def release(factory: ClientFactory) -> None:
    with _lock:
        _factories[:] = [ref for ref in _factories if ref() not in (None, factory)]


def task_client(region: str, service: str, state_credentials: Any = None) -> Any:
    """What moto's interpreter gets for `boto_client_for(region, service, state_credentials)`."""
    role_arn = getattr(state_credentials, "role_arn", None)
    with _lock:
        factories = [factory for ref in reversed(_factories) if (factory := ref()) is not None]
    for factory in factories:
        client = factory(service, region, role_arn)
        if client is not None:
            return client
    raise NoEndpoint(f"samlite: no running embedded AWS serves this state machine's {service} calls")


CHANGE = MotoChange(
    name="stepfunctions-task-clients",
    reason="moto's state machine tasks call localhost:5000 as 'ak', not the endpoint as their role",
    patches=tuple(
        Patch(Target(f"{module}:boto_client_for", SIGNATURE), lambda _: task_client) for module in USERS
    ),
    service="stepfunctions",
)
