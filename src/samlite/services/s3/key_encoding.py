"""S3 refuses a request whose object key is not percent-encoded UTF-8, as S3 does: 400 InvalidURI.

An object key is "a sequence of Unicode characters whose UTF-8 encoding is at most 1,024 bytes long"
(Amazon S3 User Guide, "Naming Amazon S3 objects"); a request path whose percent-decoded bytes are not
UTF-8 (`%C0%AF`, `%ED%A0%80`, a lone `%FF`) names no possible key, and S3 answers it with 400
`InvalidURI` ("Couldn't parse the specified URI."). moto instead stores the object under a name with
U+FFFD in it, and its event would name a key the bucket does not hold. Query strings are not checked:
a listing's `prefix` may be anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from samlite.model import AwsError
from samlite.wire.s3_request import S3Request

INVALID_URI = AwsError(400, "InvalidURI", "Couldn't parse the specified URI.")


def check_request(environ: Mapping[str, Any], request: S3Request) -> AwsError | None:
    """400 InvalidURI when the request path does not decode to UTF-8 text (an `S3Check`)."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?", 1)[0]
    if not raw or (raw.isascii() and "%" not in raw):
        return None
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return INVALID_URI
    return None
