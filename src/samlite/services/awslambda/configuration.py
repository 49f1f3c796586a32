"""A function's configuration in the Lambda API's own JSON shapes (`FunctionConfiguration`,
`AliasConfiguration`, GetFunction's response), from what samlite runs.

The values are the local ones: the function's FunctionSpec (handler, runtime, memory, timeout, the
environment after Globals, parameters, `--env-vars` and dynamic references), the template's other
properties as given (tags, tracing, VPC, KMS key, ephemeral storage), and a package made from the code
directory (`code_package.py`). Fields Lambda reports for states samlite never enters (`Pending`,
`Failed`, update in progress) are given their settled values: `State: Active`, `LastUpdateStatus:
Successful`. Shapes: "FunctionConfiguration", "AliasConfiguration", "GetFunction" in the Lambda API
reference (botocore's service model, which tests check every answer against).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import FunctionSpec
from samlite.services.awslambda.code_package import CodePackage
from samlite.services.awslambda.registry import Alias, FunctionEntry

DEFAULT_EPHEMERAL_STORAGE_MB = 512


def function_configuration(
    entry: FunctionEntry,
    spec: FunctionSpec,
    *,
    arn: str,
    package: CodePackage,
) -> dict[str, Any]:
    """`FunctionConfiguration` of `spec` (one version of `entry`), reported under `arn`."""
    props = entry.properties
    published = entry.versions.get(spec.version)
    config: dict[str, Any] = {
        "FunctionName": spec.function_name,
        "FunctionArn": arn,
        "Runtime": spec.runtime,
        "Role": spec.role_arn or "",
        "Handler": spec.handler,
        "CodeSize": package.size,
        "Description": published.description if published else entry.description,
        "Timeout": spec.timeout,
        "MemorySize": spec.memory_size,
        "LastModified": published.last_modified if published else entry.last_modified,
        "CodeSha256": package.sha256,
        "Version": spec.version,
        "TracingConfig": {"Mode": str((props.get("TracingConfig") or {}).get("Mode") or "PassThrough")},
        "RevisionId": published.revision_id if published else entry.revision_id,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": list(spec.architectures),
        "EphemeralStorage": {"Size": _ephemeral_storage(props)},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _logging_config(spec, props),
    }
    if spec.environment:
        config["Environment"] = {"Variables": dict(spec.environment)}
    if spec.dead_letter_target_arn:
        config["DeadLetterConfig"] = {"TargetArn": spec.dead_letter_target_arn}
    vpc = props.get("VpcConfig")
    if isinstance(vpc, Mapping):
        config["VpcConfig"] = {
            "SubnetIds": [str(s) for s in vpc.get("SubnetIds") or []],
            "SecurityGroupIds": [str(g) for g in vpc.get("SecurityGroupIds") or []],
            "VpcId": "",
        }
    if props.get("KmsKeyArn"):
        config["KMSKeyArn"] = str(props["KmsKeyArn"])
    layers = props.get("Layers")
    if isinstance(layers, list) and layers:
        config["Layers"] = [{"Arn": str(layer)} for layer in layers]
    return config


def _ephemeral_storage(props: Mapping[str, Any]) -> int:
    size = (props.get("EphemeralStorage") or {}).get("Size")
    return int(size) if size not in (None, "") else DEFAULT_EPHEMERAL_STORAGE_MB


def _logging_config(spec: FunctionSpec, props: Mapping[str, Any]) -> dict[str, str]:
    given = props.get("LoggingConfig") or {}
    config = {
        "LogFormat": spec.log_format,
        "LogGroup": str(given.get("LogGroup") or f"/aws/lambda/{spec.function_name}"),
    }
    if spec.log_format.upper() == "JSON":
        config["ApplicationLogLevel"] = str(spec.application_log_level or "INFO").upper()
        config["SystemLogLevel"] = str(spec.system_log_level or "INFO").upper()
    return config


def tags(entry: FunctionEntry) -> dict[str, str]:
    """The function's tags (CloudFormation's list of {Key, Value}, or SAM's map)."""
    given = entry.properties.get("Tags")
    if isinstance(given, Mapping):
        return {str(k): str(v) for k, v in given.items()}
    if isinstance(given, list):
        return {
            str(tag["Key"]): str(tag["Value"]) for tag in given if isinstance(tag, Mapping) and "Key" in tag
        }
    return {}


def alias_configuration(alias: Alias, arn: str) -> dict[str, Any]:
    """`AliasConfiguration` of `alias`, whose ARN is `arn`."""
    config: dict[str, Any] = {
        "AliasArn": arn,
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
    }
    if alias.additional_weights:
        config["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.additional_weights)}
    return config
