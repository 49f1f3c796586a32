"""Helpers for the embedded-AWS tests: a running endpoint, hand-made stacks and functions, a fake
runtime, boto3 clients; and a whole started LocalCloud (`running_project`, `running_cloud`, from
`local_clouds.py`)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from moto import mock_aws

from samlite import moto_changes
from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.iam.function_credentials import FunctionCredentials
from samlite.iam.roles import RoleDefinition, create_role
from samlite.model import Credentials, FunctionSpec, InvocationResult, Resource, ServedRequest
from samlite.services.wiring import LocalServices, attach
from tests.samlite.local_clouds import (  # noqa: F401 (re-exported: one import path for test helpers)
    cloud_options,
    copy_project,
    running_cloud,
    running_project,
    stack_name,
)
from tests.samlite.projects import write_project  # noqa: F401 (re-exported)

ACCOUNT = "123456789012"
T = TypeVar("T")
REGION = "us-east-1"


@contextlib.contextmanager
def changed_moto() -> Iterator[None]:
    """moto in-process (`mock_aws`) with every samlite change applied, as the endpoint has it; the
    changes are undone when the block ends."""
    with mock_aws():
        moto_changes.apply()
        try:
            yield
        finally:
            moto_changes.restore()


def wait_until(condition: Callable[[], T], what: str, timeout: float = 20.0) -> T:
    """Polls `condition()` until it returns something truthy (returned), or fails naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def unique(prefix: str) -> str:
    """moto's backends are global to the process: every test names its resources uniquely."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def client(
    aws: EmbeddedAws,
    service: str,
    credentials: Credentials | dict[str, str] | None = None,
    signature_version: str | None = None,
) -> Any:
    if credentials is None:
        credentials = aws.admin_credentials
    if isinstance(credentials, Credentials):
        credentials = credentials.as_env()
    return boto3.client(
        service,
        endpoint_url=aws.url,
        region_name=aws.region,
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials.get("AWS_SESSION_TOKEN"),
        config=Config(retries={"max_attempts": 1}, signature_version=signature_version),
    )


def create_pk_table(ddb: Any, name: str, **properties: Any) -> str:
    """Creates an on-demand table keyed by a string `pk` through a DynamoDB client (`properties`: any
    other CreateTable argument, a StreamSpecification, say); returns its name."""
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **properties,
    )
    return name


def served_request(
    service: str, method: str = "GET", path: str = "/", query: str = "", **fields: Any
) -> ServedRequest:
    """A request as the endpoint hands it to its observers once served: empty headers (None too) and
    bodies and a 200 unless `fields` (any other ServedRequest field) say otherwise."""
    values: dict[str, Any] = {"body": b"", "status": 200, "response_body": b"", **fields}
    values["headers"] = values.get("headers") or {}
    values["response_headers"] = values.get("response_headers") or {}
    return ServedRequest(service=service, method=method, path=path, query=query, **values)


def credentials_allowed(aws: EmbeddedAws, statements: list[dict[str, Any]]) -> dict[str, str]:
    """The credentials (as environment variables) of a function whose role holds exactly `statements`."""
    role = create_role(
        aws.backend("iam"),
        RoleDefinition(
            logical_id="Caller",
            name=unique("caller-role"),
            assume_role_policy={"Version": "2012-10-17", "Statement": []},
            inline_policies={"p": {"Version": "2012-10-17", "Statement": statements}},
        ),
    )
    return FunctionCredentials(aws).credentials_for(function_spec(unique("caller"), role_arn=role))


def function_spec(name: str, *, role_arn: str | None = None, policies: tuple[Any, ...] = ()) -> FunctionSpec:
    return FunctionSpec(
        logical_id=name.replace("-", "").title(),
        function_name=name,
        handler="app.handler",
        runtime="python3.11",
        code_uri=Path("."),
        role_arn=role_arn,
        policy_documents=policies,
    )


def role_resource(logical_id: str, name: str, statements: list[dict[str, Any]], **extra: Any) -> Resource:
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["lambda.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        "Policies": [
            {
                "PolicyName": f"{logical_id}Policy0",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }
        ],
        **extra,
    }
    return Resource(
        logical_id,
        "AWS::IAM::Role",
        properties,
        ref=name,
        attributes={"Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"},
    )


@dataclass
class FakeStack:
    """Stands in for samlite.template.Stack: the attributes provisioning reads."""

    resources: dict[str, Resource] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    region: str = REGION
    account_id: str = ACCOUNT
    stack_name: str = field(default_factory=lambda: unique("stack"))
    output_details: list[dict[str, str]] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=dict)
    unsupported_functions: dict[str, str] = field(default_factory=dict)

    def add(self, resource: Resource) -> Resource:
        self.resources[resource.logical_id] = resource
        return resource


@dataclass
class FakeRuntime:
    """A LambdaInvokeHandler that records calls and answers what the test set."""

    payload: bytes = b'{"ok": true}'
    error_type: str | None = None
    log_lines: list[str] = field(
        default_factory=lambda: ["START RequestId: r1", "hello", "END RequestId: r1"]
    )
    calls: list[tuple[str, bytes]] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)
    async_calls: list[tuple[str, bytes, str]] = field(default_factory=list)
    raise_error: Exception | None = None
    specs: list[FunctionSpec] = field(default_factory=list)  # what each synchronous call ran

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        trace_id: str | None = None,
        invoked_arn: str | None = None,
    ) -> InvocationResult:
        if self.raise_error is not None:
            raise self.raise_error
        self.calls.append((spec.function_name, payload))
        self.specs.append(spec)
        self.contexts.append(
            {
                "request_id": request_id,
                "client_context": client_context,
                "trace_id": trace_id,
                "invoked_arn": invoked_arn,
            }
        )
        return InvocationResult(
            request_id or "r1", self.payload, error_type=self.error_type, log_lines=list(self.log_lines)
        )

    def invoke_async(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None:
        self.async_calls.append((spec.function_name, payload, request_id))


@dataclass
class Endpoint:
    """A running embedded AWS with samlite's service additions attached, as LocalCloud assembles them."""

    aws: EmbeddedAws
    services: LocalServices


@contextlib.contextmanager
def running_endpoint(*, iam: bool = True) -> Iterator[Endpoint]:
    aws = EmbeddedAws(port=0, iam=iam)
    services = attach(aws)
    aws.start()
    try:
        yield Endpoint(aws, services)
    finally:
        aws.stop()
