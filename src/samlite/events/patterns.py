"""The EventBridge event-pattern grammar: checking a pattern, and matching it against an event.

One grammar serves EventBridge rules, Lambda's `FilterCriteria` (SQS bodies, stream records) and the
base of SNS filter policies, so it lives here, below every service, with no AWS state. What it
follows, from the Amazon EventBridge User Guide ("Amazon EventBridge event patterns", "Comparison
operators for use in event patterns", "Content filtering in Amazon EventBridge event patterns",
"Arrays in Amazon EventBridge event patterns", "Matching null values and empty strings"), checked
against AWS's own matcher (aws/event-ruler, whose error wording is kept where it is clearer than
none):

- A pattern is a JSON object of the fields to match; every field named must match (AND). A field's
  value is an object (a nested field) or a non-empty array of values, any of which may match (OR).
  `"$or": [{...}, {...}]` (two or more objects) matches when any of its objects does.
- Values: exact strings, numbers (compared as numbers: `300` matches `3.0e2`), `true` / `false`,
  `null` (matches only a null, never a missing field or `""`), and match objects: `prefix`, `suffix`
  (a string, or `{"equals-ignore-case": s}`), `equals-ignore-case`, `wildcard` (`*` for any run of
  characters, `\\*` and `\\\\` for the literal characters, no `**`), `anything-but` (a string, a
  number, a list of only strings or only numbers, or `{"prefix" | "suffix" | "equals-ignore-case" |
  "wildcard": a string or list of strings}`), `numeric` (`["=", n]`, `["<" | "<=", n]`, `[">" |
  ">=", n]`, or a range `[">" | ">=", low, "<" | "<=", high]`), `exists` (true / false), and `cidr`
  (IPv4 or IPv6).
- Operators other than `exists` apply to leaves only. `exists: false` matches a missing field and a
  field whose value is an object (not a leaf), as documented. `anything-but` needs the field to be
  present. String operators (prefix, suffix, wildcard, equals-ignore-case, cidr) match only strings;
  `numeric` only JSON numbers (booleans are not numbers); a value that is an IP address matches the
  same address written another way.
- An event value that is an array matches when any of its elements does; a nested pattern applied to
  an array of objects matches when one element matches all of it (fields of different elements are
  not combined, as `rulesForJSONEvent` does).

Use `validate_pattern` where AWS would refuse a rule (it raises `PatternError` naming the field), and
`pattern_matches` (or `compile_pattern` once, then `.matches`) for every event.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["CompiledPattern", "PatternError", "compile_pattern", "pattern_matches", "validate_pattern"]

OR_KEY = "$or"
# Names that cannot be fields inside a `$or` object: event-ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP.
_RESERVED_IN_OR = frozenset(
    {
        "exactly",
        "equals-ignore-case",
        "prefix",
        "suffix",
        "anything-but",
        "exists",
        "wildcard",
        "numeric",
        "cidr",
        "=",
        "<",
        "<=",
        ">",
        ">=",
    }
)
_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")
_MISSING = object()


class PatternError(ValueError):
    """An event pattern AWS would refuse; `field` is the dotted path of the offending field ("" for the
    pattern itself), and the message says what is wrong with it."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        where = f"field {field!r}" if field else "the pattern"
        super().__init__(f"event pattern: {where}: {problem}")


# -- conditions on one leaf value -------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not (_IPV4.fullmatch(text) or _IPV6.fullmatch(text)):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


Condition = Callable[[Any], bool]


def _exact(expected: Any) -> Condition:
    if isinstance(expected, str):
        address = _ip(expected)

        def equal_string(value: Any) -> bool:
            if not isinstance(value, str):
                return False
            if value == expected:
                return True
            return address is not None and _ip(value) == address

        return equal_string
    if _is_number(expected):
        return lambda value: _is_number(value) and value == expected
    if isinstance(expected, bool):
        return lambda value: isinstance(value, bool) and value is expected
    return lambda value: value is None  # null


def _strings(check: Callable[[str], bool]) -> Condition:
    return lambda value: isinstance(value, str) and check(value)


def _not_any(checks: Sequence[Callable[[str], bool]]) -> Condition:
    """anything-but on strings: a present value that is not a string always matches, as in AWS."""
    return lambda value: not (isinstance(value, str) and any(check(value) for check in checks))


