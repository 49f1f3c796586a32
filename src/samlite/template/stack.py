"""`load_stack`: a SAM template turned into the local stack every part of samlite works from.

Order matters and mirrors CloudFormation: the template's structure is checked first (`validation`:
resource count, logical ids, duplicate keys while reading), then parameters, then SAM is translated
and the processed template checked (resource types, `DependsOn`), then conditions decide which
resources exist and their dependencies must form no cycle, then names and intrinsic values are
computed, and only then are functions described. Everything is computed once, at load, so a bad
template fails before any process starts, with a message naming the resource and property.

`strict=False` (what `samlite invoke` uses) loads a template whose unrelated parts are broken, as SAM
CLI's `local invoke` does: a resource that cannot be translated or resolved, or a parameter without a
value, is left out with its reason (`Stack.broken`), and only asking for it (or for a function that
needs it) fails. `samlite start` loads strictly: the first problem is the one-line error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from samlite.errors import TemplateError, UnsupportedError
from samlite.model import FunctionSpec, Resource
from samlite.template.dynamic_references import resolve_stack
from samlite.template.env_vars import validate_env_vars
from samlite.template.functions import FunctionBuild, build_function
from samlite.template.intrinsics import Resolver
from samlite.template.layers import build_catalog
from samlite.template.locations import Location, join_names
from samlite.template.naming import NamingContext
from samlite.template.parameters import resolve_parameters
from samlite.template.translate import translate, translate_leniently, unapplied_transform_warnings
from samlite.template.validation import check_dependencies, check_document, check_processed
from samlite.template.versions import alias_warnings, version_numbers
from samlite.template.yaml_loader import load_template_file

_DEFAULT_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
_FUNCTION_TYPE = "AWS::Lambda::Function"


@dataclass
class Stack:
    """A loaded template: parameters, translated template, resolved resources, functions, outputs."""

    path: Path
    region: str
    account_id: str
    stack_name: str
    endpoint_url: str | None
    parameters: dict[str, str]
    sam_template: dict[str, Any]
    cfn_template: dict[str, Any]
    resources: dict[str, Resource]
    functions: dict[str, FunctionSpec]
    outputs: dict[str, Any]
    warnings: list[str]
    # Functions present in the template that samlite cannot run, with the reason (see functions.py).
    unsupported_functions: dict[str, str] = field(default_factory=dict)
    # Outputs in CloudFormation DescribeStacks' shape: OutputKey, OutputValue (a string, lists joined
    # with commas), and Description / ExportName when the template gives them.
    output_details: list[dict[str, str]] = field(default_factory=list)
    # Resources left out because they are broken (only when loaded with strict=False), with the reason.
    broken: dict[str, str] = field(default_factory=dict)

    def function(self, function_id: str) -> FunctionSpec:
        """A function by SAM logical id or physical function name; UnsupportedError for one samlite
        cannot run, TemplateError for one that is broken or unknown."""
        if function_id in self.functions:
            return self.functions[function_id]
        if function_id in self.unsupported_functions:
            raise UnsupportedError(self.unsupported_functions[function_id])
        if function_id in self.broken:
            raise TemplateError(self.broken[function_id])
        for spec in self.functions.values():
            if spec.function_name == function_id:
                return spec
        for logical_id, reason in self.unsupported_functions.items():
            resource = self.resources.get(logical_id)
            if resource is not None and resource.ref == function_id:
                raise UnsupportedError(reason)
        available = join_names(self.functions)
        raise TemplateError(f"no function '{function_id}' in {self.path.name} (available: {available})")


def find_template_file(template: str | Path) -> Path:
    """The template file `template` names: a file, or a directory holding template.yaml/.yml/.json."""
    path = Path(template).expanduser().resolve()
    if path.is_dir():
        for name in _DEFAULT_TEMPLATE_NAMES:
            if (path / name).is_file():
                return path / name
        raise TemplateError(f"no template.yaml, template.yml or template.json in {path}")
    return path


def _outputs(
    template: Mapping[str, Any], resolver: Resolver, strict: bool = True, warnings: list[str] | None = None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Resolved output values, and the same outputs as DescribeStacks lists them (not strict: an output
    that cannot be resolved is left out with a warning)."""
    outputs: dict[str, Any] = {}
    details: list[dict[str, str]] = []
    for name, output in (template.get("Outputs") or {}).items():
        try:
            _output(name, output, resolver, outputs, details)
        except TemplateError as error:
            if strict:
                raise
            if warnings is not None:
                warnings.append(f"{error} (output left out)")
    return outputs, details


