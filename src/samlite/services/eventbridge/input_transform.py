"""What an EventBridge target receives: the event, `Input`, `InputPath` or `InputTransformer`.

"Transforming Amazon EventBridge target input" (EventBridge User Guide) and the `Target` type of the
EventBridge API reference:
- no input setting: the whole event, as JSON;
- `Input`: that constant text, as is;
- `InputPath`: the part of the event a JSON path selects (`$.detail`, `$.detail.items[0]`), as JSON;
- `InputTransformer`: `InputPathsMap` names up to 100 variables by JSON path; `InputTemplate` uses
  them as `<name>`. Outside a string literal a variable becomes its JSON value (strings quoted);
  inside one, its raw text ("EventBridge doesn't escape values extracted by Input Path"). A path that
  is not in the event defines no variable: the placeholder becomes `null` outside strings and nothing
  inside them. Reserved variables: `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event`,
  `aws.events.event.ingestion-time`, `aws.events.event.json`. JSON output is minified; a template that
  is not JSON (a log line) is passed as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_MISSING = object()
_STEP = re.compile(r"""\.([^.\[\]]+)|\[(\d+)\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]""")
_VARIABLE = re.compile(r"<([A-Za-z0-9_.\-]+)>")
RESERVED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event",
    "aws.events.event.ingestion-time",
    "aws.events.event.json",
)
MAX_VARIABLES = 100


class InputTransformError(ValueError):
    """A target input setting EventBridge would refuse; the message names the setting."""


@dataclass(frozen=True)
class RuleContext:
    """What the reserved variables refer to."""

    rule_arn: str
    rule_name: str
    ingestion_time: str


def parse_json_path(path: str) -> list[str | int]:
    """The steps of `path` (`$`, `.name`, `['name']`, `[0]`): names and indexes. InputTransformError for
    a path outside that grammar (wildcards, filters)."""
    path = path.strip()
    if not path.startswith("$"):
        raise InputTransformError(f"JSON path {path!r} must start with $")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise InputTransformError(f"JSON path {path!r}: cannot read it from position {position}")
        position = step.end()
        if step[2] is not None:
            steps.append(int(step[2]))
        else:
            steps.append(step[1] if step[1] is not None else step[3] if step[3] is not None else step[4])
    return steps


def json_path(document: Any, path: str) -> Any:
    """The value at `path` in `document`, or `_MISSING` when it is not there."""
    value = document
    for step in parse_json_path(path):
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and step < len(value) else _MISSING
        elif isinstance(value, Mapping) and step in value:
            value = value[step]
        else:
            value = _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def check_target_input(target: Mapping[str, Any]) -> None:
    """Refuse what PutTargets refuses: more than one input setting, bad paths, too many variables."""
    given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) is not None]
    if len(given) > 1:
        raise InputTransformError(f"target {target.get('Id')!r}: only one of {', '.join(given)} may be set")
    if target.get("InputPath") is not None:
        parse_json_path(str(target["InputPath"]))
    transformer = target.get("InputTransformer")
    if transformer is not None:
        if not isinstance(transformer, Mapping) or "InputTemplate" not in transformer:
            raise InputTransformError(f"target {target.get('Id')!r}: InputTransformer needs an InputTemplate")
        paths = transformer.get("InputPathsMap") or {}
        if len(paths) > MAX_VARIABLES:
            raise InputTransformError(
                f"InputPathsMap defines {len(paths)} variables; at most {MAX_VARIABLES}"
            )
        for name, path in paths.items():
            if name in RESERVED:
                raise InputTransformError(f"InputPathsMap variable {name!r} is reserved by EventBridge")
            parse_json_path(str(path))


def target_input(target: Mapping[str, Any], event: Mapping[str, Any], context: RuleContext) -> str:
    """The text the target receives for `event` (see the module doc)."""
    if target.get("Input") is not None:
        constant = target["Input"]
        return constant if isinstance(constant, str) else json.dumps(constant)
    if target.get("InputPath") is not None:
        found = json_path(event, str(target["InputPath"]))
        return json.dumps(None if found is _MISSING else found, ensure_ascii=False)
    transformer = target.get("InputTransformer")
    if transformer is not None:
        return transform(transformer, event, context)
    return json.dumps(event, ensure_ascii=False)


def transform(transformer: Mapping[str, Any], event: Mapping[str, Any], context: RuleContext) -> str:
    variables: dict[str, Any] = {
        "aws.events.rule-arn": context.rule_arn,
        "aws.events.rule-name": context.rule_name,
        "aws.events.event": event,
        "aws.events.event.ingestion-time": context.ingestion_time,
        "aws.events.event.json": json.dumps(event, ensure_ascii=False),
    }
    defined = set(variables)
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        defined.add(name)
        found = json_path(event, str(path))
        if found is not _MISSING:
            variables[name] = found
    text = _fill(str(transformer["InputTemplate"]), variables, defined)
    try:
        return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return text


def _fill(template: str, variables: Mapping[str, Any], defined: set[str]) -> str:
    """Replace `<name>` placeholders, knowing whether each one sits inside a JSON string literal."""
    out: list[str] = []
    in_string = escaped = False
    index = 0
    while index < len(template):
        char = template[index]
        if char == "<":
            found = _VARIABLE.match(template, index)
            if found is not None and found[1] in defined:
                out.append(_render(variables.get(found[1], _MISSING), in_string))
                index = found.end()
                continue
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        out.append(char)
        index += 1
    return "".join(out)


def _render(value: Any, in_string: bool) -> str:
    if value is _MISSING:
        return "" if in_string else "null"
    if in_string:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)
