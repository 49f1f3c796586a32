"""Reading a template file: YAML with CloudFormation's short tags, or JSON.

CloudFormation's YAML differs from plain YAML in two ways that matter here: the short-form tags
(`!Ref X`, `!GetAtt A.B`, `!Sub ...`) stand for the long `Fn::` forms, and scalars such as
`2012-10-17` stay strings (PyYAML would turn them into dates and break every IAM policy `Version`).
A dedicated loader class keeps these rules out of PyYAML's global SafeLoader.

Two things a parser lets through are refused here, with the line (YAML) or the path (JSON):
- a key given twice in one mapping (a logical id, a property): YAML and JSON parsers keep the last
  one silently, CloudFormation refuses the template (cfn-lint E0000 "Duplicate found"), and a user
  never means to lose the first;
- YAML aliases that expand to more than MAX_EXPANDED_NODES nodes (an "alias bomb": ten lines whose
  expansion never ends). CloudFormation itself refuses aliases ("YAML aliases are not allowed in
  CloudFormation templates"), but `sam deploy` and `aws cloudformation package` expand them before
  deploying, so a template may use them; no template within CloudFormation's 1 MB size quota ("Understand
  CloudFormation quotas") expands to that many nodes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from samlite.errors import TemplateError

# Tags that are not prefixed with "Fn::" in their long form.
_UNPREFIXED_TAGS = frozenset({"Ref", "Condition"})
# Far above any template CloudFormation accepts (1 MB of YAML is ~200,000 nodes), far below a bomb.
MAX_EXPANDED_NODES = 2_000_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(Exception):
    """A structural problem found while reading; parse_template_text adds the file's name."""


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


def _construct_document(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Check the composed node tree (aliases still shared) before building Python values from it."""
    _check_expansion(node)
    _check_duplicates(node)
    return yaml.SafeLoader.construct_document(loader, node)


_CloudFormationLoader.construct_document = _construct_document  # type: ignore[method-assign]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """How many nodes the document has once every alias is expanded, counted without expanding
    (each shared node's size once, bottom up); refused above MAX_EXPANDED_NODES."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        size = 1 + sum(sizes.get(id(child), 0) for child in children)
        sizes[id(node)] = size
        if size > MAX_EXPANDED_NODES:
            raise _Refused(
                f"line {node.start_mark.line + 1}: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} "
                "nodes (an alias bomb?); a template within CloudFormation's 1 MB quota never does"
            )


def _check_duplicates(root: yaml.Node) -> None:
    """No mapping gives one key twice (merge keys `<<` aside); each shared node is visited once."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                    key = str(key_node.value)
                    line = key_node.start_mark.line + 1
                    if key in first_line:
                        raise _Refused(
                            f"line {line}: {_duplicate(path, key)} (first at line {first_line[key]}); "
                            "CloudFormation refuses a template with duplicate keys, and YAML would keep only "
                            "the last"
                        )
                    first_line[key] = line
                    stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, str(index))) for index, child in enumerate(node.value))


def _duplicate(path: tuple[str, ...], key: str) -> str:
    """`duplicate logical id 'Bucket' in Resources`, `Resource 'Fn': duplicate key 'Handler' in ...`."""
    if path == ("Resources",):
        return f"duplicate logical id '{key}' in Resources"
    if len(path) >= 2 and path[0] == "Resources":
        inner = ".".join(path[2:])
        return f"Resource '{path[1]}': duplicate key '{key}'" + (f" in {inner}" if inner else "")
    return f"duplicate key '{key}'" + (f" in {'.'.join(path)}" if path else " at the top level")


def _load_json(text: str) -> Any:
    """json.loads, refusing an object that gives one key twice (with the path to it)."""
    repeated: dict[int, str] = {}  # id of each object given a key twice -> that key

    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [key for key, _ in pairs]
            repeated[id(obj)] = next(key for key in keys if keys.count(key) > 1)
        return obj

    document = json.loads(text, object_pairs_hook=pairs_to_dict)
    if repeated:
        path, key = _path_to(document, repeated)
        raise _Refused(
            f"{_duplicate(path, key)}: CloudFormation refuses a template with duplicate keys, and JSON "
            "would keep only the last"
        )
    return document


def _path_to(document: Any, repeated: dict[int, str]) -> tuple[tuple[str, ...], str]:
    """The path of the first object (depth-first) that `repeated` names, and its repeated key."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            if id(value) in repeated:
                return path, repeated[id(value)]
            stack.extend((item, (*path, key)) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in reversed(list(enumerate(value))))
    return (), next(iter(repeated.values()))


def parse_template_text(text: str, source: str = "<template>") -> dict[str, Any]:
    """Parse template text (JSON or YAML); the result must be a mapping with a `Resources` section."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            document = _load_json(text)
        else:
            document = yaml.load(text, Loader=_CloudFormationLoader)
    except _Refused as refused:
        raise TemplateError(f"{source}: {refused}") from None
    except RecursionError:
        raise TemplateError(f"{source}: the template nests deeper than a parser can read") from None
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
