"""What an object key is, and how a percent-encoded one is read: one rule for the catalog and the API.

Amazon S3 User Guide, "Naming Amazon S3 objects": an object key is "a sequence of Unicode characters
whose UTF-8 encoding is at most 1,024 bytes long". Keys reach this application percent-encoded, in two
spellings: S3 event records form-encode them (a space is ``+``; ``unquote_plus``), API paths
path-encode them (a ``+`` is a plus; ``unquote``). Either way the percent-decoded bytes must be UTF-8:
``%C0%AF`` (an overlong ``/``) and ``%ED%A0%80`` (a UTF-16 surrogate) are not, S3 refuses such a URI
(400 InvalidURI), and no object can have such a key. So the catalog function reports a record carrying
one as malformed (it reaches the dead-letter queue) instead of cataloguing a mangled name, and the API
answers 400: the same keys are refused the same way on both paths.
"""

from __future__ import annotations

from urllib.parse import unquote

from upload_catalog.models import MAX_KEY_BYTES


class InvalidKey(ValueError):
    """The text is not an object key; the message completes "<where> ..." (e.g. "is empty")."""


def decode_key(encoded: str, *, form_encoded: bool) -> str:
    """The key that percent-encoded ``encoded`` spells (``form_encoded``: ``+`` stands for a space)."""
    text = encoded.replace("+", " ") if form_encoded else encoded
    try:
        key = unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InvalidKey("is not percent-encoded UTF-8") from None
    check_key(key)
    return key


def check_key(key: str) -> None:
    """Raise InvalidKey unless ``key`` is a possible S3 object key."""
    if not key:
        raise InvalidKey("is empty")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate (JSON can carry "\ud800"): not Unicode text
        raise InvalidKey("is not valid Unicode text") from None
    if size > MAX_KEY_BYTES:
        raise InvalidKey(f"is longer than {MAX_KEY_BYTES} bytes once decoded (the S3 maximum)")
