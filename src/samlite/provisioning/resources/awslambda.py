"""Lambda functions of the template (`AWS::Lambda::Function`): registered with the Lambda API.

A function runs in samlite's runtime, so provisioning it means making it invocable by name and ARN
(`FunctionRegistry`) and giving it a role: a function that names a role outside the template gets
one made from its policies, so its credentials carry exactly those.
"""

from __future__ import annotations

from samlite.errors import ProvisionError
from samlite.iam.roles import RoleDefinition, create_role, role_name_from_arn
from samlite.model import Resource
from samlite.provisioning.resources.iam import LAMBDA_TRUST_POLICY
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, UnsupportedResource


def _function(context: Provisioning, resource: Resource) -> None:
    spec = context.stack.functions.get(resource.logical_id)
    result = context.result
    if spec is None:
        reasons = getattr(context.stack, "unsupported_functions", {}) or {}
        reason = reasons.get(resource.logical_id, "samlite cannot run this function")
        result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type, reason))
        return
    try:
        result.function_arns[resource.logical_id] = context.functions.register(
            spec, resource.properties, str(resource.properties.get("Description") or "")
        )
    except ValueError as error:
        raise ProvisionError(str(error)) from error
    result.physical_ids[resource.logical_id] = spec.function_name


def create_roles_outside_template(context: Provisioning) -> None:
    """Create the roles functions name by ARN that the template does not define, from their policies."""
    iam = context.aws.backend("iam")
    known = {role.arn for role in iam.get_roles()}
    for spec in context.stack.functions.values():
        if not spec.role_arn or spec.role_arn in known:
            continue
        inline = {
            str(p.get("PolicyName") or f"Policy{i}"): p["PolicyDocument"]
            for i, p in enumerate(spec.policy_documents)
            if "PolicyDocument" in p
        }
        managed = tuple(str(p["PolicyArn"]) for p in spec.policy_documents if "PolicyArn" in p)
        path = (
            "/" + spec.role_arn.split(":role/", 1)[-1].rsplit("/", 1)[0] + "/"
            if spec.role_arn.count("/") > 1
            else "/"
        )
        arn = create_role(
            iam,
            RoleDefinition(
                logical_id=spec.logical_id,
                name=role_name_from_arn(spec.role_arn),
                assume_role_policy=LAMBDA_TRUST_POLICY,
                inline_policies=inline,
                managed_policy_arns=managed,
                path=path,
            ),
        )
        known.add(arn)


KINDS = (ResourceKind("AWS::Lambda::Function", _function, rank=7),)
