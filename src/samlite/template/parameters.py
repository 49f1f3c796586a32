"""Template parameters: `--parameter-overrides` parsing, defaults, types and constraints.

CloudFormation checks a parameter's value against its declared type and constraints before anything
else happens; doing the same here turns a typo in an override into a message naming the parameter
rather than a confusing failure deep inside a function.
Reference: AWS CloudFormation "Parameters" section (types String, Number, List<Number>,
CommaDelimitedList, AWS-specific types; AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import TemplateError

# SAM's long form: ParameterKey=Name,ParameterValue=value (the value may itself contain commas).
_LONG_FORM = re.compile(r"^ParameterKey=(?P<key>[^,]*),ParameterValue=(?P<value>.*)$", re.DOTALL)
_KEY = re.compile(r"^[A-Za-z0-9]+$")


def _parse_pair(token: str) -> tuple[str, str] | None:
    match = _LONG_FORM.match(token)
    if match:
        key, value = match.group("key"), match.group("value")
    elif token.startswith(("ParameterKey=", "ParameterValue=")):
        return None  # a broken long form, not a parameter called "ParameterKey"
    elif "=" in token:
        key, value = token.split("=", 1)
    else:
        return None
    if not _KEY.match(key):
        return None
    return key, value


def parse_parameter_overrides(values: Sequence[str]) -> dict[str, str]:
    """Parse `--parameter-overrides` items: `K=V` or `ParameterKey=K,ParameterValue=V`.

    Like SAM CLI, one item may hold several space-separated pairs (`'A=1 B=2'`, shell-quoted values
    allowed); an item that is not such a list is taken whole as one pair, so `K=hello world` keeps its
    space. Anything else raises a TemplateError naming the item.
    """
    overrides: dict[str, str] = {}
    for item in values:
        pairs: list[tuple[str, str]] | None = None
        try:
            tokens = shlex.split(item)
        except ValueError:
            tokens = []
        if len(tokens) > 1:
            parsed = [_parse_pair(token) for token in tokens]
            if all(pair is not None for pair in parsed):
                pairs = [pair for pair in parsed if pair is not None]
        if pairs is None:
            single = _parse_pair(item)
            if single is None:
                raise TemplateError(
                    f"parameter override {item!r}: expected Name=Value or "
                    "ParameterKey=Name,ParameterValue=Value (Name is alphanumeric)"
                )
            pairs = [single]
        overrides.update(pairs)
    return overrides


@dataclass(frozen=True)
class ResolvedParameters:
    """Parameter values as strings (what Stack.parameters shows) and as Ref returns them."""

    raw: dict[str, str]
    typed: dict[str, str | list[str]]
    warnings: list[str]
    # Parameters with neither a Default nor a value, when allowed (`samlite invoke`): name -> message.
    missing: dict[str, str] = field(default_factory=dict)


def _is_list_type(declared_type: str) -> bool:
    return declared_type == "CommaDelimitedList" or declared_type.startswith("List<")


def _check_number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise TemplateError(f"Parameter '{name}': {text!r} is not a Number") from None


def _check_constraints(name: str, spec: Mapping[str, Any], declared_type: str, value: str) -> None:
    items = [item.strip() for item in value.split(",")] if _is_list_type(declared_type) else [value]
    allowed = spec.get("AllowedValues")
    for item in items:
        if declared_type in ("Number", "List<Number>"):
            number = _check_number(name, item)
            if "MinValue" in spec and number < float(spec["MinValue"]):
                raise TemplateError(f"Parameter '{name}': {item} is below MinValue {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                raise TemplateError(f"Parameter '{name}': {item} is above MaxValue {spec['MaxValue']}")
        if allowed is not None and item not in [str(choice) for choice in allowed]:
            choices = ", ".join(repr(str(choice)) for choice in allowed)
            raise TemplateError(f"Parameter '{name}': {item!r} is not one of the AllowedValues ({choices})")
    if declared_type != "String":
        return
    pattern = spec.get("AllowedPattern")
    if pattern is not None and re.fullmatch(str(pattern), value) is None:
        description = spec.get("ConstraintDescription")
        hint = f" ({description})" if description else ""
        raise TemplateError(f"Parameter '{name}': {value!r} does not match AllowedPattern {pattern!r}{hint}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise TemplateError(f"Parameter '{name}': {value!r} is shorter than MinLength {spec['MinLength']}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise TemplateError(f"Parameter '{name}': {value!r} is longer than MaxLength {spec['MaxLength']}")


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(item) for item in value)
    return str(value)


def resolve_parameters(
    declarations: Mapping[str, Any] | None, overrides: Mapping[str, str], *, allow_missing: bool = False
) -> ResolvedParameters:
    """Apply overrides over defaults, check types and constraints, and type each value for Ref.

    With `allow_missing`, a parameter without a value is not an error by itself: it is listed in
    `missing`, and only what refers to it fails (SAM CLI's `local invoke` runs such templates)."""
    declarations = declarations or {}
    if not isinstance(declarations, dict):
        raise TemplateError("Parameters: must be a mapping")
    warnings = [
        f"parameter override '{name}' is not a parameter of the template (ignored)"
        for name in overrides
        if name not in declarations
    ]
    raw: dict[str, str] = {}
    typed: dict[str, str | list[str]] = {}
    missing: dict[str, str] = {}
    for name, spec in declarations.items():
        if not isinstance(spec, dict) or "Type" not in spec:
            raise TemplateError(f"Parameter '{name}': must be a mapping with a 'Type'")
        declared_type = str(spec["Type"])
        if name in overrides:
            value = _as_text(overrides[name])
        elif "Default" in spec:
            value = _as_text(spec["Default"])
        else:
            message = (
                f"Parameter '{name}': no Default and no value given (use --parameter-overrides {name}=...)"
            )
            if not allow_missing:
                raise TemplateError(message)
            missing[name] = message
            continue
        if declared_type.startswith("AWS::SSM::Parameter::Value<"):
            warnings.append(
                f"Parameter '{name}': SSM parameter types are not looked up locally; "
                f"using {value!r} as the value"
            )
            declared_type = "CommaDelimitedList" if "List<" in declared_type else "String"
        _check_constraints(name, spec, declared_type, value)
        raw[name] = value
        if _is_list_type(declared_type):
            typed[name] = [item.strip() for item in value.split(",")] if value else []
        else:
            typed[name] = value
    return ResolvedParameters(raw=raw, typed=typed, warnings=warnings, missing=missing)
