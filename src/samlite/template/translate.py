"""SAM -> CloudFormation with `aws-sam-translator`, offline.

The translator does the SAM work samlite should not redo: Globals, policy templates, implicit APIs,
event sources, DeadLetterQueue and EventInvokeConfig resources. It runs without AWS when given a
region (a boto3 Session that is never used for calls), an empty managed-policy map (it then uses its
bundled name -> ARN map) and an `s3://` stand-in for every local CodeUri, since it only accepts code
in S3. The real local paths stay in the SAM template, where `functions.py` reads them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from samlite.errors import TemplateError
from samlite.template import translation_cache

SERVERLESS_TRANSFORM = "AWS::Serverless-2016-10-31"
_CODE_STAND_IN = "s3://samlite-local-code/{logical_id}.zip"
# Resource type -> property holding a local path that the translator wants in S3.
_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}
_DEFINITION_PROPERTIES = {"AWS::Serverless::Api", "AWS::Serverless::HttpApi"}
_STATE_MACHINE = "AWS::Serverless::StateMachine"


def is_serverless(template: dict[str, Any]) -> bool:
    transform = template.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    return SERVERLESS_TRANSFORM in transforms


def unapplied_transform_warnings(template: dict[str, Any]) -> list[str]:
    """Transforms other than SAM's (AWS::LanguageExtensions, macros) are not applied locally."""
    transform = template.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform] if transform else []
    return [
        f"Transform {name!r} is not applied by samlite (only {SERVERLESS_TRANSFORM})"
        for name in transforms
        if name != SERVERLESS_TRANSFORM
    ]