def _output(
    name: str, output: Any, resolver: Resolver, outputs: dict[str, Any], details: list[dict[str, str]]
) -> None:
    loc = Location("Output", name)
    if not isinstance(output, dict) or "Value" not in output:
        raise loc.error("must be a mapping with a 'Value'")
    condition = output.get("Condition")
    if condition is not None and not resolver.condition(condition, loc.child("Condition")):
        return
    value = resolver.resolve(output["Value"], loc.child("Value"))
    detail = {"OutputKey": name, "OutputValue": _output_text(value)}
    if "Description" in output:
        detail["Description"] = str(resolver.resolve(output["Description"], loc.child("Description")))
    export_name = (output.get("Export") or {}).get("Name")
    if export_name is not None:
        detail["ExportName"] = str(resolver.resolve(export_name, loc.child("Export.Name")))
    outputs[name] = value
    details.append(detail)


def _output_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_output_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _translator_values(raw_parameters: Mapping[str, Any], naming: NamingContext) -> dict[str, Any]:
    return {
        **raw_parameters,
        "AWS::Region": naming.region,
        "AWS::AccountId": naming.account_id,
        "AWS::StackName": naming.stack_name,
        "AWS::Partition": naming.partition,
    }


def translate_ahead(
    template_path: str | Path,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    stack_name: str = "samlite",
) -> None:
    """Translate the template as `load_stack` will, so that its translation is in the disk cache
    (`translation_cache`) when `load_stack` asks: what a start can do before the endpoint URL is known.
    aws-sam-translator is only imported when the cache has no answer yet. Any problem is left for
    `load_stack` to report, in its order."""
    path = find_template_file(template_path)
    sam_template = load_template_file(path)
    check_document(sam_template, path.name)
    params = resolve_parameters(sam_template.get("Parameters"), dict(parameter_overrides or {}))
    naming = NamingContext(stack_name=stack_name, region=region, account_id=account_id, endpoint_url=None)
    translate(sam_template, path.parent, _translator_values(params.raw, naming), region)


def load_stack(
    template_path: str | Path,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    env_vars: Mapping[str, Mapping[str, str]] | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    stack_name: str = "samlite",
    endpoint_url: str | None = None,
    layer_map: Mapping[str, Path] | None = None,
    cache_dir: Path | None = None,
    strict: bool = True,
) -> Stack:
    """Load, translate and resolve a SAM (or plain CloudFormation) template for local use.

    `layer_map` maps layer ARNs (or ARN prefixes) to local folders; inline code is written under
    `cache_dir` (default: samlite's cache); `strict=False`: see the module docstring."""
    path = find_template_file(template_path)
    sam_template = load_template_file(path)
    check_document(sam_template, path.name)
    base_dir = path.parent
    params = resolve_parameters(
        sam_template.get("Parameters"), dict(parameter_overrides or {}), allow_missing=not strict
    )
    warnings = list(params.warnings)
    env_overrides = (
        validate_env_vars(dict(env_vars) if isinstance(env_vars, Mapping) else env_vars)
        if env_vars is not None
        else None
    )
    naming = NamingContext(
        stack_name=stack_name, region=region, account_id=account_id, endpoint_url=endpoint_url
    )
    translator_values = _translator_values(params.raw, naming)
    warnings += unapplied_transform_warnings(sam_template)
    broken: dict[str, str] = {}
    if strict:
        cfn_template = translate(sam_template, base_dir, translator_values, region)
    else:
        cfn_template, broken = translate_leniently(sam_template, base_dir, translator_values, region)
    naming = replace(naming, version_numbers=version_numbers(cfn_template.get("Resources") or {}))
    if strict:  # `samlite invoke` runs one function of a template whose unrelated parts are broken
        check_processed(cfn_template, region, path.name)
    resolver = Resolver(cfn_template, params.typed, naming, warnings)
    if strict:
        check_dependencies(cfn_template, resolver)
    resolver.missing_parameters = dict(params.missing)

    resources, resolved = _resolve_resources(cfn_template, resolver, broken, strict)
    warnings += alias_warnings(resources)
    catalog = build_catalog(resources, sam_template, resolver, base_dir, layer_map)
    functions, unsupported = _build_functions(
        resources,
        broken,
        warnings,
        strict=strict,
        build=lambda logical_id, refs, arns: build_function(
            logical_id,
            sam_template=sam_template,
            resolved=resolved,
            refs=refs,
            arns=arns,
            resolver=resolver,
            base_dir=base_dir,
            env_vars=env_overrides,
            layers=catalog,
            cache_dir=cache_dir,
        ),
    )
    resources, functions = resolve_stack(resources, functions)  # {{resolve:ssm:...}} and the like
    outputs, output_details = _outputs(cfn_template, resolver, strict, warnings)
    return Stack(
        path=path,
        region=region,
        account_id=account_id,
        stack_name=stack_name,
        endpoint_url=endpoint_url,
        parameters=dict(params.raw),
        sam_template=sam_template,
        cfn_template=cfn_template,
        resources=resources,
        functions=functions,
        outputs=outputs,
        warnings=warnings,
        unsupported_functions=unsupported,
        output_details=output_details,
        broken=broken,
    )


