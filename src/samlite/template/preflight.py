"""What can be refused from the template file alone, before the local cloud imports anything heavy.

`samlite start` spends its first second importing moto, botocore and the SAM translator; a template
that is wrong as written should not wait for that. `preflight(path)` reads the file (duplicate keys,
YAML alias bombs: `yaml_loader`), checks its structure as written (`validation.check_document`: resource
count, logical ids, `DependsOn` shapes), the resource types it names that are not SAM's, `DependsOn`
cycles among its resources, and each function's literal `Handler`, `Timeout`, `MemorySize` (after
`Globals`) and handler module. Everything else (values computed by intrinsic functions, what SAM's
transform generates, references through `Ref` / `Fn::GetAtt` / `Fn::Sub`) is checked by `load_stack`,
which applies the same rules to the processed template; the preflight only refuses sooner.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samlite.model import FunctionSpec
from samlite.template.function_limits import check_function_limits
from samlite.template.handler_check import check_handler
from samlite.template.locations import Location
from samlite.template.resource_types import unknown_types
from samlite.template.stack import find_template_file
from samlite.template.validation import check_document, dependency_cycle
from samlite.template.yaml_loader import load_template_file

# The resource types of the AWS::Serverless-2016-10-31 transform ("AWS SAM resources and properties").
SAM_TYPES = frozenset(
    {
        "AWS::Serverless::Api",
        "AWS::Serverless::Application",
        "AWS::Serverless::Connector",
        "AWS::Serverless::Function",
        "AWS::Serverless::GraphQLApi",
        "AWS::Serverless::HttpApi",
        "AWS::Serverless::LayerVersion",
        "AWS::Serverless::SimpleTable",
        "AWS::Serverless::StateMachine",
    }
)
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def preflight(template: str | Path, region: str = "us-east-1") -> None:
    """TemplateError naming the resource and property for what the file alone shows to be wrong."""
    path = find_template_file(template)
    document = load_template_file(path)
    check_document(document, path.name)
    resources: Mapping[str, Any] = document["Resources"]
    _check_types(resources, region)
    edges = {
        logical_id: {name: "DependsOn" for name in _depends_on(resource) if name in resources}
        for logical_id, resource in resources.items()
    }
    cycle = dependency_cycle(edges)
    if cycle is not None:
        raise Location("Resource", cycle[0], ("DependsOn",)).error(
            f"circular dependency between resources {' -> '.join(cycle)} "
            "(CloudFormation: Circular dependency between resources)"
        )
    globals_function = ((document.get("Globals") or {}).get("Function") or {}) if _is_sam(document) else {}
    for logical_id, resource in resources.items():
        if resource.get("Type") in _FUNCTION_TYPES:
            _check_function(logical_id, resource, globals_function, path.parent)


def _is_sam(document: Mapping[str, Any]) -> bool:
    transform = document.get("Transform")
    return "AWS::Serverless-2016-10-31" in (transform if isinstance(transform, list) else [transform])


def _check_types(resources: Mapping[str, Any], region: str) -> None:
    names = {str(resource["Type"]) for resource in resources.values()}
    unknown = (unknown_types(names - SAM_TYPES, region) or set()) | {
        name for name in names if name.startswith("AWS::Serverless::") and name not in SAM_TYPES
    }
    for logical_id, resource in resources.items():
        if resource["Type"] in unknown:
            raise Location("Resource", logical_id, ("Type",)).error(
                f"{resource['Type']} is not a resource type CloudFormation knows in {region} "
                "(CloudFormation: Unrecognized resource types)"
            )


def _depends_on(resource: Mapping[str, Any]) -> list[str]:
    value = resource.get("DependsOn")
    return [value] if isinstance(value, str) else [name for name in value or [] if isinstance(name, str)]


def _check_function(
    logical_id: str, resource: Mapping[str, Any], globals_function: Mapping[str, Any], base: Path
) -> None:
    """The literal values of a function (those computed by intrinsics are left to load_stack)."""
    properties = resource.get("Properties") or {}
    if not isinstance(properties, Mapping):
        return
    serverless = resource["Type"] == "AWS::Serverless::Function"
    merged = {**globals_function, **properties} if serverless else dict(properties)
    handler, runtime = _literal(merged.get("Handler"), str), _literal(merged.get("Runtime"), str)
    loc = Location("Resource", logical_id)
    check_function_limits(
        loc,
        timeout=_literal(merged.get("Timeout"), int),
        memory_size=_literal(merged.get("MemorySize"), int),
        handler=handler,
        runtime=runtime,
    )
    code = merged.get("CodeUri", ".") if serverless else merged.get("Code")
    if handler and runtime and runtime.startswith("python") and isinstance(code, str):
        if code.startswith("s3://") or merged.get("PackageType") == "Image":
            return
        spec = FunctionSpec(
            logical_id=logical_id,
            function_name=logical_id,
            handler=handler,
            runtime=runtime,
            code_uri=(base / code).resolve(),
        )
        check_handler(spec)


def _literal(value: Any, kind: type) -> Any:
    """`value` when written as a literal of `kind` (not an intrinsic function, not a bool), else None."""
    return value if isinstance(value, kind) and not isinstance(value, bool) else None
