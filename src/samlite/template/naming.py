"""Physical names, `Ref` values and `Fn::GetAtt` attributes, computed the way CloudFormation does.

CloudFormation names an unnamed resource `{stack}-{LogicalId}-{13 uppercase alphanumerics}` (buckets in
lower case, at most 63 characters) and answers `Ref`/`GetAtt` with a type-specific value: a queue's
URL, a topic's ARN, a function's name. samlite computes the same shapes so that provisioning, function
environments and stack outputs agree. The random part is derived from a hash of stack name and
logical id: the names are stable across runs, so a restarted local cloud finds its own resources.
References: "Name type" and each resource type's "Return values" section in the CloudFormation
resource reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.errors import TemplateError

_ALPHABET_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALPHABET_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALPHABET_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class NamingContext:
    """What every physical name and ARN depends on."""

    stack_name: str
    region: str
    account_id: str
    endpoint_url: str | None = None
    # The number each AWS::Lambda::Version resource publishes, by logical id (`versions.py`).
    version_numbers: tuple[tuple[str, str], ...] = ()

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    @property
    def stack_id(self) -> str:
        return (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/"
            f"{stable_uuid(self.stack_name, 'stack')}"
        )


def stable_token(*parts: str, length: int = 13, alphabet: str = _ALPHABET_UPPER) -> str:
    """`length` characters of `alphabet`, derived from a hash of `parts` (stable, random-looking)."""
    digest = int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, index = divmod(digest, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


def stable_uuid(*parts: str) -> str:
    hexdigits = hashlib.sha256("\0".join(("uuid", *parts)).encode()).hexdigest()
    return f"{hexdigits[:8]}-{hexdigits[8:12]}-{hexdigits[12:16]}-{hexdigits[16:20]}-{hexdigits[20:32]}"


def generated_name(
    ctx: NamingContext, logical_id: str, *, max_length: int = 255, lower: bool = False, suffix: str = ""
) -> str:
    """`{stack}-{LogicalId}-{SUFFIX}`, the stack and logical id parts trimmed to fit `max_length`."""
    alphabet = _ALPHABET_LOWER if lower else _ALPHABET_UPPER
    token = stable_token(ctx.stack_name, logical_id, alphabet=alphabet)
    room = max_length - len(token) - len(suffix) - 2
    stack_part, logical_part = ctx.stack_name, logical_id
    if len(stack_part) + len(logical_part) > room:
        # CloudFormation shortens both parts; keep at least some of each, favouring the logical id.
        stack_part = stack_part[: max(room // 2, room - len(logical_part))]
        logical_part = logical_part[: room - len(stack_part)]
    name = f"{stack_part}-{logical_part}-{token}{suffix}"
    return name.lower() if lower else name


@dataclass(frozen=True)
class ResourceNames:
    """What `Ref` returns for a resource and what each `Fn::GetAtt` attribute returns."""

    ref: str
    attributes: dict[str, Any]


def _arn(
    ctx: NamingContext, service: str, resource: str, *, region: bool = True, account: bool = True
) -> str:
    return (
        f"arn:{ctx.partition}:{service}:{ctx.region if region else ''}:"
        f"{ctx.account_id if account else ''}:{resource}"
    )


def _function(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=64)
    return ResourceNames(name, {"Arn": _arn(ctx, "lambda", f"function:{name}")})


def _bucket(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=63, lower=True)
    suffix = ctx.url_suffix
    return ResourceNames(
        name,
        {
            "Arn": f"arn:{ctx.partition}:s3:::{name}",
            "DomainName": f"{name}.s3.{suffix}",
            "DualStackDomainName": f"{name}.s3.dualstack.{ctx.region}.{suffix}",
            "RegionalDomainName": f"{name}.s3.{ctx.region}.{suffix}",
            "WebsiteURL": f"http://{name}.s3-website-{ctx.region}.{suffix}",
        },
    )


def _table(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    name = name or generated_name(ctx, logical_id)
    arn = _arn(ctx, "dynamodb", f"table/{name}")
    attributes: dict[str, Any] = {"Arn": arn}
    if props.get("StreamSpecification"):
        # The real label is the stream's creation time; a fixed, hash-derived one keeps it stable.
        token = stable_token(ctx.stack_name, logical_id, "stream", length=3, alphabet="0123456789")
        attributes["StreamArn"] = f"{arn}/stream/2024-01-01T00:00:00.{token}"
    return ResourceNames(name, attributes)


def _queue(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    fifo = str(props.get("FifoQueue", "")).lower() == "true"
    name = name or generated_name(ctx, logical_id, max_length=80, suffix=".fifo" if fifo else "")
    if ctx.endpoint_url:
        url = f"{ctx.endpoint_url.rstrip('/')}/{ctx.account_id}/{name}"
    else:
        url = f"https://sqs.{ctx.region}.{ctx.url_suffix}/{ctx.account_id}/{name}"
    return ResourceNames(url, {"Arn": _arn(ctx, "sqs", name), "QueueName": name, "QueueUrl": url})


def _topic(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=256)
    arn = _arn(ctx, "sns", name)
    return ResourceNames(arn, {"TopicArn": arn, "TopicName": name})


def _role(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=64)
    path = str(props.get("Path") or "/")
    role_id = "AROA" + stable_token(ctx.stack_name, logical_id, "role-id", length=17)
    return ResourceNames(
        name, {"Arn": _arn(ctx, "iam", f"role{path}{name}", region=False), "RoleId": role_id}
    )


def _managed_policy(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=128)
    path = str(props.get("Path") or "/")
    arn = _arn(ctx, "iam", f"policy{path}{name}", region=False)
    return ResourceNames(arn, {"PolicyArn": arn})


def _log_group(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=512)
    return ResourceNames(name, {"Arn": _arn(ctx, "logs", f"log-group:{name}:*")})


def _api_id(ctx: NamingContext, logical_id: str) -> str:
    return stable_token(ctx.stack_name, logical_id, "api", length=10, alphabet=_ALPHABET_LOWER)


def _rest_api(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    api_id = _api_id(ctx, logical_id)
    root = stable_token(ctx.stack_name, logical_id, "root", length=10, alphabet=_ALPHABET_LOWER)
    return ResourceNames(api_id, {"RestApiId": api_id, "RootResourceId": root})


def _http_api(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    api_id = _api_id(ctx, logical_id)
    endpoint = f"https://{api_id}.execute-api.{ctx.region}.{ctx.url_suffix}"
    return ResourceNames(api_id, {"ApiId": api_id, "ApiEndpoint": endpoint})


def _stage(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    return ResourceNames(name or logical_id, {})


def _short_id(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    return ResourceNames(
        stable_token(ctx.stack_name, logical_id, "id", length=10, alphabet=_ALPHABET_LOWER), {}
    )


def _event_rule(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=64)
    bus = str(props.get("EventBusName") or "default").rsplit("/", 1)[-1]
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"  # a custom bus's rules: rule/BUS/NAME
    return ResourceNames(name, {"Arn": _arn(ctx, "events", path)})


def _event_bus(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=256)
    arn = _arn(ctx, "events", f"event-bus/{name}")
    return ResourceNames(name, {"Arn": arn, "Name": name})


def _subscription(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    """Ref of a subscription is its ARN: the topic's, then a UUID."""
    topic = str(props.get("TopicArn") or _arn(ctx, "sns", "topic"))
    arn = f"{topic}:{stable_uuid(ctx.stack_name, logical_id, 'subscription')}"
    return ResourceNames(arn, {"Arn": arn})


