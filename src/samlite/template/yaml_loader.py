"""Reading a template file: YAML with CloudFormation's short tags, or JSON.

CloudFormation's YAML differs from plain YAML in two ways that matter here: the short-form tags
(`!Ref X`, `!GetAtt A.B`, `!Sub ...`) stand for the long `Fn::` forms, and scalars such as
`2012-10-17` stay strings (PyYAML would turn them into dates and break every IAM policy `Version`).
A dedicated loader class keeps these rules out of PyYAML's global SafeLoader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from samlite.errors import TemplateError

# Tags that are not prefixed with "Fn::" in their long form.
_UNPREFIXED_TAGS = frozenset({"Ref", "Condition"})


# libyaml's parser when PyYAML was built with it: the same documents, about 10x faster than the pure
# Python one (on the path of every `samlite start`).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):
    """SafeLoader + CloudFormation short tags, without timestamp conversion."""


# Drop the implicit timestamp resolver: CloudFormation treats 2012-10-17 as the string it looks like.
_CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_short_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = tag_suffix
    key = name if name in _UNPREFIXED_TAGS else f"Fn::{name}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":
            # `!GetAtt Resource.Attribute` is the short form of ["Resource", "Attribute"]; only the
            # first dot separates them (attributes such as Outputs.Name contain dots).
            if "." not in value:
                raise TemplateError(
                    f"line {node.start_mark.line + 1}: !GetAtt {value!r} must be 'Resource.Attribute'"
                )
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {key: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_short_tag)


def parse_template_text(text: str, source: str = "<template>") -> dict[str, Any]:
    """Parse template text (JSON or YAML); the result must be a mapping with a `Resources` section."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            document = json.loads(text)
        else:
            document = yaml.load(text, Loader=_CloudFormationLoader)
    except json.JSONDecodeError as exc:
        raise TemplateError(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source}: invalid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise TemplateError(f"{source}: a template must be a mapping, not {type(document).__name__}")
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError(f"{source}: the template has no 'Resources' mapping")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise TemplateError(f"Resource '{logical_id}': must be a mapping with a 'Type'")
    return document


def load_template_file(path: Path) -> dict[str, Any]:
    """Read and parse a template file, with a clear error when it is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateError(f"template not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    return parse_template_text(text, str(path))
