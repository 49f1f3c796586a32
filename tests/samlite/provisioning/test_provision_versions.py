"""Provisioning AWS::Lambda::Version and AWS::Lambda::Alias: registered with the Lambda API, checked as
CloudFormation checks them (an alias must name a version the function has; "AWS::Lambda::Alias"
FunctionVersion: "The function version that the alias invokes")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from samlite.errors import ProvisionError
from samlite.model import Resource
from samlite.provisioning.provision import provision
from tests.samlite.embedded import ACCOUNT, FakeStack, function_spec, running_endpoint, unique


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=False) as running:
        yield running


def _stack(name: str, *extra: Resource, **version_props) -> FakeStack:
    stack = FakeStack()
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    stack.add(
        Resource("Fn", "AWS::Lambda::Function", {"Description": "d"}, ref=name, attributes={"Arn": arn})
    )
    stack.functions["Fn"] = replace(function_spec(name), logical_id="Fn")
    stack.add(
        Resource(
            "FnVersion",
            "AWS::Lambda::Version",
            {"FunctionName": name, **version_props},
            ref=f"{arn}:1",
            attributes={"Version": "1", "FunctionArn": f"{arn}:1"},
        )
    )
    for resource in extra:
        stack.add(resource)
    return stack


def _alias(function: str, version: str, name: str = "live", **props) -> Resource:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}:{name}"
    return Resource(
        f"Alias{name}",
        "AWS::Lambda::Alias",
        {"FunctionName": function, "FunctionVersion": version, "Name": name, **props},
        ref=arn,
        attributes={"AliasArn": arn},
    )


def test_versions_and_aliases_are_registered_after_their_function(endpoint):
    name = unique("fn")
    stack = _stack(name, _alias(name, "1", Description="prod"), Description="first")
    result = provision(endpoint.aws, stack, endpoint.services)
    entry = endpoint.services.functions.entry(name)
    assert entry is not None
    assert entry.versions["1"].description == "first"
    assert entry.aliases["live"].description == "prod"
    assert endpoint.services.functions.find(f"{name}:live").version == "1"
    assert result.physical_ids["FnVersion"].endswith(f"{name}:1")
    assert result.physical_ids["Aliaslive"].endswith(f"{name}:live")
    assert result.unsupported == []


def test_a_version_without_description_takes_the_functions(endpoint):
    name = unique("fn")
    provision(endpoint.aws, _stack(name), endpoint.services)
    assert endpoint.services.functions.entry(name).versions["1"].description == "d"


def test_an_alias_of_a_version_the_function_lacks_stops_provisioning(endpoint):
    name = unique("fn")
    with pytest.raises(ProvisionError) as raised:
        provision(endpoint.aws, _stack(name, _alias(name, "3")), endpoint.services)
    assert str(raised.value) == (
        f"Aliaslive (AWS::Lambda::Alias): {name} has no version '3' for alias 'live' (published: 1)"
    )


def test_routing_weights_are_checked(endpoint):
    name = unique("fn")
    routing = {"AdditionalVersionWeights": [{"FunctionVersion": "1", "FunctionWeight": 1.5}]}
    with pytest.raises(ProvisionError, match=r"RoutingConfig.AdditionalVersionWeights\[0\]'.*not between"):
        provision(endpoint.aws, _stack(name, _alias(name, "1", RoutingConfig=routing)), endpoint.services)


def test_a_version_of_a_function_outside_the_template_is_an_error(endpoint):
    stack = _stack(unique("fn"))
    stack.resources["FnVersion"] = replace(
        stack.resources["FnVersion"], properties={"FunctionName": "not-in-the-template"}
    )
    with pytest.raises(ProvisionError) as raised:
        provision(endpoint.aws, stack, endpoint.services)
    assert str(raised.value) == (
        "FnVersion (AWS::Lambda::Version) property 'FunctionName': 'not-in-the-template' is not a function "
        "of this template"
    )


def test_versions_and_aliases_of_a_function_samlite_cannot_run_are_left_out_with_its_reason(endpoint):
    name = unique("fn")
    stack = _stack(name, _alias(name, "1"))
    del stack.functions["Fn"]
    stack.unsupported_functions["Fn"] = "Function 'Fn' property 'PackageType': container-image functions"
    result = provision(endpoint.aws, stack, endpoint.services)
    assert {(item.logical_id, item.reason) for item in result.unsupported} == {
        ("Fn", "Function 'Fn' property 'PackageType': container-image functions"),
        ("FnVersion", "Function 'Fn' property 'PackageType': container-image functions"),
        ("Aliaslive", "Function 'Fn' property 'PackageType': container-image functions"),
    }
    assert endpoint.services.functions.entry(name) is None