def _wildcard_regex(field: str, text: str) -> re.Pattern[str]:
    """`*` is any run of characters; `\\*` and `\\\\` are literal; `**` and other escapes are refused."""
    parts: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "*":
            if index + 1 < len(text) and text[index + 1] == "*":
                raise PatternError(field, f"Consecutive wildcard characters at pos {index} in {text!r}")
            parts.append(".*")
        elif char == "\\":
            following = text[index + 1] if index + 1 < len(text) else ""
            if following not in ("*", "\\"):
                raise PatternError(field, f"Invalid escape character at pos {index} in {text!r}")
            parts.append(re.escape(following))
            index += 1
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _string_list(field: str, value: Any, what: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in values):
        raise PatternError(field, f"{what} must be a string or a list of strings, not {json.dumps(value)}")
    return values


def _anything_but(field: str, operand: Any) -> Condition:
    if isinstance(operand, Mapping):
        if len(operand) != 1:
            raise PatternError(
                field, "anything-but takes one of prefix, suffix, equals-ignore-case, wildcard"
            )
        ((name, inner),) = operand.items()
        if name in ("prefix", "suffix"):
            texts = _string_list(field, inner, f"anything-but {name}")
            if any(text == "" for text in texts):
                raise PatternError(field, f"anything-but {name}: an empty {name} is not allowed")
            if name == "prefix":
                return _not_any([lambda value, text=text: value.startswith(text) for text in texts])
            return _not_any([lambda value, text=text: value.endswith(text) for text in texts])
        if name == "equals-ignore-case":
            lowered = {text.lower() for text in _string_list(field, inner, "anything-but equals-ignore-case")}
            return _not_any([lambda value: value.lower() in lowered])
        if name == "wildcard":
            regexes = [
                _wildcard_regex(field, text) for text in _string_list(field, inner, "anything-but wildcard")
            ]
            return _not_any(
                [lambda value, regex=regex: regex.fullmatch(value) is not None for regex in regexes]
            )
        raise PatternError(field, f"Unsupported anything-but pattern: {name}")
    values = operand if isinstance(operand, list) else [operand]
    strings = [item for item in values if isinstance(item, str)]
    numbers = [item for item in values if _is_number(item)]
    if len(strings) + len(numbers) != len(values) or not values or (strings and numbers):
        raise PatternError(
            field,
            "anything-but takes a string, a number, or a non-empty list of only strings or only numbers, "
            f"not {json.dumps(operand)}",
        )
    if strings:
        excluded = set(strings)
        return lambda value: not (isinstance(value, str) and value in excluded)
    return lambda value: not (_is_number(value) and any(value == number for number in numbers))


_LOWER = {">": False, ">=": True}  # operator -> inclusive
_UPPER = {"<": False, "<=": True}


def _number_operand(field: str, operator: str, value: Any) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise PatternError(field, f"Value of {operator} must be numeric, not {json.dumps(value)}")
    return value


def _numeric(field: str, operand: Any) -> Condition:
    if not isinstance(operand, list) or not operand:
        raise PatternError(field, 'Value of numeric must be a non-empty array such as [">", 0, "<=", 5]')
    operator = operand[0]
    if operator == "=":
        if len(operand) != 2:
            raise PatternError(field, 'numeric ["=", n] takes exactly one number')
        number = _number_operand(field, "=", operand[1])
        return lambda value: _is_number(value) and value == number
    if len(operand) not in (2, 4):
        raise PatternError(field, f"Too many terms in numeric range expression {json.dumps(operand)}")
    if operator in _UPPER:
        if len(operand) != 2:
            raise PatternError(field, f"Too many terms in numeric range expression {json.dumps(operand)}")
        top, inclusive = _number_operand(field, operator, operand[1]), _UPPER[operator]
        return lambda value: _is_number(value) and (value <= top if inclusive else value < top)
    if operator not in _LOWER:
        raise PatternError(field, f"Unrecognized numeric range operator: {json.dumps(operator)}")
    bottom, bottom_inclusive = _number_operand(field, operator, operand[1]), _LOWER[operator]
    if len(operand) == 2:
        return lambda value: _is_number(value) and (value >= bottom if bottom_inclusive else value > bottom)
    upper = operand[2]
    if upper not in _UPPER:
        raise PatternError(field, f"Bad numeric range operator: {json.dumps(upper)} (use < or <=)")
    top, top_inclusive = _number_operand(field, upper, operand[3]), _UPPER[upper]
    if top < bottom or (top == bottom and not (bottom_inclusive and top_inclusive)):
        raise PatternError(field, f"numeric range {json.dumps(operand)} matches no number")

    def in_range(value: Any) -> bool:
        if not _is_number(value):
            return False
        above = value >= bottom if bottom_inclusive else value > bottom
        below = value <= top if top_inclusive else value < top
        return above and below

    return in_range


