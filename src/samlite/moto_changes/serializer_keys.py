"""moto's serializer finds where each response member lives once per (member, shape), not per value.

moto 5.2 writes every response through a model-driven serializer that, for each member of each
structure it writes, asks `XFormedAttributePicker.get_possible_keys` for the names the value may be
stored under, by running six alias providers and `botocore.xform_name` on each candidate. DynamoDB
results are plain dicts of AttributeValue structures (ten members each), so a Query page of 50 items
asks it about 7,000 times: ~60% of the whole call. For a plain `dict` the candidates depend only on
the member's key, its shape and the shape's parent (no `Meta` aliases, the class name is `dict`), so
this change keeps them per (key, shape, parent, alias providers), worked out by moto's own code on
the first call. Any other object (model classes with `Meta` aliases or prefixes) goes to moto's code
every time.

The JSON serializer's structures (`BaseJSONSerializer._serialize_type_structure`: DynamoDB's
AttributeValue above all) then look each member up in a plain dict with those remembered names
directly, without building a picker context per member: the same names tried in the same order, the
same members skipped (absent or None) and the same `_serialize` of the rest. Only where moto would do
exactly that: a plain dict, moto's own picker with no response transformers, and a serializer that
does not override how members are read (REST serializers do), else moto's code runs.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# Distinct (member, shape) pairs are bounded by the service models; the bound only caps the memory.
_MAX_ENTRIES = 50_000

_lock = threading.Lock()
_known: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _remembered(original: Callable[..., Iterable[str]]) -> Callable[..., Iterable[str]]:
    @functools.wraps(original)
    def get_possible_keys(self: Any, context: Any) -> Iterable[str]:
        if type(context.obj) is not dict:
            return original(self, context)
        shape = context.shape
        try:
            key = (
                type(self),
                context.key,
                shape,
                getattr(shape, "parent", None),
                tuple(self.alias_providers),
            )
            known = _known.get(key)
        except TypeError:  # an unhashable shape or provider: nothing to remember it by
            return original(self, context)
        if known is None:
            known = tuple(original(self, context))
            with _lock:
                if len(_known) >= _MAX_ENTRIES:
                    _known.clear()
                _known[key] = known
        return known

    return get_possible_keys


def _candidates(picker: Any, value: dict[str, Any], member_key: str, member_shape: Any) -> tuple[str, ...]:
    """The names moto's picker tries for `member_key` in a plain dict, remembered (see the module doc)."""
    try:
        key = (
            type(picker),
            member_key,
            member_shape,
            getattr(member_shape, "parent", None),
            tuple(picker.alias_providers),
        )
        known = _known.get(key)
    except TypeError:
        known, key = None, None
    if known is not None:
        return known
    from moto.core.serialize import AttributePickerContext

    context = AttributePickerContext(obj=value, key=member_key, shape=member_shape)
    known = tuple(picker.get_possible_keys(context))
    if key is not None:
        with _lock:
            if len(_known) >= _MAX_ENTRIES:
                _known.clear()
            _known[key] = known
    return known


def _direct_structures(original: Callable[..., None]) -> Callable[..., None]:
    from moto.core.serialize import ResponseSerializer, XFormedAttributePicker

    plain_reads = (ResponseSerializer.get_value, ResponseSerializer._serialize_structure_member)

    @functools.wraps(original)
    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        picker = getattr(self, "_value_picker", None)
        if (
            type(value) is not dict
            or shape.is_document_type
            or type(picker) is not XFormedAttributePicker
            or picker.response_transformers
            or (type(self).get_value, type(self)._serialize_structure_member) != plain_reads
        ):
            original(self, serialized, value, shape, key)
            return
        wrapper: Any = self.MAP_TYPE() if key else serialized
        for member_key, member_shape in shape.members.items():
            member_shape.parent = shape  # as moto sets it: the alias providers read it
            for name in _candidates(picker, value, member_key, member_shape):
                if name in value:
                    member_value = value[name]
                    break
            else:
                continue
            if member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        if key:
            self._default_serialize(serialized, wrapper, shape, key)

    return _serialize_type_structure


def forget() -> None:
    with _lock:
        _known.clear()


CHANGE = MotoChange(
    name="serializer-keys",
    reason="moto's serializer works out every member's possible names again for every value it writes",
    patches=(
        Patch(
            Target("moto.core.serialize:XFormedAttributePicker.get_possible_keys", "(self, context)"),
            _remembered,
        ),
        Patch(
            Target(
                "moto.core.serialize:BaseJSONSerializer._serialize_type_structure",
                "(self, serialized, value, shape, key)",
            ),
            _direct_structures,
        ),
    ),
    on_apply=forget,
)
