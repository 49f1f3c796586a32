"""S3 answers written to XML directly, with the bytes `xmltodict.unparse` writes for them.

moto 5.2 builds every S3 answer as a dict and turns it into XML with `xmltodict.unparse` over a SAX
`XMLGenerator`: per element it checks the name character by character (`any(ch.isspace() ...)`),
builds an `AttributesImpl`, and writes through the generator's pending-start bookkeeping. For a
ListObjectsV2 page of 100 keys that is ~half of moto's serializer time (issue 13's profile).

This writes the same document for the dicts moto's serializer builds (`S3Serializer._serialize_body`:
a full document, short empty elements, not pretty): the XML declaration, each element as xmltodict
emits it (a list repeats the element, an empty list writes none, None is an empty element, `@name`
keys are attributes, `#text` is the text after the children, booleans are `true`/`false`, numbers
their `str`), escaped by the same `xml.sax.saxutils.escape` / `quoteattr`, and element and attribute
names checked by xmltodict's own rules (remembered per name).

Anything else (pretty printing, several or no roots, comments, namespace dicts, tuples, bytes or other
types, a name xmltodict refuses) goes to moto's own `_serialize_body`, so it answers, or raises,
exactly as before. A property test compares both on random dicts.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from samlite.moto_changes.seam import MotoChange, Patch, Target

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_TEXT = "#text"
_COMMENT = "#comment"
_MAX_NAMES = 10_000

_lock = threading.Lock()
_names: dict[str, bool] = {}


class _Fallback(Exception):
    """This body is xmltodict's to write."""


def _valid_name(name: Any) -> bool:
    """xmltodict's `_validate_name`, remembered: element and attribute names are few."""
    known = _names.get(name) if type(name) is str else False
    if known is not None:
        return known
    import xmltodict

    validate = getattr(xmltodict, "_validate_name", None)
    try:
        if validate is None:  # another xmltodict: its rules unknown here, so its own code writes
            raise ValueError(name)
        validate(name, "element")
        valid = True
    except ValueError:
        valid = False
    with _lock:
        if len(_names) >= _MAX_NAMES:
            _names.clear()
        _names[name] = valid
    return valid


def _text(value: Any) -> str:
    """xmltodict's `_convert_value_to_string` for the types moto's serializer writes."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    raise _Fallback


def _element(parts: list[str], name: Any, value: Any) -> None:
    """xmltodict's `_emit` of `name: value` (not pretty, no namespaces, short empty elements)."""
    if name == _COMMENT or not _valid_name(name):
        raise _Fallback
    for one in value if type(value) is list else (value,):
        _one_element(parts, name, one)


def _one_element(parts: list[str], name: str, value: Any) -> None:
    if value is None:
        value = {}
    elif type(value) is not dict:
        value = {_TEXT: _text(value)}
    text = None
    attributes: dict[str, str] = {}
    children = []
    for key, child in value.items():
        if key == _TEXT:
            text = None if child is None else _text(child)
        elif type(key) is str and key.startswith("@"):
            if key == "@xmlns" and type(child) is dict:
                raise _Fallback
            attribute = key[1:]
            if not _valid_name(attribute):
                raise _Fallback
            attributes[attribute] = "" if child is None else _text(child)
        elif not (type(child) is list and not child):
            children.append((key, child))
    parts.append("<" + name)
    for attribute, attribute_value in attributes.items():
        parts.append(f" {attribute}={quoteattr(attribute_value)}")
    if not children and not text:
        parts.append("/>")
        return
    parts.append(">")
    for key, child in children:
        _element(parts, key, child)
    if text:
        parts.append(escape(text))
    parts.append(f"</{name}>")


def _write(body: Any) -> str:
    if type(body) is not dict or len(body) != 1:
        raise _Fallback
    ((name, value),) = body.items()
    if type(value) is list and len(value) != 1:
        raise _Fallback  # xmltodict refuses a list of roots, and writes nothing for an empty one
    parts = [_DECLARATION]
    _element(parts, name, value)
    return "".join(parts)


def _direct_xml(original: Callable[[Any, Any], str]) -> Callable[[Any, Any], str]:
    @functools.wraps(original)
    def _serialize_body(self: Any, body: Any) -> str:
        if self.pretty_print:
            return original(self, body)
        try:
            return _write(body)
        except (_Fallback, RecursionError):
            return original(self, body)

    return _serialize_body


def forget() -> None:
    with _lock:
        _names.clear()


CHANGE = MotoChange(
    name="s3-xml-body",
    reason="xmltodict writes S3's XML answers through SAX, checking every element's name char by char",
    patches=(Patch(Target("moto.core.serialize:S3Serializer._serialize_body", "(self, body)"), _direct_xml),),
    service="s3",
    on_apply=forget,
)
