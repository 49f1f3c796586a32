"""DynamoDB items written to JSON in one pass per attribute, with moto's serializer's exact output.

moto 5.2 writes every DynamoDB answer through its model-driven serializer: for each attribute of each
item it walks the `AttributeValue` structure's ten members, asks the attribute picker where each may
be stored, dispatches on the member's shape, and pushes and pops the serializer's path. A Query page of
50 catalog items goes through ~100,000 serializer calls that way: the largest part of the Query's
server time after the page is chosen (profile in the module's change reason, issue 13).

The values moto hands the serializer for items are plain dicts built by `dynamo_to_dict` from its
`DynamoType`s: `{"S": "text"}`, `{"M": {...}}`, `{"L": [...]}`, ... This change writes maps whose values
are `AttributeValue`s (items, keys, `Attributes`, `LastEvaluatedKey`) directly, with what moto's own
code does for those values worked out once per shape from the shapes and moto's picker:

- a value is a dict with one key, and that key is one only member's name among the names moto's picker
  tries for every member (the picker tries `S` then `s` for member `S`, ...): that member is written and
  no other;
- strings (`S`, `N`, set members) are written as they are (moto's `str(value)` of a `str`), binary
  (`B`, `BS` members) as moto's own `_base64`, booleans (`BOOL`, `NULL`) as they are, `M` and `L`
  recursively, each under the name moto's `get_serialized_name` gives (the key itself: these shapes
  have no serialized names).

Anything else (a value of another Python type, a None member, several keys, an empty attribute name,
a serializer class or picker that reads members its own way, response transformers, a shape of another
form) makes the whole map go through moto's own `_serialize_type_map`, so it answers, or raises, exactly
as before. A property test compares both on random values, the odd ones included.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# The members of DynamoDB's AttributeValue (API Reference, "AttributeValue" data type) and how moto's
# JSON serializer writes each: its shape's type, and for lists their member's.
_MEMBERS: dict[str, tuple[str, str | None]] = {
    "S": ("string", None),
    "N": ("string", None),
    "B": ("blob", None),
    "SS": ("list", "string"),
    "NS": ("list", "string"),
    "BS": ("list", "blob"),
    "M": ("map", None),
    "L": ("list", "structure"),
    "NULL": ("boolean", None),
    "BOOL": ("boolean", None),
}
_SHAPE_NAME = "AttributeValue"
# Plans are per shape object (botocore caches them per service model); the bound only caps memory.
_MAX_PLANS = 1_000

_lock = threading.Lock()


class _Fallback(Exception):
    """This value is moto's to write."""


@dataclass
class _Plan:
    """What moto writes for each member name of one AttributeValue shape: `kinds[name]` is the
    member's kind, `nested[name]` the nested AttributeValue shape of `M`/`L`."""

    shape: Any
    kinds: dict[str, str] = field(default_factory=dict)
    nested: dict[str, Any] = field(default_factory=dict)


_plans: dict[int, _Plan | None] = {}
_serializer_classes: dict[type, bool] = {}


def _unnamed(shape: Any) -> bool:
    return "name" not in (getattr(shape, "serialization", None) or {})


def _plan(picker: Any, shape: Any) -> _Plan | None:
    """moto's handling of `shape`'s members for single-key plain dicts, or None when it is not the
    AttributeValue structure this change knows."""
    found = _plans.get(id(shape))
    if found is not None and found.shape is shape:
        return found
    plan = _make_plan(picker, shape)
    with _lock:
        if len(_plans) >= _MAX_PLANS:
            _plans.clear()
        _plans[id(shape)] = plan if plan is not None else _Plan(shape, {}, {})
    return plan if plan is not None else _plans[id(shape)]


def _make_plan(picker: Any, shape: Any) -> _Plan | None:
    from moto.core.serialize import AttributePickerContext

    members = getattr(shape, "members", None)
    if (
        getattr(shape, "type_name", None) != "structure"
        or shape.is_document_type
        or not _unnamed(shape)
        or members is None
        or set(members) != set(_MEMBERS)
    ):
        return None
    owners: dict[str, list[str]] = {}
    for member_key, member_shape in members.items():
        member_shape.parent = shape  # as moto sets it before picking: alias providers read it
        context = AttributePickerContext(obj={}, key=member_key, shape=member_shape)
        for name in picker.get_possible_keys(context):
            owners.setdefault(name, []).append(member_key)
    plan = _Plan(shape)
    for member_key, (type_name, item_type) in _MEMBERS.items():
        member_shape = members[member_key]
        if owners.get(member_key) != [member_key] or member_shape.type_name != type_name:
            return None
        if not _unnamed(member_shape):
            return None
        if type_name == "list":
            item = member_shape.member
            if item.type_name != item_type or not _unnamed(item):
                return None
            plan.kinds[member_key] = {"string": "strings", "blob": "blobs", "structure": "values"}[item_type]
            if item_type == "structure":
                plan.nested[member_key] = item
        elif type_name == "map":
            if member_shape.key.type_name != "string" or member_shape.value.name != _SHAPE_NAME:
                return None
            plan.kinds[member_key] = "map"
            plan.nested[member_key] = member_shape.value
        else:
            plan.kinds[member_key] = type_name
    return plan


