"""From translated `AWS::Lambda::Function` resources to `samlite.model.FunctionSpec`.

The translated (CloudFormation) resource gives everything SAM merged in (Globals, the generated role,
DeadLetterConfig, EventInvokeConfig resources); the SAM resource gives what translation replaced: the
real local CodeUri and the `Events`. A function samlite cannot run (container image, a non-Python
runtime, code in S3, a layer it cannot find) does not stop the stack from loading: its reason is kept
and reported when that function is asked for, so the other functions of the template remain usable
(`samlite invoke`), while `samlite start` refuses the template with that reason. Inline code
(`InlineCode`, `Code: ZipFile`) is written to the cache and run from there (`inline_code`); layers are
found by `layers`.

`FunctionSpec.policy_documents` representation (one mapping per policy attached to the role):
  - inline policy (role `Policies`, SAM policy templates, AWS::IAM::Policy resources naming the role):
    `{"PolicyName": "FnRolePolicy0", "PolicyDocument": {"Version": ..., "Statement": [...]}}`
  - managed policy (role `ManagedPolicyArns`, including SAM's AWSLambdaBasicExecutionRole):
    `{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}`
  A consumer tells them apart by the presence of "PolicyDocument" or "PolicyArn". Intrinsics are
  resolved, so Resource ARNs name this stack's local resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.config import default_cache_dir
from samlite.errors import TemplateError
from samlite.model import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, EventInvokeConfig, FunctionSpec
from samlite.template.env_vars import apply_env_overrides, env_value_text
from samlite.template.function_limits import check_function_limits
from samlite.template.inline_code import handler_warning, write_inline_code
from samlite.template.intrinsics import Resolver
from samlite.template.layers import LayerCatalog, function_layers
from samlite.template.locations import Location

_PYTHON_RUNTIME = re.compile(r"^python3\.\d+$")


@dataclass(frozen=True)
class FunctionBuild:
    """The outcome for one function: a spec, or why samlite cannot run it."""

    logical_id: str
    spec: FunctionSpec | None
    unsupported_reason: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Code:
    """Where a function's code is: a local folder, inline source, or why samlite has neither."""

    path: Path | None = None
    inline: str | None = None
    reason: str | None = None


def _int(value: Any, loc: Location, default: int) -> int:
    if value is None:
        return default
    try:
        return int(str(value))
    except ValueError:
        raise loc.error(f"must be a whole number, not {value!r}") from None


def _code(
    logical_id: str,
    sam_resource: Mapping[str, Any],
    properties: Mapping[str, Any],
    context: tuple[Mapping[str, Any], Path, Resolver],
) -> _Code:
    """The function's code: `properties` are the translated resource's, intrinsics resolved;
    `context` is (the SAM template, its folder, the resolver)."""
    sam_template, base_dir, resolver = context
    asset = _asset_path(sam_resource.get("Metadata") or {})
    if asset is not None:  # the CDK's asset Metadata, which SAM CLI reads instead of CodeUri / Code
        return _Code(path=(base_dir / asset).resolve())
    where = f"Function '{logical_id}' property"
    if sam_resource["Type"] == "AWS::Lambda::Function":
        return _cloudformation_code(where, properties.get("Code"), base_dir)
    if "InlineCode" in (sam_resource.get("Properties") or {}):
        return _inline(where, "InlineCode", (properties.get("Code") or {}).get("ZipFile"))
    globals_function = (sam_template.get("Globals") or {}).get("Function") or {}
    code_uri = (sam_resource.get("Properties") or {}).get("CodeUri", globals_function.get("CodeUri", "."))
    code_uri = resolver.resolve(code_uri, Location("Resource", logical_id, ("CodeUri",)))
    return _code_uri(where, code_uri, base_dir)


def _code_uri(where: str, code_uri: Any, base_dir: Path) -> _Code:
    """`AWS::Serverless::Function` CodeUri: a local folder, or code in S3 (a URI or Bucket/Key)."""
    fix = "point CodeUri at the function's source folder"
    if isinstance(code_uri, Mapping):
        shown = f"s3://{code_uri.get('Bucket')}/{code_uri.get('Key')}"
        return _Code(reason=_in_s3(where, "CodeUri", shown, fix))
    if not isinstance(code_uri, str):
        return _Code(reason=f"{where} 'CodeUri': must be a local folder, not {code_uri!r}")
    if code_uri.startswith("s3://"):
        return _Code(reason=_in_s3(where, "CodeUri", code_uri, fix))
    return _Code(path=(base_dir / code_uri).resolve())


