"""moto's response timestamps, converted once per distinct value instead of parsed again every time.

moto's serializer writes every timestamp of a response through `TimestampSerializer.
_convert_timestamp_to_str`, which hands the value (mostly an ISO 8601 string kept by the model, such
as an object's LastModified) to botocore's `parse_to_aware_datetime`, i.e. to dateutil's general
parser, and formats the result again: about a third of an S3 ListObjectsV2 of 100 keys. The output
depends only on the value and the format (a string without a zone is UTC, as botocore reads it), so
this remembers it per (value, format) in a bounded table and computes it with moto's own code on a
miss. Values that are not plain strings, numbers or datetimes go to moto's code every time.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# Distinct timestamps in the responses of a run (objects' LastModified, tables' creation times...);
# the bound caps the memory (~2 MB), and a full table simply starts again.
_MAX_ENTRIES = 10_000
_REMEMBERED_TYPES = (str, int, float, datetime.datetime)

_lock = threading.Lock()
_converted: dict[tuple[Any, ...], Any] = {}


def _remembered(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _convert_timestamp_to_str(self: Any, value: Any, timestamp_format: str) -> Any:
        if type(value) not in _REMEMBERED_TYPES:  # exact types: a subclass may compare differently
            return original(self, value, timestamp_format)
        # The type is part of the key (1 and 1.0 are equal keys, not equal timestamps), and so is a
        # datetime's own ISO form: the same instant in two zones is formatted in each one's zone.
        shown = value.isoformat() if type(value) is datetime.datetime else value
        key = (type(value), shown, timestamp_format)
        converted = _converted.get(key)
        if converted is None:
            converted = original(self, value, timestamp_format)
            with _lock:
                if len(_converted) >= _MAX_ENTRIES:
                    _converted.clear()
                _converted[key] = converted
        return converted

    return _convert_timestamp_to_str


def forget() -> None:
    with _lock:
        _converted.clear()


CHANGE = MotoChange(
    name="timestamp-serialization",
    reason="moto parses every response timestamp again with dateutil's general parser",
    patches=(
        Patch(
            Target(
                "moto.core.serialize:TimestampSerializer._convert_timestamp_to_str",
                "(self, value, timestamp_format)",
            ),
            _remembered,
        ),
    ),
    on_apply=forget,
)