def _schedule(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=64)
    group = str(props.get("GroupName") or "default")
    return ResourceNames(name, {"Arn": _arn(ctx, "scheduler", f"schedule/{group}/{name}")})


def _schedule_group(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=64)
    return ResourceNames(name, {"Arn": _arn(ctx, "scheduler", f"schedule-group/{name}")})


def _user_pool(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # `Ref` is the pool id, `{region}_{9 alphanumerics}` ("AWS::Cognito::UserPool", Return values).
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    pool_id = (
        f"{ctx.region}_{stable_token(ctx.stack_name, logical_id, 'user-pool', length=9, alphabet=alphabet)}"
    )
    provider = f"cognito-idp.{ctx.region}.{ctx.url_suffix}/{pool_id}"
    return ResourceNames(
        pool_id,
        {
            "Arn": _arn(ctx, "cognito-idp", f"userpool/{pool_id}"),
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool_id,
        },
    )


def _user_pool_client(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # `Ref` is the client id: 26 lower-case alphanumerics.
    client_id = stable_token(ctx.stack_name, logical_id, "client", length=26, alphabet=_ALPHABET_LOWER)
    attributes: dict[str, Any] = {"ClientId": client_id, "Name": name or logical_id}
    if str(props.get("GenerateSecret", "")).lower() == "true":
        attributes["ClientSecret"] = stable_token(
            ctx.stack_name, logical_id, "secret", length=51, alphabet=_ALPHABET_LOWER
        )
    return ResourceNames(client_id, attributes)


def _secret(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    # Unnamed: `{LogicalId}-{12 letters and digits}`; the ARN adds `-` and six more, as Secrets Manager
    # does. Ref and `Id` are the ARN ("AWS::SecretsManager::Secret" return values).
    if not name:
        token = stable_token(ctx.stack_name, logical_id, "secret", length=12, alphabet=_ALPHABET_MIXED)
        name = f"{logical_id}-{token}"
    suffix = stable_token(ctx.stack_name, logical_id, "secret-arn", length=6, alphabet=_ALPHABET_MIXED)
    arn = _arn(ctx, "secretsmanager", f"secret:{name}-{suffix}")
    return ResourceNames(arn, {"Id": arn})


def _ssm_parameter(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # Unnamed: `CFN-{LogicalId}-{12 letters and digits}`, at most 40 characters, as the resource provider
    # names it (aws-cloudformation-resource-providers-ssm). Ref is the name; GetAtt Type, Value, Arn.
    if not name:
        token = stable_token(ctx.stack_name, logical_id, "parameter", length=12, alphabet=_ALPHABET_MIXED)
        name = f"CFN-{logical_id[: 40 - len(token) - 5]}-{token}"
    arn = _arn(ctx, "ssm", f"parameter/{name.lstrip('/')}")
    return ResourceNames(
        name, {"Arn": arn, "Type": str(props.get("Type") or "String"), "Value": props.get("Value")}
    )


def _kms_key(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    multi_region = str(props.get("MultiRegion", "")).lower() == "true"
    key_id = ("mrk-" if multi_region else "") + stable_uuid(ctx.stack_name, logical_id, "kms-key")
    return ResourceNames(key_id, {"KeyId": key_id, "Arn": _arn(ctx, "kms", f"key/{key_id}")})


def _kms_alias(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    return ResourceNames(name or f"alias/{logical_id}", {})


def _state_machine(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # CloudFormation names an unnamed state machine "similar to MyStateMachine-1234abcdefgh" (the
    # logical id and 12 letters and digits, at most 80 characters; no stack name).
    if name is None:
        token = stable_token(ctx.stack_name, logical_id, "state-machine", length=12, alphabet=_ALPHABET_MIXED)
        name = f"{logical_id[: 80 - len(token) - 1]}-{token}"
    arn = _arn(ctx, "states", f"stateMachine:{name}")
    revision = stable_uuid(ctx.stack_name, logical_id, "revision")
    return ResourceNames(arn, {"Arn": arn, "Name": name, "StateMachineRevisionId": revision})


def _activity(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=80)
    arn = _arn(ctx, "states", f"activity:{name}")
    return ResourceNames(arn, {"Arn": arn, "Name": name})


def _event_source_mapping(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # Ref is the mapping's UUID ("AWS::Lambda::EventSourceMapping" return values).
    mapping_uuid = stable_uuid(ctx.stack_name, logical_id, "event-source-mapping")
    arn = _arn(ctx, "lambda", f"event-source-mapping:{mapping_uuid}")
    return ResourceNames(mapping_uuid, {"Id": mapping_uuid, "EventSourceMappingArn": arn})


def _kinesis_stream(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    name = name or generated_name(ctx, logical_id, max_length=128)
    return ResourceNames(name, {"Arn": _arn(ctx, "kinesis", f"stream/{name}")})


def _generic(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    return ResourceNames(name or generated_name(ctx, logical_id), {})


def _function_arn(ctx: NamingContext, function: Any) -> str:
    """A FunctionName property (name, partial or full ARN) as a function ARN."""
    function = str(function or "")
    if function.startswith("arn:"):
        return function
    return _arn(ctx, "lambda", f"function:{function}")


def _version(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # Ref and FunctionArn are the version's ARN (the resource's primary identifier in the CloudFormation
    # resource schema); a function's first published version is "1".
    number = dict(ctx.version_numbers).get(logical_id, "1")
    arn = f"{_function_arn(ctx, props.get('FunctionName'))}:{number}"
    return ResourceNames(arn, {"Version": number, "FunctionArn": arn})


def _alias(ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]) -> ResourceNames:
    arn = f"{_function_arn(ctx, props.get('FunctionName'))}:{name or logical_id}"
    return ResourceNames(arn, {"AliasArn": arn})


def _layer_version(
    ctx: NamingContext, logical_id: str, name: str | None, props: Mapping[str, Any]
) -> ResourceNames:
    # Ref is the LayerVersionArn; a stack publishes each layer's first version as 1.
    if name and name.startswith("arn:"):
        base = name
    else:
        base = _arn(ctx, "lambda", f"layer:{name or generated_name(ctx, logical_id, max_length=140)}")
    arn = f"{base}:1"
    return ResourceNames(arn, {"LayerVersionArn": arn})


_Namer = Callable[[NamingContext, str, "str | None", Mapping[str, Any]], ResourceNames]


@dataclass(frozen=True)
class _TypeRule:
    namer: _Namer
    name_property: str | None
    # Other properties the name or attributes depend on (resolved before naming).
    needs: tuple[str, ...] = ()


# The types samlite models, with the property that names them when given (CloudFormation "Name type").
_RULES: dict[str, _TypeRule] = {
    "AWS::Lambda::Function": _TypeRule(_function, "FunctionName"),
    "AWS::S3::Bucket": _TypeRule(_bucket, "BucketName"),
    "AWS::DynamoDB::Table": _TypeRule(_table, "TableName", ("StreamSpecification",)),
    "AWS::SQS::Queue": _TypeRule(_queue, "QueueName", ("FifoQueue",)),
    "AWS::SNS::Topic": _TypeRule(_topic, "TopicName"),
    "AWS::IAM::Role": _TypeRule(_role, "RoleName", ("Path",)),
    "AWS::IAM::ManagedPolicy": _TypeRule(_managed_policy, "ManagedPolicyName", ("Path",)),
    "AWS::IAM::Policy": _TypeRule(_short_id, None),
    "AWS::Logs::LogGroup": _TypeRule(_log_group, "LogGroupName"),
    "AWS::ApiGateway::RestApi": _TypeRule(_rest_api, None),
    "AWS::ApiGatewayV2::Api": _TypeRule(_http_api, None),
    "AWS::ApiGateway::Stage": _TypeRule(_stage, "StageName"),
    "AWS::ApiGatewayV2::Stage": _TypeRule(_stage, "StageName"),
    "AWS::ApiGateway::Deployment": _TypeRule(_short_id, None),
    "AWS::ApiGateway::ApiKey": _TypeRule(_short_id, None),
    "AWS::ApiGateway::UsagePlan": _TypeRule(_short_id, None),
    "AWS::ApiGateway::UsagePlanKey": _TypeRule(_short_id, None),
    "AWS::ApiGateway::Resource": _TypeRule(_short_id, None),
    "AWS::ApiGateway::Method": _TypeRule(_short_id, None),
    "AWS::Lambda::Version": _TypeRule(_version, None, ("FunctionName",)),
    "AWS::Lambda::Alias": _TypeRule(_alias, "Name", ("FunctionName",)),
    "AWS::Lambda::LayerVersion": _TypeRule(_layer_version, "LayerName"),
    "AWS::Lambda::Permission": _TypeRule(_generic, None),
    "AWS::Lambda::EventInvokeConfig": _TypeRule(_generic, None),
    "AWS::Lambda::EventSourceMapping": _TypeRule(_event_source_mapping, None),
    "AWS::Kinesis::Stream": _TypeRule(_kinesis_stream, "Name"),
    "AWS::Events::Rule": _TypeRule(_event_rule, "Name", ("EventBusName",)),
    "AWS::Events::EventBus": _TypeRule(_event_bus, "Name"),
    "AWS::Scheduler::Schedule": _TypeRule(_schedule, "Name", ("GroupName",)),
    "AWS::Scheduler::ScheduleGroup": _TypeRule(_schedule_group, "Name"),
    "AWS::SQS::QueuePolicy": _TypeRule(_generic, None),
    "AWS::SNS::Subscription": _TypeRule(_subscription, None, ("TopicArn",)),
    "AWS::S3::BucketPolicy": _TypeRule(_generic, None),
    "AWS::Cognito::UserPool": _TypeRule(_user_pool, None),
    "AWS::Cognito::UserPoolClient": _TypeRule(_user_pool_client, "ClientName", ("GenerateSecret",)),
    "AWS::Cognito::UserPoolGroup": _TypeRule(_stage, "GroupName"),
    "AWS::SecretsManager::Secret": _TypeRule(_secret, "Name"),
    "AWS::SSM::Parameter": _TypeRule(_ssm_parameter, "Name", ("Type", "Value")),
    "AWS::KMS::Key": _TypeRule(_kms_key, None, ("MultiRegion",)),
    "AWS::KMS::Alias": _TypeRule(_kms_alias, "AliasName"),
    "AWS::StepFunctions::StateMachine": _TypeRule(_state_machine, "StateMachineName"),
    "AWS::StepFunctions::Activity": _TypeRule(_activity, "Name"),
}


def is_modelled(resource_type: str) -> bool:
    """Whether samlite knows this type's attributes (GetAtt on other types gives a placeholder)."""
    return resource_type in _RULES


def needed_properties(resource_type: str) -> tuple[str, ...]:
    """Properties besides the name that `resource_names` needs for this type."""
    rule = _RULES.get(resource_type)
    return rule.needs if rule else ()


def name_property(resource_type: str) -> str | None:
    """The property that names a resource of this type when given (FunctionName, BucketName...)."""
    rule = _RULES.get(resource_type)
    return rule.name_property if rule else None


def resource_names(
    ctx: NamingContext,
    logical_id: str,
    resource_type: str,
    given_name: str | None,
    properties: Mapping[str, Any],
) -> ResourceNames:
    """Ref value and attributes of one resource; unknown types get a generated name and no attributes."""
    rule = _RULES.get(resource_type)
    namer = rule.namer if rule else _generic
    if given_name is not None and not isinstance(given_name, str):
        prop = rule.name_property if rule else "name"
        raise TemplateError(f"Resource '{logical_id}' property '{prop}': must be a string")
    return namer(ctx, logical_id, given_name, properties)


def get_attribute(names: ResourceNames, logical_id: str, resource_type: str, attribute: str) -> Any:
    """`Fn::GetAtt [logical_id, attribute]`, or a TemplateError naming resource and attribute."""
    if attribute in names.attributes:
        return names.attributes[attribute]
    known = ", ".join(sorted(names.attributes)) or "none modelled by samlite"
    raise TemplateError(
        f"Resource '{logical_id}' ({resource_type}): unknown attribute '{attribute}' for Fn::GetAtt "
        f"(available: {known})"
    )
