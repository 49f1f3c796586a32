"""Which bodies are binary: REST APIs decide by `binaryMediaTypes`, HTTP APIs by the content type.

REST APIs (Developer Guide, "Binary media types for REST APIs"): a request body whose Content-Type
matches a binary media type reaches the function base64-encoded; a response with `isBase64Encoded`
is decoded only when the first `Accept` value of the request matches one (otherwise the client gets
the base64 text). Types may use `*` wildcards (`image/*`, `*/*`).
HTTP APIs have no binary media types: a body that is not text reaches the function base64-encoded,
and `isBase64Encoded` in a response is always honoured.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
)


def _essence(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def matches_binary_type(content_type: str | None, binary_media_types: Sequence[str]) -> bool:
    essence = _essence(content_type)
    if not essence:
        return False
    return any(fnmatchcase(essence, pattern.strip().lower()) for pattern in binary_media_types)


def first_accept(accept: str | None) -> str | None:
    if not accept:
        return None
    return accept.split(",", 1)[0].strip() or None


def is_text_content(content_type: str | None) -> bool:
    """Whether an HTTP API passes a body of this type as text (JSON, XML, JavaScript, text/*)."""
    essence = _essence(content_type)
    if not essence:
        return True  # no Content-Type: treated as text
    return (
        essence.startswith("text/")
        or essence in _TEXT_TYPES
        or essence.endswith("+json")
        or essence.endswith("+xml")
    )
