"""Create a translated template's resources in the embedded AWS, directly in moto's backends.

Going through moto's CloudFormation would be shorter to write but it cannot create SAM's generated
RestApi and costs ~2 s to import; creating the supported types directly is predictable and fast, and
uses the names the template model computed (`Resource.ref`), so the functions' environment, their
policies' ARNs and the stack outputs all name what exists here.

Each type is a `ResourceKind` of one service's module in `resources/`; their ranks order creation:
roles and policies, then queues (dead-letter queues before the queues that name them), topics,
tables, functions, and buckets last (their notification configurations name queues, topics and
functions). Types samlite does not emulate are collected in `ProvisionedStack.unsupported`, once each.
"""

from __future__ import annotations

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources import KINDS
from samlite.provisioning.resources.awslambda import create_roles_outside_template
from samlite.provisioning.resources.kinds import (
    ProvisionedStack,
    Provisioning,
    StackLike,
    UnsupportedResource,
)
from samlite.services.cloudformation.describe_stacks import StackRecord, outputs_as_details, stack_id
from samlite.services.wiring import LocalServices

# Types with no local resource to create because another part of samlite serves them (the API gateway,
# the runtime via FunctionSpec, the log files).
HANDLED_ELSEWHERE = frozenset(
    {
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::LayerVersion",  # merged into the functions' /opt by the runtime (layer_view)
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::UsagePlanKey",
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Stage",
    }
)

# Resource-based policies: accepted but not enforced locally, and reported as such. moto would apply a
# bucket policy while ignoring its Condition, so the common "deny unless aws:SecureTransport" statement
# would deny every local (plain HTTP) request; identity policies (IAM per function) are enforced.
NOT_ENFORCED = frozenset(
    {"AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::Lambda::Permission"}
)

__all__ = ["HANDLED_ELSEWHERE", "NOT_ENFORCED", "ProvisionedStack", "UnsupportedResource", "provision"]


def provision(
    aws: AwsApi,
    stack: StackLike,
    services: LocalServices,
    *,
    handled_elsewhere: frozenset[str] = HANDLED_ELSEWHERE,
) -> ProvisionedStack:
    """Create `stack`'s resources in the running `aws` and register its functions and its outputs.

    Raises ProvisionError naming the resource and property when a resource cannot be created.
    """
    if stack.account_id != aws.account_id:
        raise ProvisionError(
            f"the stack's account id {stack.account_id} differs from the embedded AWS's ({aws.account_id})"
        )
    if stack.region != aws.region:
        raise ProvisionError(
            f"the stack's region {stack.region} differs from the embedded AWS's ({aws.region})"
        )
    result = ProvisionedStack(stack.stack_name, stack_id(aws.region, aws.account_id, stack.stack_name))
    context = Provisioning(aws, stack, services.functions, result, services.event_source_mappings)
    for resource in sorted(stack.resources.values(), key=_order):
        kind = KINDS.get(resource.type)
        if kind is not None:
            left_out = len(result.unsupported)
            kind.create(context, resource)
            if len(result.unsupported) == left_out:  # created, not found unsupported on the way
                result.physical_ids.setdefault(resource.logical_id, resource.ref)
        elif resource.type in NOT_ENFORCED:
            result.not_enforced.append(
                UnsupportedResource(
                    resource.logical_id, resource.type, "resource policy not enforced locally"
                )
            )
        elif resource.type not in handled_elsewhere:
            result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type))
    create_roles_outside_template(context)
    result.outputs = dict(stack.outputs)
    details = getattr(stack, "output_details", None) or outputs_as_details(stack.outputs)
    parameters = getattr(stack, "parameters", None) or {}
    services.stacks.register(StackRecord(stack.stack_name, result.stack_id, details, dict(parameters)))
    return result


def _order(resource: Resource) -> tuple[int, str]:
    kind = KINDS.get(resource.type)
    return (kind.order(resource) if kind is not None else 9), resource.logical_id
