"""S3's nested answer structures (a listing's `Contents`, `CommonPrefixes`, `Owner`...) read from plain
dicts directly, as moto's serializer reads them.

moto 5.2 serializes each member of each structure through `BaseRestSerializer._serialize_structure_member`
and `ResponseSerializer.get_value`: a picker context, the remembered candidate names
(`serializer_keys`), `get_value`'s dotted-path check, per member. A ListObjectsV2 page of 100 keys is
~900 member reads that way: most of what is left of its serializer time once the XML is written
directly (`s3_xml_body`).

For a nested structure (not the answer's top level, where members go to headers or the body) held in a
plain dict, with members none of which moto routes elsewhere (no `location`, no member written under
the names `body` or `headers`, which moto's rest serializer treats as its own), this looks each member
up under the same candidate names in the same order, skips the same members (absent or None) and
serializes the rest with the serializer's own `_serialize`, then writes the structure as moto does.
Anything else (the top level, model objects, a candidate name with a dot, response transformers, a
serializer class that reads members its own way) goes to moto's own code.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from samlite.moto_changes import serializer_keys
from samlite.moto_changes.seam import MotoChange, Patch, Target

_MAX_SHAPES = 5_000
_RESERVED = frozenset({"body", "headers"})  # BaseRestSerializer's own keys of the answer it builds

_lock = threading.Lock()
_plain_shapes: dict[int, tuple[Any, bool]] = {}
_plain_classes: dict[type, bool] = {}


def _plain_class(serializer_class: type) -> bool:
    known = _plain_classes.get(serializer_class)
    if known is not None:
        return known
    from moto.core.serialize import BaseRestSerializer, BaseXMLSerializer, ResponseSerializer

    same = (
        ("_serialize", ResponseSerializer),
        ("get_value", ResponseSerializer),
        ("_serialize_structure_member", BaseRestSerializer),
        ("_default_serialize", BaseXMLSerializer),
        ("get_serialized_name", ResponseSerializer),
    )
    plain = all(getattr(serializer_class, name) is getattr(owner, name) for name, owner in same)
    with _lock:
        _plain_classes[serializer_class] = plain
    return plain


def _plain_shape(serializer: Any, shape: Any) -> bool:
    """No member of `shape` goes anywhere but the structure's own wrapper."""
    found = _plain_shapes.get(id(shape))
    if found is not None and found[0] is shape:
        return found[1]
    plain = not shape.is_document_type
    for member_key, member_shape in shape.members.items():
        name = serializer.get_serialized_name(member_shape, member_key)
        if member_shape.is_not_bound_to_body or name in _RESERVED:
            plain = False
    with _lock:
        if len(_plain_shapes) >= _MAX_SHAPES:
            _plain_shapes.clear()
        _plain_shapes[id(shape)] = (shape, plain)
    return plain


def _direct_nested(_missing: Any) -> Callable[..., None]:
    from moto.core.serialize import S3Serializer, XFormedAttributePicker

    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        picker = getattr(self, "_value_picker", None)
        if (
            not key
            or type(value) is not dict
            or type(picker) is not XFormedAttributePicker
            or picker.response_transformers
            or not _plain_class(type(self))
            or not _plain_shape(self, shape)
        ):
            super(S3Serializer, self)._serialize_type_structure(serialized, value, shape, key)
            return
        wrapper = self.MAP_TYPE()
        for member_key, member_shape in shape.members.items():
            member_shape.parent = shape  # as moto sets it: the alias providers read it
            names = serializer_keys._candidates(picker, value, member_key, member_shape)
            for name in names:
                if "." in name:  # moto's get_value reads a dotted name as a path: moto's to read
                    super(S3Serializer, self)._serialize_type_structure(serialized, value, shape, key)
                    return
                if name in value:
                    member_value = value[name]
                    break
            else:
                continue
            if member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        self._default_serialize(serialized, wrapper, shape, key)

    return functools.wraps(S3Serializer._serialize_type_structure)(_serialize_type_structure)


def forget() -> None:
    with _lock:
        _plain_shapes.clear()
        _plain_classes.clear()


CHANGE = MotoChange(
    name="s3-structures",
    reason="moto reads every member of every nested S3 answer structure through a picker context",
    patches=(
        Patch(Target("moto.core.serialize:S3Serializer._serialize_type_structure", None), _direct_nested),
    ),
    service="s3",
    on_apply=forget,
)
