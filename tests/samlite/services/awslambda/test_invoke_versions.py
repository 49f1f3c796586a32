"""Invoke by logical id, name, ARN, version and alias on the embedded endpoint ("Invoke" in the Lambda
API reference: FunctionName "You can append a version number or alias to any of the formats",
`Qualifier` "Specify a version or alias to invoke a published version of the function"; the response's
`X-Amz-Executed-Version` is "The version of the function that executed")."""

from __future__ import annotations

from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from samlite.services.awslambda.registry import Alias
from tests.samlite.embedded import (
    ACCOUNT,
    REGION,
    FakeRuntime,
    client,
    credentials_allowed,
    function_spec,
    running_endpoint,
    unique,
)


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=True) as running:
        yield running


@pytest.fixture
def runtime(endpoint):
    fake = FakeRuntime()
    endpoint.services.lambda_api.handler = fake
    return fake


@pytest.fixture
def function(endpoint):
    name = unique("fn")
    spec = replace(function_spec(name), logical_id=f"Orders{name[-10:]}")
    registry = endpoint.services.functions
    registry.register(spec)
    registry.publish_version(name, "1")
    registry.add_alias(name, Alias("live", "1"))
    return spec


def _arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


@pytest.mark.parametrize(
    ("form", "qualifier", "version", "invoked"),
    [
        ("{logical_id}", None, "$LATEST", None),
        ("{name}", None, "$LATEST", None),
        ("{arn}", None, "$LATEST", None),
        ("{name}", "live", "1", "live"),
        ("{name}:live", None, "1", "live"),
        ("{arn}:live", None, "1", "live"),
        ("{logical_id}:live", None, "1", "live"),
        ("{name}", "1", "1", "1"),
        ("{arn}:1", None, "1", "1"),
        ("{name}", "$LATEST", "$LATEST", "$LATEST"),
    ],
)
def test_invoke_runs_the_version_named(endpoint, runtime, function, form, qualifier, version, invoked):
    name = form.format(
        logical_id=function.logical_id, name=function.function_name, arn=_arn(function.function_name)
    )
    response = client(endpoint.aws, "lambda").invoke(
        FunctionName=name, Payload=b"{}", **({"Qualifier": qualifier} if qualifier else {})
    )
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == version
    [ran] = runtime.specs
    assert (ran.function_name, ran.version) == (function.function_name, version)
    # The function's context.invoked_function_arn: the ARN the caller named, as on Lambda.
    assert runtime.contexts[-1]["invoked_arn"] == _arn(function.function_name, invoked)


def test_a_qualifier_that_contradicts_the_name_is_400(endpoint, runtime, function):
    with pytest.raises(ClientError) as raised:
        client(endpoint.aws, "lambda").invoke(FunctionName=f"{function.function_name}:1", Qualifier="live")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "derived qualifier" in raised.value.response["Error"]["Message"]
    assert runtime.calls == []


def test_an_unknown_alias_is_404_naming_its_arn(endpoint, runtime, function):
    with pytest.raises(ClientError) as raised:
        client(endpoint.aws, "lambda").invoke(FunctionName=function.function_name, Qualifier="beta")
    assert (
        raised.value.response["Error"]["Message"]
        == f"Function not found: {_arn(function.function_name, 'beta')}"
    )


def test_event_invocations_of_an_alias_queue_its_version(endpoint, runtime, function):
    response = client(endpoint.aws, "lambda").invoke(
        FunctionName=function.logical_id, Qualifier="live", InvocationType="Event", Payload=b"{}"
    )
    assert response["StatusCode"] == 202
    assert [name for name, _, _ in runtime.async_calls] == [function.function_name]


def test_dry_run_by_logical_id(endpoint, runtime, function):
    response = client(endpoint.aws, "lambda").invoke(
        FunctionName=function.logical_id, InvocationType="DryRun"
    )
    assert response["StatusCode"] == 204


def _credentials(endpoint, resource: str) -> dict[str, str]:
    allow = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": resource}
    return credentials_allowed(endpoint.aws, [allow])


def test_invoking_an_alias_needs_permission_on_the_alias_arn(endpoint, runtime, function):
    """Lambda authorizes a qualified invocation against the qualified ARN: a policy on the unqualified
    ARN does not cover the alias; `function:NAME*` (SAM's LambdaInvokePolicy) and the alias ARN do."""
    name = function.function_name
    unqualified = client(endpoint.aws, "lambda", _credentials(endpoint, _arn(name)))
    assert unqualified.invoke(FunctionName=name)["StatusCode"] == 200
    with pytest.raises(ClientError) as raised:
        unqualified.invoke(FunctionName=name, Qualifier="live")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    by_logical_id = client(endpoint.aws, "lambda", _credentials(endpoint, _arn(name)))
    assert (
        by_logical_id.invoke(FunctionName=function.logical_id)["StatusCode"] == 200
    )  # checked on the real ARN
    alias = client(endpoint.aws, "lambda", _credentials(endpoint, _arn(name, "live")))
    assert alias.invoke(FunctionName=f"{name}:live")["ExecutedVersion"] == "1"
    wildcard = client(endpoint.aws, "lambda", _credentials(endpoint, f"{_arn(name)}*"))
    assert wildcard.invoke(FunctionName=name, Qualifier="1")["ExecutedVersion"] == "1"
    assert wildcard.invoke(FunctionName=name)["ExecutedVersion"] == "$LATEST"