def _cidr(field: str, operand: Any) -> Condition:
    if not isinstance(operand, str):
        raise PatternError(field, f"cidr match pattern must be a string, not {json.dumps(operand)}")
    address, slash, bits = operand.partition("/")
    if not slash or not bits.isdigit():
        raise PatternError(field, f"Malformed CIDR {operand!r}: one '/' and whole mask bits are required")
    base = _ip(address)
    if base is None:
        raise PatternError(field, f"Invalid IP address in CIDR {operand!r}")
    limit = 32 if base.version == 4 else 128
    if int(bits) >= limit:
        raise PatternError(field, f"IPv{base.version} mask bits must be < {limit} in {operand!r}")
    network = ipaddress.ip_network(operand, strict=False)

    def in_network(value: Any) -> bool:
        found = _ip(value) if isinstance(value, str) else None
        return found is not None and found.version == network.version and found in network

    return in_network


def _affix(field: str, name: str, operand: Any) -> Condition:
    """prefix / suffix, plain or `{"equals-ignore-case": ...}`."""
    ignore_case = False
    if isinstance(operand, Mapping):
        if list(operand) != ["equals-ignore-case"]:
            raise PatternError(field, f"Unsupported {name} pattern: {', '.join(map(str, operand)) or '{}'}")
        operand, ignore_case = operand["equals-ignore-case"], True
    if not isinstance(operand, str):
        raise PatternError(field, f"{name} match pattern must be a string, not {json.dumps(operand)}")
    if ignore_case:
        lowered = operand.lower()
        if name == "prefix":
            return _strings(lambda value: value.lower().startswith(lowered))
        return _strings(lambda value: value.lower().endswith(lowered))
    if name == "prefix":
        return _strings(lambda value: value.startswith(operand))
    return _strings(lambda value: value.endswith(operand))


def _equals_ignore_case(field: str, operand: Any) -> Condition:
    if not isinstance(operand, str):
        raise PatternError(
            field, f"equals-ignore-case match pattern must be a string, not {json.dumps(operand)}"
        )
    lowered = operand.lower()
    return _strings(lambda value: value.lower() == lowered)


def _wildcard(field: str, operand: Any) -> Condition:
    if not isinstance(operand, str):
        raise PatternError(field, f"wildcard match pattern must be a string, not {json.dumps(operand)}")
    regex = _wildcard_regex(field, operand)
    return _strings(lambda value: regex.fullmatch(value) is not None)


def _exists(field: str, operand: Any) -> bool:
    if not isinstance(operand, bool):
        raise PatternError(field, "exists match pattern must be either true or false")
    return operand


_OPERATORS: dict[str, Callable[[str, Any], Condition | bool]] = {
    "prefix": lambda field, operand: _affix(field, "prefix", operand),
    "suffix": lambda field, operand: _affix(field, "suffix", operand),
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "anything-but": _anything_but,
    "numeric": _numeric,
    "cidr": _cidr,
    "exists": _exists,
}


def _match_object(field: str, expression: Mapping[str, Any]) -> Condition | bool:
    """A condition, or True / False for `exists` (evaluated by the leaf, not per value)."""
    if len(expression) != 1:
        names = ", ".join(map(str, expression)) or "nothing"
        raise PatternError(field, f"a match expression has exactly one operator, found: {names}")
    ((name, operand),) = expression.items()
    operator = _OPERATORS.get(name)
    if operator is None:
        raise PatternError(field, f"Unrecognized match type {name}")
    return operator(field, operand)


# -- the compiled tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    """A field's array of values: any condition on any leaf value, or an `exists` test."""

    conditions: tuple[Condition, ...]
    exists_true: bool
    exists_false: bool

    def matches(self, value: Any) -> bool:
        leaves = _leaves(value)
        if not leaves:  # missing, an object, or an array without a leaf value
            return self.exists_false
        if self.exists_true:
            return True
        return any(condition(leaf) for leaf in leaves for condition in self.conditions)


def _leaves(value: Any) -> list[Any]:
    if value is _MISSING or isinstance(value, Mapping):
        return []
    if isinstance(value, list):
        found: list[Any] = []
        for item in value:
            found.extend(_leaves(item))
        return found
    return [value]


