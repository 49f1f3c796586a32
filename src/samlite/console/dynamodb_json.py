"""Items in DynamoDB JSON (`{"name": {"S": "x"}}`) between the page, boto3 and moto.

The page shows and edits items in DynamoDB JSON, which keeps every type (a number set is not a list,
a binary is not a string); binaries travel as base64 text, as in the AWS CLI. boto3 wants bytes for
them, and answers with bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from samlite.console.http import bad_request

TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})


def _decode(text: Any, where: str) -> bytes:
    if isinstance(text, (bytes, bytearray)):
        return bytes(text)
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{where}: a B value must be base64 text") from None


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def to_wire_value(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise bad_request(f'{where}: a value must be one {{TYPE: value}} pair, e.g. {{"S": "text"}}')
    kind, inner = next(iter(value.items()))
    if kind not in TYPES:
        raise bad_request(f"{where}: {kind!r} is not a DynamoDB type ({', '.join(sorted(TYPES))})")
    if kind == "B":
        return {"B": _decode(inner, where)}
    if kind == "BS":
        return {"BS": [_decode(member, where) for member in inner]}
    if kind == "M":
        if not isinstance(inner, Mapping):
            raise bad_request(f"{where}: an M value must be an object")
        return {"M": {name: to_wire_value(v, f"{where}.{name}") for name, v in inner.items()}}
    if kind == "L":
        if not isinstance(inner, list):
            raise bad_request(f"{where}: an L value must be a list")
        return {"L": [to_wire_value(v, f"{where}[{i}]") for i, v in enumerate(inner)]}
    return {kind: inner}


def to_wire(item: Any, what: str = "item") -> dict[str, Any]:
    if not isinstance(item, Mapping) or not item:
        raise bad_request(f"the {what} must be a non-empty object of attributes in DynamoDB JSON")
    return {str(name): to_wire_value(value, f"{what} attribute {name!r}") for name, value in item.items()}


def from_wire_value(value: Mapping[str, Any]) -> dict[str, Any]:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": _encode(inner)}
    if kind == "BS":
        return {"BS": [_encode(member) for member in inner]}
    if kind == "M":
        return {"M": {name: from_wire_value(v) for name, v in inner.items()}}
    if kind == "L":
        return {"L": [from_wire_value(v) for v in inner]}
    if kind in ("SS", "NS"):
        return {kind: list(inner)}
    return {kind: inner}


def from_wire(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {name: from_wire_value(value) for name, value in item.items()}
