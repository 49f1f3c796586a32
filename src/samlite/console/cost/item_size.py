"""How big DynamoDB says an item is, which is what its request units are counted by.

From the DynamoDB developer guide, "Item sizes and formats": an item's size is the sum of its
attribute names' and values' lengths. Strings and binaries count their UTF-8 / raw bytes; a number
about one byte per two significant digits plus one; a Boolean or null one byte; a list or map three
bytes plus one per element plus its elements (a map's names included); a set the sum of its members.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Mapping
from typing import Any


def _number_size(text: str) -> int:
    digits = text.lstrip("+-").split("e")[0].split("E")[0].replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def _binary_size(text: Any) -> int:
    if isinstance(text, (bytes, bytearray)):
        return len(text)
    try:
        return len(base64.b64decode(str(text), validate=False))
    except (binascii.Error, ValueError):
        return len(str(text))


def _utf8(value: Any) -> int:
    return len(str(value).encode("utf-8"))


_SIZES: dict[str, Callable[[Any], int]] = {
    "S": _utf8,
    "N": lambda inner: _number_size(str(inner)),
    "B": _binary_size,
    "BOOL": lambda inner: 1,
    "NULL": lambda inner: 1,
    "SS": lambda inner: sum(_utf8(member) for member in inner),
    "NS": lambda inner: sum(_number_size(str(member)) for member in inner),
    "BS": lambda inner: sum(_binary_size(member) for member in inner),
    "L": lambda inner: 3 + sum(1 + value_size(member) for member in inner),
    "M": lambda inner: 3 + sum(1 + _utf8(name) + value_size(v) for name, v in inner.items()),
}


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB JSON (`{"S": "x"}`)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return 0
    kind, inner = next(iter(value.items()))
    size = _SIZES.get(kind)
    return size(inner) if size is not None else 0


def item_size(item: Mapping[str, Any] | None) -> int:
    """The size of an item in DynamoDB JSON, in bytes."""
    if not item:
        return 0
    return sum(len(str(name).encode("utf-8")) + value_size(value) for name, value in item.items())
