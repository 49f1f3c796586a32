"""Step Functions state machines of the template, in moto's interpreter backend.

A state machine is created with its name, definition (substitutions applied:
`samlite.services.stepfunctions.definitions`), role and type; SAM's `AWS::Serverless::StateMachine`
arrives here translated, its role generated from `Policies` (an `AWS::IAM::Role`, provisioned first)
and its Api, Schedule and EventBridgeRule events turned into API Gateway methods, rules and roles of
their own. A definition moto's parser refuses stops provisioning with the resource named; one kept in
S3, or written in JSONata, is reported as not emulated. `LoggingConfiguration` and
`TracingConfiguration` are accepted: the executions' steps go to samlite's log stream instead of
CloudWatch Logs.

Emptying (test isolation) stops the running executions and forgets them all; removing also deletes
the state machine. `AWS::StepFunctions::Activity` is not emulated: moto's interpreter runs Activity
tasks against an empty store of its own, so no worker could ever take their tasks.
"""

from __future__ import annotations

import datetime
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, UnsupportedResource, fail
from samlite.services.stepfunctions.definitions import (
    JSONATA_REASON,
    DefinitionInS3,
    definition_of,
    uses_jsonata,
)
from samlite.services.stepfunctions.service import backend_of as backend

TYPES = ("STANDARD", "EXPRESS")


def _state_machine(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    where = f"{resource.logical_id} ({resource.type})"
    definition_properties = {
        key: props[key]
        for key in ("Definition", "DefinitionString", "DefinitionS3Location", "DefinitionSubstitutions")
        if key in props
    }
    try:
        definition = definition_of(resource, definition_properties)
    except DefinitionInS3 as in_s3:
        context.result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type, str(in_s3)))
        return
    if uses_jsonata(definition):
        context.result.unsupported.append(
            UnsupportedResource(resource.logical_id, resource.type, JSONATA_REASON)
        )
        return
    role_arn = props.get("RoleArn")
    if not isinstance(role_arn, str) or not role_arn:
        raise ProvisionError(f"{where}: property 'RoleArn' is required")
    machine_type = str(props.get("StateMachineType") or "STANDARD")
    if machine_type not in TYPES:
        raise ProvisionError(f"{where}: StateMachineType must be STANDARD or EXPRESS, not {machine_type!r}")
    tags = [{"key": str(tag["Key"]), "value": str(tag["Value"])} for tag in props.get("Tags") or []]
    try:
        backend(context.aws).create_state_machine(
            name=str(resource.attributes["Name"]),
            definition=definition,
            roleArn=role_arn,
            tags=tags,
            sm_type=machine_type,
        )
    except Exception as error:
        raise fail(resource, "cannot create the state machine", error) from error


def _stop_executions(aws: AwsApi, resource: Resource) -> Any:
    """Stop the state machine's running executions and forget them; the state machine, or None."""
    states = backend(aws)
    machine = next((m for m in states.state_machines if m.arn == resource.ref), None)
    if machine is None:
        return None
    now = datetime.datetime.now(datetime.UTC)
    for execution in list(machine.executions):
        if str(getattr(execution, "status", "")) == "RUNNING":
            execution.stop(stop_date=now, error="samlite.Reset", cause="the local cloud was reset or stopped")
    machine.executions.clear()
    return machine


def _empty(aws: AwsApi, resource: Resource) -> None:
    _stop_executions(aws, resource)


def _remove(aws: AwsApi, resource: Resource) -> None:
    if _stop_executions(aws, resource) is not None:
        backend(aws).delete_state_machine(resource.ref)


KINDS = (
    ResourceKind("AWS::StepFunctions::StateMachine", _state_machine, rank=8, empty=_empty, remove=_remove),
)
