"""A function's `Layers`, each found on this machine: the template's own layers, mapped ARNs, Powertools.

- `AWS::Serverless::LayerVersion` (`ContentUri`) and `AWS::Lambda::LayerVersion` (`Content` given as a
  local path, as `sam local` accepts it) whose content is a local folder. With `Metadata: BuildMethod:
  python3.x` the folder is what `sam build` builds: its files and its requirements.txt's packages end
  up under `python/` ("Building Lambda layers in AWS SAM", SAM developer guide); without one the folder
  is the layer's content as its .zip holds it (`python/`, `bin/`, `lib/`; "Packaging your layer
  content", Lambda developer guide).
- An ARN mapped by the user (`--layer-map ARN_OR_PREFIX=DIR`, or `layer-map` in samlite's config):
  the folder holds the layer's content as its .zip would. A prefix matches up to a `:` boundary, so
  `...:layer:deps` maps every version of `deps` and not `deps-extra`; the longest match wins.
- The public Powertools for AWS Lambda (Python) layers (`powertools_layers`), rebuilt from PyPI.

Anything else cannot be fetched without AWS, so the function cannot run; the reason names the
function, the ARN and the flag that fixes it. `CompatibleRuntimes` and `CompatibleArchitectures` are
checked with a warning only: Lambda uses them to filter layer listings and does not refuse a function
whose runtime is not listed ("AWS::Lambda::LayerVersion" reference), but compiled packages built for
another runtime may then break on AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.model import LayerSpec, Resource
from samlite.model.layers import AT_ROOT, UNDER_PYTHON
from samlite.template import powertools_layers
from samlite.template.intrinsics import Resolver
from samlite.template.locations import Location

LAYER_TYPE = "AWS::Lambda::LayerVersion"
SAM_LAYER_TYPE = "AWS::Serverless::LayerVersion"
REQUIREMENTS_FILE = "requirements.txt"
CONTENT_PROPERTIES = ("ContentUri", "Content")  # where a SAM / a CloudFormation layer's content is
MAX_LAYERS = 5  # "You can add up to five layers to a Lambda function" (Adding layers to functions)
LAYER_MAP_HINT = "--layer-map ARN=DIR (or layer-map in samlite.toml / [tool.samlite] of pyproject.toml)"
_PYTHON_BUILD = re.compile(r"^python3\.\d+$")
_SAM_HASH_SUFFIX = re.compile(r"^[0-9a-f]{10}$")


@dataclass(frozen=True)
class LayerCatalog:
    """The layers a function may name: the template's own (by ARN: a spec, or why it cannot be used),
    and the user's map of ARNs (or ARN prefixes) to folders."""

    template_layers: Mapping[str, LayerSpec | str] = field(default_factory=dict)
    layer_map: Mapping[str, Path] = field(default_factory=dict)

    def mapped_folder(self, arn: str) -> tuple[str, Path] | None:
        """The (key, folder) of the longest layer-map key matching `arn` at a `:` boundary."""
        matches = [
            key
            for key in self.layer_map
            if arn == key or (arn.startswith(key) and (key.endswith(":") or arn[len(key)] == ":"))
        ]
        if not matches:
            return None
        key = max(matches, key=len)
        return key, self.layer_map[key]


@dataclass
class FunctionLayers:
    """A function's layers in its order, or the reason it cannot run; warnings to show either way."""

    layers: tuple[LayerSpec, ...] = ()
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)


def build_catalog(
    resources: Mapping[str, Resource],
    sam_template: Mapping[str, Any],
    resolver: Resolver,
    base_dir: Path,
    layer_map: Mapping[str, Path] | None = None,
) -> LayerCatalog:
    """Every layer the template defines, by the ARN its `Ref` gives (as functions' Layers name them)."""
    sam_resources = sam_template.get("Resources") or {}
    layers: dict[str, LayerSpec | str] = {}
    for logical_id, resource in resources.items():
        if resource.type != LAYER_TYPE:
            continue
        sam_id = _sam_logical_id(logical_id, sam_resources)
        sam_resource = sam_resources.get(sam_id) or {}
        layers[resource.ref] = _template_layer(sam_id, resource, sam_resource, resolver, base_dir)
    return LayerCatalog(layers, dict(layer_map or {}))


def function_layers(
    logical_id: str,
    value: Any,
    *,
    runtime: str,
    architectures: tuple[str, ...],
    catalog: LayerCatalog,
) -> FunctionLayers:
    """The layers a function's resolved `Layers` property names (see the module docstring)."""
    where = f"Function '{logical_id}' property 'Layers'"
    result = FunctionLayers()
    if value in (None, []):
        return result
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        result.reason = f"{where}: must be a list of layer version ARNs"
        return result
    if len(value) > MAX_LAYERS:
        result.reason = f"{where}: {len(value)} layers; Lambda allows at most {MAX_LAYERS} per function"
        return result
    specs: list[LayerSpec] = []
    for arn in value:
        found = _find(arn, catalog)
        if isinstance(found, str):
            result.reason = f"{where}: {found}"
            return result
        specs.append(found)
        result.warnings += _compatibility_warnings(where, found, runtime, architectures)
    result.layers = tuple(specs)
    return result


