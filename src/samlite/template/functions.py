"""From translated `AWS::Lambda::Function` resources to `samlite.model.FunctionSpec`.

The translated (CloudFormation) resource gives everything SAM merged in (Globals, the generated role,
DeadLetterConfig, EventInvokeConfig resources); the SAM resource gives what translation replaced: the
real local CodeUri and the `Events`. A function samlite cannot run (container image, Layers, a
non-Python runtime, code not on disk) does not stop the stack from loading: its reason is kept and
reported when that function is asked for, so the other functions of the template remain usable.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samlite.errors import TemplateError
from samlite.model import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, EventInvokeConfig, FunctionSpec
from samlite.template.env_vars import apply_env_overrides, env_value_text
from samlite.template.function_limits import check_function_limits
from samlite.template.intrinsics import Resolver
from samlite.template.locations import Location

_PYTHON_RUNTIME = re.compile(r"^python3\.\d+$")


@dataclass(frozen=True)
class FunctionBuild:
    """The outcome for one function: a spec, or why samlite cannot run it."""

    logical_id: str
    spec: FunctionSpec | None
    unsupported_reason: str | None = None


def _int(value: Any, loc: Location, default: int) -> int:
    if value is None:
        return default
    try:
        return int(str(value))
    except ValueError:
        raise loc.error(f"must be a whole number, not {value!r}") from None


def _code_path(
    logical_id: str,
    sam_resource: Mapping[str, Any],
    sam_template: Mapping[str, Any],
    base_dir: Path,
    resolver: Resolver,
) -> Path | str:
    """The local code directory, or a string saying why there is none."""
    properties = sam_resource.get("Properties") or {}
    if sam_resource["Type"] == "AWS::Lambda::Function":
        code = properties.get("Code")
        if isinstance(code, str):  # `sam local` accepts a local path here
            return (base_dir / code).resolve()
        return "Code must be a local path (S3 code and ZipFile are not supported)"
    if "InlineCode" in properties:
        return "InlineCode is not supported: put the code in a CodeUri directory"
    globals_function = (sam_template.get("Globals") or {}).get("Function") or {}
    code_uri = properties.get("CodeUri", globals_function.get("CodeUri", "."))
    code_uri = resolver.resolve(code_uri, Location("Resource", logical_id, ("CodeUri",)))
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        return "CodeUri must be a local directory (code in S3 is not supported)"
    return (base_dir / code_uri).resolve()


def _unsupported_reason(logical_id: str, properties: Mapping[str, Any], code: Path | str) -> str | None:
    where = f"Function '{logical_id}'"
    if (
        properties.get("PackageType") == "Image"
        or "ImageUri" in properties
        or "ImageUri" in (properties.get("Code") or {})
    ):
        return f"{where} property 'PackageType': container-image functions are not supported by samlite"
    if properties.get("Layers"):
        return f"{where} property 'Layers': Lambda layers are not supported by samlite"
    runtime = properties.get("Runtime")
    if not isinstance(runtime, str) or not _PYTHON_RUNTIME.match(runtime):
        return f"{where} property 'Runtime': {runtime!r} is not supported (samlite runs python3.x functions)"
    if not isinstance(properties.get("Handler"), str):
        return f"{where} property 'Handler': missing"
    if isinstance(code, str):
        return f"{where} property 'CodeUri': {code}"
    return None


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
) -> FunctionBuild:
    """One function's spec. `resolved` maps logical ids to {"Type", "Properties"} with intrinsics resolved."""
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
    code = _code_path(logical_id, sam_resource, sam_template, base_dir, resolver)
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
    if reason is not None or isinstance(code, str):
        return FunctionBuild(logical_id, None, reason)
    function_name = refs[logical_id]
    logging_config = properties.get("LoggingConfig") or {}
    events = resolver.resolve(sam_properties.get("Events") or {}, loc.child("Events"))
    spec = FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        handler=properties["Handler"],
        runtime=properties["Runtime"],
        code_uri=code,
        memory_size=memory_size,
        timeout=timeout,
        environment=_environment(logical_id, function_name, properties, env_vars),
        log_format=str(logging_config.get("LogFormat", "Text")),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        system_log_level=logging_config.get("SystemLogLevel"),
        architectures=tuple(properties.get("Architectures") or ("x86_64",)),
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
    )
    return FunctionBuild(logical_id, spec)
