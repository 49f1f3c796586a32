"""SNS subscription filter policies: EventBridge's pattern grammar over attributes or the body.

"Amazon SNS subscription filter policies" and "Filter policy scope" (SNS developer guide):
- `FilterPolicyScope` is `MessageAttributes` (the default) or `MessageBody`;
- with `MessageAttributes` the policy is flat (a name per message attribute; `$or` allowed) and each
  attribute is matched by its type: `String` as a string, `Number` as a number, `String.Array` (and
  `Number.Array`) element by element; `Binary` attributes are never matched;
- with `MessageBody` the message must be a JSON object, matched like an EventBridge event (nested
  properties allowed); any other body matches nothing;
- operators are those of "String value matching", "Numeric value matching", "Key matching" and
  "AND/OR logic": exact, prefix, suffix, equals-ignore-case, anything-but, numeric, exists, cidr,
  `$or`; SNS does not offer `wildcard`, and a policy names at most 5 keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.events.patterns import CompiledPattern, PatternError, compile_pattern

SCOPES = ("MessageAttributes", "MessageBody")
MAX_KEYS = 5


class FilterPolicyError(ValueError):
    """A filter policy SNS would refuse; the message names the key."""


def compile_filter_policy(policy: Mapping[str, Any] | str, scope: str | None = None) -> CompiledPattern:
    """Check a subscription's FilterPolicy for its scope and compile it; FilterPolicyError if invalid."""
    scope = scope or "MessageAttributes"
    if scope not in SCOPES:
        raise FilterPolicyError(f"FilterPolicyScope {scope!r} must be MessageAttributes or MessageBody")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as error:
            raise FilterPolicyError(f"FilterPolicy is not valid JSON: {error}") from None
    if not isinstance(policy, Mapping):
        raise FilterPolicyError("FilterPolicy must be a JSON object")
    keys = _keys(policy, nested_allowed=scope == "MessageBody", path="")
    if len(keys) > MAX_KEYS:
        raise FilterPolicyError(
            f"FilterPolicy names {len(keys)} keys ({', '.join(keys)}); SNS allows at most {MAX_KEYS}"
        )
    try:
        return compile_pattern(policy)
    except PatternError as error:
        raise FilterPolicyError(f"FilterPolicy: {error}") from None


def _keys(policy: Mapping[str, Any], *, nested_allowed: bool, path: str) -> list[str]:
    keys: list[str] = []
    for key, value in policy.items():
        name = f"{path}.{key}" if path else str(key)
        if key == "$or" and isinstance(value, list):
            for option in value:
                if isinstance(option, Mapping):
                    keys += [
                        k for k in _keys(option, nested_allowed=nested_allowed, path=path) if k not in keys
                    ]
            continue
        if isinstance(value, Mapping):
            if not nested_allowed:
                raise FilterPolicyError(
                    f"FilterPolicy key {name!r}: nested properties need FilterPolicyScope MessageBody"
                )
            keys += _keys(value, nested_allowed=True, path=name)
            continue
        if isinstance(value, list) and any(
            isinstance(item, Mapping) and "wildcard" in item for item in value
        ):
            raise FilterPolicyError(
                f"FilterPolicy key {name!r}: SNS filter policies have no wildcard operator"
            )
        if name not in keys:
            keys.append(name)
    return keys


def filter_input(scope: str | None, message: str, attributes: Mapping[str, Mapping[str, Any]] | None) -> Any:
    """What the policy is matched against: the attributes by type, or the body parsed (None when the
    body is not a JSON object, which no MessageBody policy matches)."""
    if (scope or "MessageAttributes") == "MessageBody":
        try:
            body = json.loads(message)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
    values: dict[str, Any] = {}
    for name, attribute in (attributes or {}).items():
        value = _attribute_value(str(attribute.get("Type", "String")), attribute.get("Value"))
        if value is not None:
            values[name] = value
    return values


def _attribute_value(data_type: str, value: Any) -> Any:
    base = data_type.split(".", 1)[0]
    if data_type.endswith(".Array") or data_type == "String.Array":
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    if base == "Number":
        for parse in (int, float):
            try:
                return parse(str(value))
            except ValueError:
                continue
        return None
    if base == "Binary":
        return None
    return str(value)


def policy_matches(compiled: CompiledPattern, scope: str | None, message: str, attributes: Any) -> bool:
    values = filter_input(scope, message, attributes)
    return values is not None and compiled.matches(values)