def _find(arn: str, catalog: LayerCatalog) -> LayerSpec | str:
    if arn in catalog.template_layers:
        found = catalog.template_layers[arn]
        return found if isinstance(found, LayerSpec) else f"layer {arn}: {found}"
    mapped = catalog.mapped_folder(arn)
    if mapped is not None:
        key, folder = mapped
        if not folder.is_dir():
            return f"layer {arn} is mapped to {folder} (layer-map {key}), which is not a folder"
        return LayerSpec(arn=arn, name=arn, content=folder, content_prefix=AT_ROOT, origin="layer-map")
    powertools = powertools_layers.parse(arn)
    if powertools is not None:
        if powertools.release is None:
            return f"layer {arn}: {powertools.unknown_version_reason()}; map it with {LAYER_MAP_HINT}"
        return LayerSpec(
            arn=arn,
            name=f"Powertools for AWS Lambda (Python) {powertools.release}",
            packages=(powertools.requirement,),
            compatible_runtimes=(powertools.python,) if powertools.python else (),
            compatible_architectures=(powertools.architecture,),
            origin="powertools",
        )
    return (
        f"layer {arn} is not defined in this template and samlite cannot download it without AWS; "
        f"give its content as a local folder with {LAYER_MAP_HINT}"
    )


def _compatibility_warnings(
    where: str, layer: LayerSpec, runtime: str, architectures: tuple[str, ...]
) -> list[str]:
    warnings = []
    if layer.compatible_runtimes and runtime not in layer.compatible_runtimes:
        declared = ", ".join(layer.compatible_runtimes)
        warnings.append(
            f"{where}: layer {layer.name} is built for {declared}, not the function's {runtime}; "
            "Lambda runs it anyway, but packages compiled for another Python may fail there"
        )
    architecture = architectures[0] if architectures else "x86_64"
    if layer.compatible_architectures and architecture not in layer.compatible_architectures:
        declared = ", ".join(layer.compatible_architectures)
        warnings.append(
            f"{where}: layer {layer.name} is built for {declared}, not the function's {architecture}; "
            "its compiled packages may fail on AWS"
        )
    return warnings


def _sam_logical_id(logical_id: str, sam_resources: Mapping[str, Any]) -> str:
    """SAM renames `MyLayer` to `MyLayer` + 10 hex digits when it translates it; find the original."""
    if logical_id in sam_resources:
        return logical_id
    for sam_id, resource in sam_resources.items():
        if (
            isinstance(resource, Mapping)
            and resource.get("Type") == SAM_LAYER_TYPE
            and logical_id.startswith(sam_id)
            and _SAM_HASH_SUFFIX.match(logical_id[len(sam_id) :])
        ):
            return str(sam_id)
    return logical_id


def _template_layer(
    sam_id: str, resource: Resource, sam_resource: Mapping[str, Any], resolver: Resolver, base_dir: Path
) -> LayerSpec | str:
    properties = sam_resource.get("Properties") or {}
    metadata = sam_resource.get("Metadata") or resource.metadata or {}
    serverless = sam_resource.get("Type") == SAM_LAYER_TYPE
    content_property = CONTENT_PROPERTIES[0] if serverless else CONTENT_PROPERTIES[1]
    loc = Location("Resource", sam_id, (content_property,))
    content = _asset_path(metadata) or resolver.resolve(properties.get(content_property), loc)
    if not isinstance(content, str) or content.startswith("s3://"):
        return (
            f"Resource '{sam_id}' property '{content_property}': the layer's content is in S3 ({content!r}); "
            f"samlite needs it on this machine: set {content_property} to the folder holding it"
        )
    folder = (base_dir / content).resolve()
    if not folder.is_dir():
        return f"Resource '{sam_id}' property '{content_property}': {folder} is not a folder"
    build_method = metadata.get("BuildMethod")
    prefix, requirements = AT_ROOT, None
    if build_method is not None:
        if not isinstance(build_method, str) or not _PYTHON_BUILD.match(build_method):
            return (
                f"Resource '{sam_id}' Metadata 'BuildMethod': {build_method!r} is not supported (samlite "
                "builds python3.x layers); build the layer and point the layer at the built folder"
            )
        prefix = UNDER_PYTHON
        candidate = folder / REQUIREMENTS_FILE
        requirements = candidate if candidate.is_file() else None
    return LayerSpec(
        arn=resource.ref,
        name=sam_id,
        content=folder,
        content_prefix=prefix,
        requirements=requirements,
        compatible_runtimes=_strings(resource.properties.get("CompatibleRuntimes")),
        compatible_architectures=_strings(resource.properties.get("CompatibleArchitectures")),
    )


def _asset_path(metadata: Mapping[str, Any]) -> str | None:
    """The CDK's `aws:asset:path` Metadata, which SAM CLI uses instead of the content property."""
    path = metadata.get("aws:asset:path")
    return path if isinstance(path, str) and metadata.get("aws:asset:property") else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()
