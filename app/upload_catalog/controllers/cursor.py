"""The opaque pagination cursor: where a listing continues, bound to the query it belongs to.

A cursor is base64url (no padding) of a small JSON document: a version, a fingerprint of the query
(index, partition, prefix) and the position in the index (DynamoDB's LastEvaluatedKey, all strings).
Decoding checks all of it against the query at hand, so a cursor that is malformed, truncated, or was
issued for another query is a 400 naming the ``cursor`` parameter, never a DynamoDB error or a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable

from upload_catalog.controllers.api_http import ApiError

VERSION = 1
#: Longer cursors are refused unread (positions hold two keys of at most 1 KiB each, plus small fields).
MAX_CURSOR_CHARS = 8192


def fingerprint(parts: Iterable[str]) -> str:
    """A short digest of the query a cursor belongs to."""
    digest = hashlib.sha256(json.dumps(list(parts), ensure_ascii=False).encode()).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def encode_cursor(query_fingerprint: str, position: dict[str, str]) -> str:
    document = {"v": VERSION, "q": query_fingerprint, "p": position}
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str, attributes: frozenset[str]) -> dict[str, str]:
    """The position a cursor holds; ApiError 400 unless it is well formed and belongs to this query."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise ApiError(400, f"query parameter cursor is longer than {MAX_CURSOR_CHARS} characters")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw.decode("utf-8"))
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; RecursionError: deeply nested brackets.
    except (binascii.Error, ValueError, RecursionError):
        raise ApiError(400, "query parameter cursor is malformed: pass back next_cursor unchanged") from None
    well_formed = isinstance(document, dict) and document.get("v") == VERSION
    if not (well_formed and isinstance(document.get("p"), dict)):
        raise ApiError(400, "query parameter cursor is malformed: pass back next_cursor unchanged")
    if document.get("q") != query_fingerprint:
        raise ApiError(
            400, "query parameter cursor belongs to another query: keep prefix, order and type unchanged"
        )
    position = document["p"]
    if set(position) != attributes or not all(_is_key_text(v) for v in position.values()):
        raise ApiError(400, "query parameter cursor is malformed: pass back next_cursor unchanged")
    return position


def _is_key_text(value: object) -> bool:
    """A non-empty string DynamoDB can take (JSON may smuggle in lone surrogates that UTF-8 cannot encode)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
