"""Create a translated template's resources in the embedded AWS, directly in moto's backends.

Going through moto's CloudFormation would be shorter to write but it cannot create SAM's generated
RestApi and costs ~2 s to import; creating the supported types directly is predictable and fast, and
uses the names the template model computed (`Resource.ref`), so the functions' environment, their
policies' ARNs and the stack outputs all name what exists here.

Order matters: roles and policies, then queues (dead-letter queues before the queues that name them),
topics, tables, functions, and buckets last (their notification configurations name queues, topics and
functions). Types samlite does not emulate are collected in `ProvisionedStack.unsupported`, once each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samlite.cloud.endpoint import EmbeddedAws
from samlite.cloud.errors import ProvisionError
from samlite.cloud.iam import RoleDefinition, create_role, role_name_from_arn
from samlite.cloud.stack_outputs import StackRecord, outputs_as_details, stack_id
from samlite.model import FunctionSpec, Resource

# S3 "General purpose bucket naming rules".
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
    ],
}

# Types with no local resource to create because another part of samlite serves them (the API gateway,
# the runtime via FunctionSpec, the log files).
HANDLED_ELSEWHERE = frozenset(
    {
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Version",
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


class StackLike(Protocol):
    """What provisioning reads of `samlite.template.Stack`."""

    region: str
    account_id: str
    stack_name: str
    resources: dict[str, Resource]
    functions: dict[str, FunctionSpec]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class UnsupportedResource:
    logical_id: str
    type: str
    reason: str = "not emulated by samlite"


@dataclass
class ProvisionedStack:
    """What was created: physical names by logical id, function ARNs, what was not emulated, and the
    resource policies accepted but not enforced (`not_enforced`, for the start command to list)."""

    stack_name: str
    stack_id: str
    physical_ids: dict[str, str] = field(default_factory=dict)
    function_arns: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    unsupported: list[UnsupportedResource] = field(default_factory=list)
    not_enforced: list[UnsupportedResource] = field(default_factory=list)


def provision(
    aws: EmbeddedAws, stack: StackLike, *, handled_elsewhere: frozenset[str] = HANDLED_ELSEWHERE
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
    creators: dict[str, Callable[[EmbeddedAws, Resource, StackLike], None]] = {
        "AWS::IAM::Role": _role,
        "AWS::IAM::ManagedPolicy": _managed_policy,
        "AWS::IAM::Policy": _policy,
        "AWS::SQS::Queue": _queue,
        "AWS::SNS::Topic": _topic,
        "AWS::DynamoDB::Table": _table,
        "AWS::S3::Bucket": _bucket,
    }
    for resource in sorted(stack.resources.values(), key=_order):
        creator = creators.get(resource.type)
        if creator is not None:
            creator(aws, resource, stack)
            result.physical_ids[resource.logical_id] = resource.ref
        elif resource.type == "AWS::Lambda::Function":
            _function(aws, resource, stack, result)
        elif resource.type in NOT_ENFORCED:
            result.not_enforced.append(
                UnsupportedResource(
                    resource.logical_id, resource.type, "resource policy not enforced locally"
                )
            )
        elif resource.type not in handled_elsewhere:
            result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type))
    _roles_outside_template(aws, stack)
    result.outputs = dict(stack.outputs)
    details = getattr(stack, "output_details", None) or outputs_as_details(stack.outputs)
    parameters = getattr(stack, "parameters", None) or {}
    aws.stacks.register(StackRecord(stack.stack_name, result.stack_id, details, dict(parameters)))
    return result


_ORDER = {
    "AWS::IAM::Role": 0,
    "AWS::IAM::ManagedPolicy": 1,
    "AWS::IAM::Policy": 2,
    "AWS::SQS::Queue": 3,
    "AWS::SNS::Topic": 5,
    "AWS::DynamoDB::Table": 6,
    "AWS::Lambda::Function": 7,
    "AWS::S3::Bucket": 8,
}


def _order(resource: Resource) -> tuple[int, str]:
    rank = _ORDER.get(resource.type, 9)
    if resource.type == "AWS::SQS::Queue" and resource.properties.get("RedrivePolicy"):
        rank = 4  # after the dead-letter queues it names
    return rank, resource.logical_id


def _fail(resource: Resource, what: str, error: Exception) -> ProvisionError:
    message = getattr(error, "message", None) or str(error)
    return ProvisionError(f"{resource.logical_id} ({resource.type}): {what}: {message}")


def _role(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
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
        aws.backend("iam"),
        RoleDefinition(
            logical_id=resource.logical_id,
            name=resource.ref,
            assume_role_policy=trust,
            inline_policies=inline,
            managed_policy_arns=managed,
            path=str(props.get("Path") or "/"),
            max_session_duration=_int_or_none(props.get("MaxSessionDuration")),
        ),
    )


def _managed_policy(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    iam = aws.backend("iam")
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
        raise _fail(resource, "cannot create the managed policy", error) from error


def _policy(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    iam = aws.backend("iam")
    name = str(props.get("PolicyName") or resource.logical_id)
    document = json.dumps(props.get("PolicyDocument") or {})
    try:
        for role in props.get("Roles") or []:
            iam.put_role_policy(role_name_from_arn(str(role)), name, document)
    except Exception as error:
        raise _fail(resource, "cannot attach the policy to its Roles", error) from error


def _queue(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    name = str(resource.attributes.get("QueueName") or resource.ref.rstrip("/").rsplit("/", 1)[-1])
    attributes: dict[str, str] = {}
    for key in (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
        "DeduplicationScope",
        "FifoThroughputLimit",
    ):
        if key in props:
            attributes[key] = _text(props[key])
    for key in ("FifoQueue", "ContentBasedDeduplication"):
        if key in props:
            attributes[key] = _text(props[key])
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        if key in props:
            value = props[key]
            attributes[key] = value if isinstance(value, str) else json.dumps(value)
    try:
        aws.backend("sqs").create_queue(name, tags=_tag_map(props.get("Tags")), **attributes)
    except Exception as error:
        raise _fail(resource, f"cannot create queue {name!r}", error) from error


def _topic(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    name = str(resource.attributes.get("TopicName") or resource.ref.rsplit(":", 1)[-1])
    attributes = {
        k: _text(props[k]) for k in ("DisplayName", "FifoTopic", "ContentBasedDeduplication") if k in props
    }
    try:
        aws.backend("sns").create_topic(name, attributes=attributes, tags=_tag_map(props.get("Tags")))
    except Exception as error:
        raise _fail(resource, f"cannot create topic {name!r}", error) from error


def _table(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    for required in ("KeySchema", "AttributeDefinitions"):
        if not props.get(required):
            raise ProvisionError(f"{resource.logical_id} (AWS::DynamoDB::Table): {required} is required")
    billing = str(props.get("BillingMode") or "PROVISIONED")
    throughput = props.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and not throughput:
        raise ProvisionError(
            f"{resource.logical_id} (AWS::DynamoDB::Table): ProvisionedThroughput is required "
            "when BillingMode is PROVISIONED"
        )
    stream = props.get("StreamSpecification")
    streams = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]} if stream else None
    sse = props.get("SSESpecification")
    dynamodb = aws.backend("dynamodb")
    try:
        dynamodb.create_table(
            resource.ref,
            schema=list(props["KeySchema"]),
            throughput=_throughput(throughput),
            attr=list(props["AttributeDefinitions"]),
            global_indexes=[_index(i) for i in props.get("GlobalSecondaryIndexes") or []],
            indexes=[_index(i) for i in props.get("LocalSecondaryIndexes") or []],
            streams=streams,
            billing_mode=billing,
            sse_specification={"Enabled": bool(sse.get("SSEEnabled"))} if isinstance(sse, Mapping) else None,
            tags=_tags(props.get("Tags")),
            deletion_protection_enabled=bool(props.get("DeletionProtectionEnabled", False)),
            warm_throughput=None,
        )
        ttl = props.get("TimeToLiveSpecification")
        if isinstance(ttl, Mapping) and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                resource.ref, {"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
    except ProvisionError:
        raise
    except Exception as error:
        raise _fail(resource, f"cannot create table {resource.ref!r}", error) from error


def _throughput(throughput: Any) -> dict[str, int] | None:
    if not isinstance(throughput, Mapping):
        return None
    return {key: int(value) for key, value in throughput.items()}


def _index(index: Mapping[str, Any]) -> dict[str, Any]:
    converted = dict(index)
    if "ProvisionedThroughput" in converted:
        converted["ProvisionedThroughput"] = _throughput(converted["ProvisionedThroughput"])
    return converted


def _bucket(aws: EmbeddedAws, resource: Resource, stack: StackLike) -> None:
    props = resource.properties
    s3 = aws.backend("s3")
    if not BUCKET_NAME.match(resource.ref) or ".." in resource.ref or IP_ADDRESS.match(resource.ref):
        raise ProvisionError(
            f"{resource.logical_id} (AWS::S3::Bucket): BucketName {resource.ref!r} breaks S3's naming rules "
            "(3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)"
        )
    try:
        s3.create_bucket(resource.ref, aws.region)
        versioning = props.get("VersioningConfiguration")
        if isinstance(versioning, Mapping) and versioning.get("Status"):
            s3.put_bucket_versioning(resource.ref, str(versioning["Status"]))
        notifications = props.get("NotificationConfiguration")
        if notifications:
            s3.put_bucket_notification_configuration(
                resource.ref, notification_config(resource, notifications)
            )
    except ProvisionError:
        raise
    except Exception as error:
        raise _fail(resource, f"cannot create bucket {resource.ref!r}", error) from error


# CloudFormation's NotificationConfiguration list -> the S3 API's element and target names.
_NOTIFICATION_KINDS = (
    ("LambdaConfigurations", "CloudFunctionConfiguration", "Function", "CloudFunction"),
    ("QueueConfigurations", "QueueConfiguration", "Queue", "Queue"),
    ("TopicConfigurations", "TopicConfiguration", "Topic", "Topic"),
)


def notification_config(resource: Resource, config: Mapping[str, Any]) -> dict[str, Any]:
    """A bucket's CloudFormation NotificationConfiguration in the shape PutBucketNotification stores.

    The S3 API calls a Lambda target `CloudFunction` and a filter rule list `FilterRule`; CloudFormation
    says `Function` and `Rules` (AWS::S3::Bucket NotificationConfiguration reference).
    """
    converted: dict[str, Any] = {}
    for cfn_key, api_key, cfn_target, api_target in _NOTIFICATION_KINDS:
        entries = []
        for index, entry in enumerate(config.get(cfn_key) or []):
            where = f"{resource.logical_id}: NotificationConfiguration.{cfn_key}[{index}]"
            if not entry.get("Event") or not entry.get(cfn_target):
                raise ProvisionError(f"{where} needs Event and {cfn_target}")
            converted_entry: dict[str, Any] = {
                "Event": [str(entry["Event"])],
                api_target: str(entry[cfn_target]),
            }
            rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                converted_entry["Filter"] = {
                    "S3Key": {
                        "FilterRule": [{"Name": str(r["Name"]), "Value": str(r["Value"])} for r in rules]
                    }
                }
            entries.append(converted_entry)
        if entries:
            converted[api_key] = entries
    event_bridge = config.get("EventBridgeConfiguration")
    if isinstance(event_bridge, Mapping) and event_bridge.get("EventBridgeEnabled"):
        converted["EventBridgeConfiguration"] = {}
    return converted


def _function(aws: EmbeddedAws, resource: Resource, stack: StackLike, result: ProvisionedStack) -> None:
    spec = stack.functions.get(resource.logical_id)
    if spec is None:
        reasons = getattr(stack, "unsupported_functions", {}) or {}
        reason = reasons.get(resource.logical_id, "samlite cannot run this function")
        result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type, reason))
        return
    try:
        result.function_arns[resource.logical_id] = aws.functions.register(spec)
    except ValueError as error:
        raise ProvisionError(str(error)) from error
    result.physical_ids[resource.logical_id] = spec.function_name


def _roles_outside_template(aws: EmbeddedAws, stack: StackLike) -> None:
    """Create the roles functions name by ARN that the template does not define, from their policies."""
    iam = aws.backend("iam")
    known = {role.arn for role in iam.get_roles()}
    for spec in stack.functions.values():
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


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _tags(tags: Any) -> Any:
    return [dict(tag) for tag in tags] if isinstance(tags, list) else []


def _tag_map(tags: Any) -> dict[str, str]:
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags} if isinstance(tags, list) else {}