def _resolve_resources(
    cfn_template: Mapping[str, Any], resolver: Resolver, broken: dict[str, str], strict: bool
) -> tuple[dict[str, Resource], dict[str, dict[str, Any]]]:
    """Each included resource with its names and resolved properties (not strict: a resource that
    cannot be resolved goes to `broken` instead of failing the template)."""
    resources: dict[str, Resource] = {}
    resolved: dict[str, dict[str, Any]] = {}
    for logical_id, resource in cfn_template["Resources"].items():
        try:
            if not resolver.resource_included(logical_id):
                continue
            loc = Location("Resource", logical_id)
            names = resolver.names(logical_id, loc)
            properties = resolver.resolve(resource.get("Properties") or {}, loc)
            if not isinstance(properties, dict):
                raise loc.error("'Properties' must be a mapping")
        except TemplateError as error:
            if strict:
                raise
            broken[logical_id] = str(error)
            continue
        resolved[logical_id] = {"Type": resource["Type"], "Properties": properties}
        resources[logical_id] = Resource(
            logical_id=logical_id,
            type=resource["Type"],
            properties=properties,
            ref=names.ref,
            attributes=dict(names.attributes),
            metadata=resource.get("Metadata") or {},
        )
    return resources, resolved


def _build_functions(
    resources: Mapping[str, Resource],
    broken: dict[str, str],
    warnings: list[str],
    *,
    strict: bool,
    build: Callable[[str, dict[str, str], dict[str, str]], FunctionBuild],
) -> tuple[dict[str, FunctionSpec], dict[str, str]]:
    """The functions samlite can run, and why it cannot run the others."""
    refs = {logical_id: resource.ref for logical_id, resource in resources.items()}
    arns = {
        logical_id: str(resource.attributes.get("Arn", resource.ref))
        for logical_id, resource in resources.items()
    }
    functions: dict[str, FunctionSpec] = {}
    unsupported: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if resource.type != _FUNCTION_TYPE:
            continue
        try:
            built = build(logical_id, refs, arns)
        except TemplateError as error:
            if strict:
                raise
            broken[logical_id] = str(error)
            continue
        warnings += built.warnings
        if built.spec is not None:
            functions[logical_id] = built.spec
            if not built.spec.code_uri.is_dir():
                warnings.append(f"Function '{logical_id}': CodeUri {built.spec.code_uri} is not a directory")
        else:
            unsupported[logical_id] = built.unsupported_reason or f"Function '{logical_id}' cannot run"
            warnings.append(unsupported[logical_id])
    return functions, unsupported