def _is_local_path(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith("s3://")


def _needs_stand_in(value: Any) -> bool:
    """A local path, or an intrinsic computing one (an S3 {Bucket, Key} location is left alone)."""
    if _is_local_path(value):
        return True
    return (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in ("Ref", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::FindInMap")
    )


def _inline_definition(logical_id: str, properties: dict[str, Any], base_dir: Path) -> None:
    """A local DefinitionUri (OpenAPI file) becomes DefinitionBody, as `sam local` reads it."""
    uri = properties.get("DefinitionUri")
    if not _is_local_path(uri):
        return
    path = base_dir / uri
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(
            f"Resource '{logical_id}' property 'DefinitionUri': cannot read {path}: {exc}"
        ) from exc
    try:
        properties["DefinitionBody"] = _parse_definition(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"Resource '{logical_id}' property 'DefinitionUri': {path}: {exc}") from exc
    del properties["DefinitionUri"]


def _inline_state_machine_definition(logical_id: str, properties: dict[str, Any], base_dir: Path) -> None:
    """A local DefinitionUri (an Amazon States Language file, JSON or YAML) becomes Definition, as
    `sam package` would upload it: the translator then applies DefinitionSubstitutions to it."""
    uri = properties.get("DefinitionUri")
    if not _is_local_path(uri):
        return
    path = base_dir / uri
    where = f"Resource '{logical_id}' property 'DefinitionUri'"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"{where}: cannot read {path}: {exc}") from exc
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"{where}: {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise TemplateError(f"{where}: {path}: a state machine definition must be a JSON or YAML object")
    properties["Definition"] = document
    del properties["DefinitionUri"]


def _parse_definition(text: str) -> dict[str, Any]:
    document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ValueError("an OpenAPI definition must be a mapping")
    return document


def prepare_for_translator(sam_template: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """A copy of the template with local code paths replaced by s3:// stand-ins."""
    template = copy.deepcopy(sam_template)
    globals_function = (template.get("Globals") or {}).get("Function") or {}
    if _needs_stand_in(globals_function.get("CodeUri")):
        globals_function["CodeUri"] = _CODE_STAND_IN.format(logical_id="Globals")
    for logical_id, resource in template["Resources"].items():
        properties = resource.setdefault("Properties", {})
        if not isinstance(properties, dict):
            raise TemplateError(f"Resource '{logical_id}' property 'Properties': must be a mapping")
        code_property = _CODE_PROPERTIES.get(resource["Type"])
        if code_property:
            image = properties.get("PackageType") == "Image"
            if (
                not image
                and "InlineCode" not in properties
                and (
                    _needs_stand_in(properties.get(code_property))
                    or (code_property not in properties and "CodeUri" not in globals_function)
                )
            ):
                properties[code_property] = _CODE_STAND_IN.format(logical_id=logical_id)
        if resource["Type"] in _DEFINITION_PROPERTIES:
            _inline_definition(logical_id, properties, base_dir)
        if resource["Type"] == _STATE_MACHINE:
            _inline_state_machine_definition(logical_id, properties, base_dir)
    return template


def translate(
    sam_template: dict[str, Any], base_dir: Path, parameter_values: dict[str, Any], region: str
) -> dict[str, Any]:
    """The CloudFormation template of a SAM template (a plain CloudFormation template is copied)."""
    if not is_serverless(sam_template):
        return copy.deepcopy(sam_template)
    invalid = _translate(sam_template, base_dir, parameter_values, region)
    if isinstance(invalid, InvalidResources):
        raise TemplateError(f"SAM template is invalid: {invalid.details}")
    return invalid


@dataclass
class InvalidResources:
    """Why the translator refused a template: one message per resource it named, and all of them."""

    by_resource: dict[str, str]
    details: str


def translate_leniently(
    sam_template: dict[str, Any], base_dir: Path, parameter_values: dict[str, Any], region: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Like `translate`, but resources the translator refuses are left out (and returned with the reason)
    instead of failing the whole template: `samlite invoke` runs one function of a template whose
    unrelated resources are broken, as SAM CLI's `local invoke` does. A refusal that names no resource
    still fails."""
    if not is_serverless(sam_template):
        return copy.deepcopy(sam_template), {}
    broken: dict[str, str] = {}
    template = sam_template
    for _ in range(len(sam_template.get("Resources") or {}) + 1):
        result = _translate(template, base_dir, parameter_values, region)
        if not isinstance(result, InvalidResources):
            return result, broken
        named = {lid: msg for lid, msg in result.by_resource.items() if lid in template["Resources"]}
        if not named:
            raise TemplateError(f"SAM template is invalid: {result.details}")
        broken.update({lid: f"SAM template is invalid: {msg}" for lid, msg in named.items()})
        template = {
            **template,
            "Resources": {lid: r for lid, r in template["Resources"].items() if lid not in named},
        }
    raise TemplateError("SAM template is invalid: the translator kept refusing it")


def _translate(
    sam_template: dict[str, Any], base_dir: Path, parameter_values: dict[str, Any], region: str
) -> dict[str, Any] | InvalidResources:
    """The translation, from the disk cache when nothing it depends on changed (`translation_cache`);
    only successful translations are remembered."""
    prepared = prepare_for_translator(sam_template, base_dir)
    cache_key = translation_cache.key(prepared, dict(parameter_values), region)
    cached = translation_cache.load(cache_key) if cache_key else None
    if cached is not None:
        return cached
    translated = _run_translator(prepared, parameter_values, region)
    if cache_key and not isinstance(translated, InvalidResources):
        translation_cache.store(cache_key, translated)
    return translated


def _run_translator(
    prepared: dict[str, Any], parameter_values: dict[str, Any], region: str
) -> dict[str, Any] | InvalidResources:
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidTemplateException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    session = boto3.session.Session(region_name=region)
    # Our own metrics sink, published (to nowhere) at the end: otherwise the translator warns on stdout
    # about "unpublished metrics" when it is garbage-collected.
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator({}, Parser(), boto_session=session, metrics=metrics)
    try:
        return translator.translate(prepared, dict(parameter_values))
    except InvalidDocumentException as exc:
        by_resource: dict[str, str] = {}
        for cause in exc.causes:
            logical_id = getattr(cause, "_logical_id", None)
            if isinstance(logical_id, str):
                by_resource[logical_id] = cause.message
        return InvalidResources(by_resource, "; ".join(cause.message for cause in exc.causes))
    except InvalidTemplateException as exc:
        raise TemplateError(f"SAM template is invalid: {exc.message}") from exc
    finally:
        metrics.publish()