def _cloudformation_code(where: str, code: Any, base_dir: Path) -> _Code:
    """`AWS::Lambda::Function` Code: a local path (as `sam local` accepts it), ZipFile, or S3."""
    if isinstance(code, str):
        return _Code(path=(base_dir / code).resolve())
    if isinstance(code, Mapping) and "ZipFile" in code:
        return _inline(where, "Code.ZipFile", code["ZipFile"])
    if isinstance(code, Mapping) and "S3Bucket" in code:
        shown = f"s3://{code.get('S3Bucket')}/{code.get('S3Key')}"
        return _Code(reason=_in_s3(where, "Code", shown, "give Code a local folder, as sam local reads it"))
    return _Code(reason=f"{where} 'Code': missing (give a local folder or ZipFile source)")


def _inline(where: str, name: str, source: Any) -> _Code:
    if not isinstance(source, str):
        return _Code(reason=f"{where} '{name}': must be the function's source as a string")
    return _Code(inline=source)


def _in_s3(where: str, name: str, shown: str, fix: str) -> str:
    return (
        f"{where} '{name}': {shown} is code in S3; samlite runs functions from local code only: {fix} "
        "(the folder sam build reads)"
    )


def _asset_path(metadata: Mapping[str, Any]) -> str | None:
    path = metadata.get("aws:asset:path")
    prop = metadata.get("aws:asset:property")
    return path if isinstance(path, str) and prop in ("CodeUri", "Code") else None


def _unsupported_reason(logical_id: str, properties: Mapping[str, Any], code: _Code) -> str | None:
    where = f"Function '{logical_id}'"
    if (
        properties.get("PackageType") == "Image"
        or "ImageUri" in properties
        or "ImageUri" in (properties.get("Code") or {})
    ):
        return f"{where} property 'PackageType': container-image functions are not supported by samlite"
    runtime = properties.get("Runtime")
    if not isinstance(runtime, str) or not _PYTHON_RUNTIME.match(runtime):
        return f"{where} property 'Runtime': {runtime!r} is not supported (samlite runs python3.x functions)"
    if not isinstance(properties.get("Handler"), str):
        return f"{where} property 'Handler': missing"
    return code.reason


def _environment(
    logical_id: str,
    function_name: str,
    properties: Mapping[str, Any],
    env_vars: Mapping[str, Mapping[str, str]] | None,
) -> dict[str, str]:
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    if not isinstance(variables, dict):
        raise TemplateError(f"Resource '{logical_id}' property 'Environment.Variables': must be a mapping")
    declared = {
        str(name): env_value_text(value, f"Resource '{logical_id}' property 'Environment.Variables.{name}'")
        for name, value in variables.items()
    }
    return apply_env_overrides(declared, env_vars, (logical_id, function_name))


def _event_invoke_config(
    function_name: str, function_arn: str, resources: Mapping[str, Mapping[str, Any]]
) -> EventInvokeConfig:
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::EventInvokeConfig":
            continue
        properties = resource["Properties"]
        if properties.get("FunctionName") not in (function_name, function_arn):
            continue
        loc = Location("Resource", logical_id)
        destinations = properties.get("DestinationConfig") or {}
        return EventInvokeConfig(
            maximum_retry_attempts=_int(
                properties.get("MaximumRetryAttempts"), loc.child("MaximumRetryAttempts"), 2
            ),
            maximum_event_age_seconds=_int(
                properties.get("MaximumEventAgeInSeconds"), loc.child("MaximumEventAgeInSeconds"), 21600
            ),
            on_success_arn=(destinations.get("OnSuccess") or {}).get("Destination"),
            on_failure_arn=(destinations.get("OnFailure") or {}).get("Destination"),
        )
    return EventInvokeConfig()


def _role_policies(
    role_arn: str | None,
    resources: Mapping[str, Mapping[str, Any]],
    refs: Mapping[str, str],
    arns: Mapping[str, str],
) -> tuple[dict[str, Any], ...]:
    role_id = next((rid for rid, arn in arns.items() if arn == role_arn), None)
    if role_id is None or resources[role_id]["Type"] != "AWS::IAM::Role":
        return ()  # a role from outside the template: its policies are not known here
    role = resources[role_id]["Properties"]
    policies: list[dict[str, Any]] = [
        {"PolicyName": policy.get("PolicyName"), "PolicyDocument": policy.get("PolicyDocument")}
        for policy in role.get("Policies") or []
    ]
    managed = list(role.get("ManagedPolicyArns") or [])
    role_name = refs[role_id]
    for resource_id, resource in resources.items():
        properties = resource["Properties"]
        if role_name not in (properties.get("Roles") or []):
            continue
        if resource["Type"] == "AWS::IAM::Policy":
            policies.append(
                {
                    "PolicyName": properties.get("PolicyName"),
                    "PolicyDocument": properties.get("PolicyDocument"),
                }
            )
        elif resource["Type"] == "AWS::IAM::ManagedPolicy":
            policies.append({"PolicyName": resource_id, "PolicyDocument": properties.get("PolicyDocument")})
    policies += [{"PolicyName": str(arn).rsplit("/", 1)[-1], "PolicyArn": arn} for arn in managed]
    return tuple(policies)


