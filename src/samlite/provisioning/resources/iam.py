"""IAM roles, managed policies and inline policies of the template (`AWS::IAM::*`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from samlite.errors import ProvisionError
from samlite.iam.roles import RoleDefinition, create_role, role_name_from_arn
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, int_or_none

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
    ],
}


def _role(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    trust = props.get("AssumeRolePolicyDocument")
    if not isinstance(trust, Mapping):
        raise ProvisionError(f"{resource.logical_id} (AWS::IAM::Role): AssumeRolePolicyDocument is required")
    inline: dict[str, Mapping[str, Any]] = {}
    for index, policy in enumerate(props.get("Policies") or []):
        if not isinstance(policy, Mapping) or not isinstance(policy.get("PolicyDocument"), Mapping):
            raise ProvisionError(
                f"{resource.logical_id} (AWS::IAM::Role): Policies[{index}] needs a PolicyDocument"
            )
        inline[str(policy.get("PolicyName") or f"Policy{index}")] = policy["PolicyDocument"]
    managed = tuple(str(arn) for arn in props.get("ManagedPolicyArns") or [])
    create_role(
        context.aws.backend("iam"),
        RoleDefinition(
            logical_id=resource.logical_id,
            name=resource.ref,
            assume_role_policy=trust,
            inline_policies=inline,
            managed_policy_arns=managed,
            path=str(props.get("Path") or "/"),
            max_session_duration=int_or_none(props.get("MaxSessionDuration")),
        ),
    )


def _managed_policy(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    iam = context.aws.backend("iam")
    name = resource.ref.rsplit("/", 1)[-1]
    try:
        iam.create_policy(
            description=str(props.get("Description") or ""),
            path=str(props.get("Path") or "/"),
            policy_document=json.dumps(props.get("PolicyDocument") or {}),
            policy_name=name,
            tags=[],
        )
        for role in props.get("Roles") or []:
            iam.attach_role_policy(resource.ref, role_name_from_arn(str(role)))
    except Exception as error:
        raise fail(resource, "cannot create the managed policy", error) from error


def _policy(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    iam = context.aws.backend("iam")
    name = str(props.get("PolicyName") or resource.logical_id)
    document = json.dumps(props.get("PolicyDocument") or {})
    try:
        for role in props.get("Roles") or []:
            iam.put_role_policy(role_name_from_arn(str(role)), name, document)
    except Exception as error:
        raise fail(resource, "cannot attach the policy to its Roles", error) from error


def remove_roles(aws: AwsApi, roles: set[str]) -> None:
    """Delete the roles named (by ARN or name) with their attachments from moto's IAM backend."""
    iam = aws.backend("iam")
    for role in [role for role in iam.get_roles() if role.arn in roles or role.name in roles]:
        for policy_arn in list(role.managed_policies):
            with contextlib.suppress(Exception):
                iam.detach_role_policy(policy_arn, role.name)
        iam.roles.pop(role.id, None)


def _remove_role(aws: AwsApi, resource: Resource) -> None:
    remove_roles(aws, {str(resource.attributes.get("Arn") or resource.ref)})


def _remove_managed_policy(aws: AwsApi, resource: Resource) -> None:
    aws.backend("iam").managed_policies.pop(resource.ref, None)


KINDS = (
    ResourceKind("AWS::IAM::Role", _role, rank=0, remove=_remove_role),
    ResourceKind("AWS::IAM::ManagedPolicy", _managed_policy, rank=1, remove=_remove_managed_policy),
    ResourceKind("AWS::IAM::Policy", _policy, rank=2),
)
