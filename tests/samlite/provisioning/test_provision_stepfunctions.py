"""State machines of a template provisioned into moto's interpreter (hand-made stacks).

References: the CloudFormation template reference for AWS::StepFunctions::StateMachine (Definition,
DefinitionString, DefinitionS3Location, DefinitionSubstitutions: "${key}" placeholders replaced by
their value; RoleArn required; StateMachineType STANDARD or EXPRESS; Ref gives the ARN).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from samlite.errors import ProvisionError
from samlite.model import Resource
from samlite.provisioning.provision import provision
from samlite.provisioning.reset import empty_resources, remove_resources
from tests.samlite.embedded import ACCOUNT, FakeStack, client, unique

ROLE = f"arn:aws:iam::{ACCOUNT}:role/anything"
# `endpoint`: the running embedded AWS of this folder's conftest, one per module.


def _machine(logical_id: str, name: str | None = None, **properties: Any) -> Resource:
    name = name or unique(logical_id)
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"
    return Resource(
        logical_id,
        "AWS::StepFunctions::StateMachine",
        {"RoleArn": ROLE, **properties},
        ref=arn,
        attributes={"Arn": arn, "Name": name},
    )


def _provision(endpoint: Any, *resources: Resource) -> Any:
    stack = FakeStack()
    for resource in resources:
        stack.add(resource)
    return provision(endpoint.aws, stack, endpoint.services)


def _described(endpoint: Any, resource: Resource) -> dict[str, Any]:
    return dict(client(endpoint.aws, "stepfunctions").describe_state_machine(stateMachineArn=resource.ref))


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${Greeting}", "End": True}}}


def test_a_definition_object_with_substitutions_becomes_the_state_machine(endpoint: Any) -> None:
    machine = _machine(
        "Greeter",
        Definition=PASS,
        DefinitionSubstitutions={"Greeting": "hello", "Unused": 1},
        StateMachineType="EXPRESS",
        Tags=[{"Key": "team", "Value": "a"}],
    )
    result = _provision(endpoint, machine)
    assert result.physical_ids["Greeter"] == machine.ref  # the physical id of a state machine is its ARN
    described = _described(endpoint, machine)
    assert json.loads(described["definition"])["States"]["P"]["Result"] == "hello"
    assert (described["name"], described["roleArn"], described["type"]) == (
        machine.attributes["Name"],
        ROLE,
        "EXPRESS",
    )


def test_a_definition_string_keeps_placeholders_without_a_substitution(endpoint: Any) -> None:
    text = json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${Count}-${Missing}", "End": True}}}
    )
    machine = _machine("Counter", DefinitionString=text, DefinitionSubstitutions={"Count": 3})
    _provision(endpoint, machine)
    definition = json.loads(_described(endpoint, machine)["definition"])
    assert definition["States"]["P"]["Result"] == "3-${Missing}"
    assert _described(endpoint, machine)["type"] == "STANDARD"  # the default type


def test_a_definition_in_s3_is_listed_as_not_emulated(endpoint: Any) -> None:
    machine = _machine("Remote", DefinitionS3Location={"Bucket": "b", "Key": "k.json"})
    result = _provision(endpoint, machine)
    assert [(u.logical_id, u.type) for u in result.unsupported] == [
        ("Remote", "AWS::StepFunctions::StateMachine")
    ]
    assert "DefinitionS3Location" in result.unsupported[0].reason
    assert "Remote" not in result.physical_ids


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        (
            {"Definition": {"StartAt": "Nowhere", "States": {}}},
            "Broken (AWS::StepFunctions::StateMachine): cannot create",
        ),
        ({"DefinitionString": "{not json"}, "not valid JSON after substitutions"),
        ({"Definition": PASS, "StateMachineType": "FAST"}, "StateMachineType must be STANDARD or EXPRESS"),
        (
            {"Definition": PASS, "DefinitionSubstitutions": {"Greeting": ["a"]}},
            "DefinitionSubstitutions.Greeting",
        ),
        ({}, "one of Definition, DefinitionString or DefinitionS3Location is required"),
    ],
    ids=["invalid-definition", "not-json", "bad-type", "list-substitution", "no-definition"],
)
def test_a_state_machine_that_cannot_be_created_names_the_resource(
    endpoint: Any, properties: dict[str, Any], message: str
) -> None:
    with pytest.raises(ProvisionError) as refused:
        _provision(endpoint, _machine("Broken", **properties))
    assert message in str(refused.value)
    assert "Broken" in str(refused.value)


def test_a_state_machine_without_a_role_names_the_property(endpoint: Any) -> None:
    machine = _machine("Roleless", Definition=PASS)
    machine = Resource(
        machine.logical_id, machine.type, {"Definition": PASS}, machine.ref, machine.attributes
    )
    with pytest.raises(ProvisionError, match=r"Roleless .*'RoleArn' is required"):
        _provision(endpoint, machine)


def test_emptying_stops_running_executions_and_forgets_them_removing_deletes(endpoint: Any) -> None:
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600000, "End": True}}}
    machine = _machine("Sleeper", Definition=waits)
    _provision(endpoint, machine)
    sfn = client(endpoint.aws, "stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine.ref, input="{}")
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING"

    empty_resources(endpoint.aws, [machine])
    assert sfn.list_executions(stateMachineArn=machine.ref)["executions"] == []
    assert _described(endpoint, machine)["name"] == machine.attributes["Name"]  # still there

    remove_resources(endpoint.aws, [machine])
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=machine.ref)


def test_a_stopped_execution_ends_aborted(endpoint: Any) -> None:
    """What emptying does to an execution that is waiting: it is stopped, as StopExecution does."""
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600000, "End": True}}}
    machine = _machine("Stopped", Definition=waits)
    _provision(endpoint, machine)
    sfn = client(endpoint.aws, "stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine.ref, input="{}")["executionArn"]
    sfn.stop_execution(executionArn=execution)
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"


def test_a_jsonata_state_machine_is_listed_as_not_emulated(endpoint: Any) -> None:
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    per_state = {"StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True}}}
    result = _provision(
        endpoint, _machine("Whole", Definition=jsonata), _machine("OneState", Definition=per_state)
    )
    assert sorted(u.logical_id for u in result.unsupported) == ["OneState", "Whole"]
    assert all("JSONata" in u.reason for u in result.unsupported)