def build_function(
    logical_id: str,
    *,
    sam_template: Mapping[str, Any],
    resolved: Mapping[str, Mapping[str, Any]],
    refs: Mapping[str, str],
    arns: Mapping[str, str],
    resolver: Resolver,
    base_dir: Path,
    env_vars: Mapping[str, Mapping[str, str]] | None,
    layers: LayerCatalog | None = None,
    cache_dir: Path | None = None,
) -> FunctionBuild:
    """One function's spec. `resolved` maps logical ids to {"Type", "Properties"} with intrinsics resolved;
    `layers` are the layers it may name; inline code is written under `cache_dir`."""
    properties = resolved[logical_id]["Properties"]
    sam_resource = sam_template["Resources"].get(logical_id) or {
        "Type": "AWS::Lambda::Function",
        "Properties": {},
    }
    sam_properties = sam_resource.get("Properties") or {}
    # SAM drops PackageType/ImageUri/Layers into the translated resource; check the SAM side too.
    merged = {
        **properties,
        **{key: sam_properties[key] for key in ("PackageType", "ImageUri") if key in sam_properties},
    }
    code = _code(logical_id, sam_resource, properties, (sam_template, base_dir, resolver))
    reason = _unsupported_reason(logical_id, merged, code)
    loc = Location("Resource", logical_id)
    memory_size = _int(properties.get("MemorySize"), loc.child("MemorySize"), DEFAULT_MEMORY_MB)
    timeout = _int(properties.get("Timeout"), loc.child("Timeout"), DEFAULT_TIMEOUT_S)
    check_function_limits(  # Lambda refuses these whether or not samlite can run the function
        loc,
        timeout=timeout,
        memory_size=memory_size,
        handler=properties.get("Handler") if reason is None else None,
        runtime=properties.get("Runtime"),
    )
    if reason is not None:
        return FunctionBuild(logical_id, None, reason)
    architectures = tuple(properties.get("Architectures") or ("x86_64",))
    found = function_layers(
        logical_id,
        properties.get("Layers"),
        runtime=properties["Runtime"],
        architectures=architectures,
        catalog=layers or LayerCatalog(),
    )
    if found.reason is not None:
        return FunctionBuild(logical_id, None, found.reason, found.warnings)
    warnings = list(found.warnings)
    if code.inline is not None:
        code_uri = write_inline_code(code.inline, cache_dir or default_cache_dir())
        warning = handler_warning(logical_id, properties["Handler"])
        warnings += [warning] if warning else []
    else:
        assert code.path is not None
        code_uri = code.path
    function_name = refs[logical_id]
    logging_config = properties.get("LoggingConfig") or {}
    events = resolver.resolve(sam_properties.get("Events") or {}, loc.child("Events"))
    spec = FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        handler=properties["Handler"],
        runtime=properties["Runtime"],
        code_uri=code_uri,
        memory_size=memory_size,
        timeout=timeout,
        environment=_environment(logical_id, function_name, properties, env_vars),
        log_format=str(logging_config.get("LogFormat", "Text")),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        system_log_level=logging_config.get("SystemLogLevel"),
        architectures=architectures,
        reserved_concurrency=(
            _int(properties["ReservedConcurrentExecutions"], loc.child("ReservedConcurrentExecutions"), 0)
            if "ReservedConcurrentExecutions" in properties
            else None
        ),
        role_arn=properties.get("Role"),
        policy_documents=_role_policies(properties.get("Role"), resolved, refs, arns),
        dead_letter_target_arn=(properties.get("DeadLetterConfig") or {}).get("TargetArn"),
        event_invoke_config=_event_invoke_config(function_name, arns[logical_id], resolved),
        events=events,
        layers=found.layers,
        inline_code=code.inline is not None,
    )
    return FunctionBuild(logical_id, spec, warnings=warnings)