def _plain_serializer(serializer_class: type) -> bool:
    """The serializer writes maps, lists, structures, strings, blobs and booleans as moto's JSON
    serializer does (no subclass reads or writes members its own way)."""
    known = _serializer_classes.get(serializer_class)
    if known is not None:
        return known
    from moto.core.serialize import BaseJSONSerializer, ResponseSerializer

    same = (
        ("_serialize", ResponseSerializer),
        ("_default_serialize", ResponseSerializer),
        ("get_serialized_name", ResponseSerializer),
        ("get_value", ResponseSerializer),
        ("_serialize_structure_member", ResponseSerializer),
        ("_serialize_type_blob", ResponseSerializer),
        ("_base64", ResponseSerializer),
        ("_serialize_type_list", BaseJSONSerializer),
        ("_serialize_type_string", BaseJSONSerializer),
        ("_serialize_type_structure", BaseJSONSerializer),
        ("_serialize_type_map", BaseJSONSerializer),
    )
    plain = (
        issubclass(serializer_class, BaseJSONSerializer)
        and serializer_class.MAP_TYPE is dict
        and not hasattr(serializer_class, "_serialize_type_boolean")
        and all(getattr(serializer_class, name) is getattr(owner, name) for name, owner in same)
    )
    with _lock:
        _serializer_classes[serializer_class] = plain
    return plain


def _value(serializer: Any, picker: Any, plan: _Plan, value: Any) -> dict[str, Any]:
    """One AttributeValue as moto's serializer writes it, or `_Fallback`."""
    if type(value) is not dict or len(value) != 1:
        raise _Fallback
    ((name, member),) = value.items()
    kind = plan.kinds.get(name)
    if kind is None or member is None:
        raise _Fallback
    return {name: _WRITERS[kind](serializer, picker, plan.nested.get(name), member)}


def _string(_serializer: Any, _picker: Any, _nested: Any, member: Any) -> Any:
    if type(member) is not str:
        raise _Fallback
    return member


def _boolean(_serializer: Any, _picker: Any, _nested: Any, member: Any) -> Any:
    return member  # moto's _default_serialize: the value as it is


def _blob(serializer: Any, _picker: Any, _nested: Any, member: Any) -> Any:
    if type(member) not in (str, bytes):
        raise _Fallback
    return serializer._base64(member)


def _strings(_serializer: Any, _picker: Any, _nested: Any, member: Any) -> Any:
    if type(member) is not list or any(type(text) is not str for text in member):
        raise _Fallback
    return list(member)


def _blobs(serializer: Any, _picker: Any, _nested: Any, member: Any) -> Any:
    if type(member) is not list or any(type(blob) not in (str, bytes) for blob in member):
        raise _Fallback
    return [serializer._base64(blob) for blob in member]


def _nested_plan(picker: Any, shape: Any) -> _Plan:
    nested = _plan(picker, shape)
    if nested is None or not nested.kinds:
        raise _Fallback
    return nested


def _list(serializer: Any, picker: Any, nested: Any, member: Any) -> Any:
    if type(member) is not list:
        raise _Fallback
    plan = _nested_plan(picker, nested)
    return [_value(serializer, picker, plan, item) for item in member]


def _map(serializer: Any, picker: Any, nested: Any, member: Any) -> Any:
    if type(member) is not dict:
        raise _Fallback
    return _values(serializer, picker, _nested_plan(picker, nested), member)


_WRITERS: dict[str, Callable[[Any, Any, Any, Any], Any]] = {
    "string": _string,
    "boolean": _boolean,
    "blob": _blob,
    "strings": _strings,
    "blobs": _blobs,
    "values": _list,
    "map": _map,
}


def _values(serializer: Any, picker: Any, plan: _Plan, values: dict[Any, Any]) -> dict[str, Any]:
    written = {}
    for attribute, value in values.items():
        if type(attribute) is not str or not attribute:
            raise _Fallback
        written[attribute] = _value(serializer, picker, plan, value)
    return written


def _direct_maps(original: Callable[..., None]) -> Callable[..., None]:
    from moto.core.serialize import XFormedAttributePicker

    @functools.wraps(original)
    def _serialize_type_map(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        value_shape = shape.value
        if getattr(value_shape, "name", None) != _SHAPE_NAME or type(value) is not dict:
            original(self, serialized, value, shape, key)
            return
        picker = getattr(self, "_value_picker", None)
        if (
            type(picker) is not XFormedAttributePicker
            or picker.response_transformers
            or not _unnamed(shape)
            or not _plain_serializer(type(self))
        ):
            original(self, serialized, value, shape, key)
            return
        plan = _plan(picker, value_shape)
        try:
            if plan is None or not plan.kinds:
                raise _Fallback
            written = _values(self, picker, plan, value)
        except _Fallback:
            original(self, serialized, value, shape, key)
            return
        serialized[key] = written

    return _serialize_type_map


def forget() -> None:
    with _lock:
        _plans.clear()
        _serializer_classes.clear()


CHANGE = MotoChange(
    name="dynamodb-attribute-values",
    reason="moto's serializer walks AttributeValue's ten members through the generic shape machinery "
    "for every attribute of every item it returns",
    patches=(
        Patch(
            Target(
                "moto.core.serialize:BaseJSONSerializer._serialize_type_map",
                "(self, serialized, value, shape, key)",
            ),
            _direct_maps,
        ),
    ),
    service="dynamodb",
    on_apply=forget,
)