def _objects(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        found: list[Mapping[str, Any]] = []
        for item in value:
            found.extend(_objects(item))
        return found
    return []


@dataclass(frozen=True)
class _Object:
    """Every field must match, and one alternative of each `$or`."""

    fields: tuple[tuple[str, _Leaf | _Object], ...]
    alternatives: tuple[tuple[_Object, ...], ...]

    def matches(self, event: Mapping[str, Any]) -> bool:
        for key, node in self.fields:
            value = event.get(key, _MISSING)
            if isinstance(node, _Leaf):
                if not node.matches(value):
                    return False
            elif not _nested_matches(node, value):
                return False
        return all(any(option.matches(event) for option in options) for options in self.alternatives)


_EMPTY: Mapping[str, Any] = {}


def _nested_matches(node: _Object, value: Any) -> bool:
    """A nested pattern against an object, or any object of an array; a value with no object under it
    is matched as an empty object (so only `exists: false` can match there)."""
    objects = _objects(value)
    if not objects:
        return node.matches(_EMPTY)
    return any(node.matches(item) for item in objects)


def _compile_object(path: str, pattern: Any, *, inside_or: bool = False) -> _Object:
    if not isinstance(pattern, Mapping):
        raise PatternError(path, f"must be a JSON object, not {json.dumps(pattern, default=str)}")
    if not pattern:
        raise PatternError(path, "Empty objects are not allowed")
    fields: list[tuple[str, _Leaf | _Object]] = []
    alternatives: list[tuple[_Object, ...]] = []
    for key, value in pattern.items():
        if not isinstance(key, str):
            raise PatternError(path, f"field names must be strings, not {key!r}")
        field = f"{path}.{key}" if path else key
        if key == OR_KEY:
            alternatives.append(_compile_or(field, value))
            continue
        if inside_or and key in _RESERVED_IN_OR:
            raise PatternError(field, f"{key} is a reserved name which cannot be used as a field inside $or")
        if isinstance(value, Mapping):
            fields.append((key, _compile_object(field, value, inside_or=inside_or)))
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(field, value)))
        else:
            raise PatternError(field, f"must be an object or an array, not {json.dumps(value, default=str)}")
    return _Object(tuple(fields), tuple(alternatives))


def _compile_or(field: str, value: Any) -> tuple[_Object, ...]:
    if not isinstance(value, list):
        raise PatternError(field, "It must be an Array followed with $or")
    if len(value) < 2:
        raise PatternError(field, "There must have at least 2 Objects in $or relationship")
    options = []
    for index, option in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(option, Mapping):
            raise PatternError(where, "Only JSON object is allowed in array of $or relationship")
        options.append(_compile_object(where, option, inside_or=True))
    return tuple(options)


def _compile_leaf(field: str, values: list[Any]) -> _Leaf:
    if not values:
        raise PatternError(field, "Empty arrays are not allowed")
    conditions: list[Condition] = []
    exists_true = exists_false = False
    for value in values:
        if isinstance(value, Mapping):
            made = _match_object(field, value)
            if made is True:
                exists_true = True
            elif made is False:
                exists_false = True
            else:
                conditions.append(made)
        elif isinstance(value, str | bool) or value is None or (_is_number(value) and math.isfinite(value)):
            conditions.append(_exact(value))
        else:
            shown = json.dumps(value, default=str)
            raise PatternError(
                field, f"Match value must be String, number, true, false, or null, not {shown}"
            )
    return _Leaf(tuple(conditions), exists_true, exists_false)


@dataclass(frozen=True)
class CompiledPattern:
    """A checked pattern, ready to match many events (`matches(event)`)."""

    root: _Object

    def matches(self, event: Mapping[str, Any]) -> bool:
        return isinstance(event, Mapping) and self.root.matches(event)


def compile_pattern(pattern: Mapping[str, Any] | str) -> CompiledPattern:
    """Check `pattern` (a mapping, or its JSON text) and compile it; raises PatternError."""
    if isinstance(pattern, str):
        return _compile_text(pattern)
    return CompiledPattern(_compile_object("", pattern))


@lru_cache(maxsize=512)
def _compile_text(text: str) -> CompiledPattern:
    try:
        pattern = json.loads(text)
    except ValueError as error:
        raise PatternError("", f"is not valid JSON: {error}") from None
    return CompiledPattern(_compile_object("", pattern))


def validate_pattern(pattern: Mapping[str, Any]) -> None:
    """Raise PatternError (a ValueError naming the field) when AWS would refuse `pattern`."""
    compile_pattern(pattern)


def pattern_matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when `event` matches `pattern`; raises PatternError for an invalid pattern. Patterns are
    compiled once per distinct JSON text, so calling this per event costs one `json.dumps`."""
    try:
        text = json.dumps(pattern, sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON (odd keys, NaN): compiled as given, uncached
        return compile_pattern(pattern).matches(event)
    return _compile_text(text).matches(event)
