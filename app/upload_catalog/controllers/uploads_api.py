"""``POST /uploads``: a presigned POST for a server-chosen key under ``uploads/``.

The server picks the key (``uploads/<random>/<safe filename>``) so that clients cannot overwrite each
other's objects or write outside the prefix the function's role may sign for. The POST policy binds the
Content-Type and the exact declared size (``content-length-range`` from ``size`` to ``size``): S3 itself
rejects an upload that differs from what was declared and checked here.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from upload_catalog.catalog_index import MEDIA_RANGE, media_type
from upload_catalog.controllers.api_http import ApiError, Request, Response, json_response
from upload_catalog.controllers.api_ports import ObjectUrls

UPLOAD_PREFIX = "uploads/"
#: Lifetime of the POST policy (the issue: 15 minutes).
UPLOAD_POLICY_SECONDS = 900
MAX_BODY_BYTES = 16 * 1024
MAX_FILENAME_CHARS = 1024
#: The safe form keeps at most this many UTF-8 bytes of the name (many file systems allow 255).
MAX_SAFE_NAME_BYTES = 200


@dataclass(frozen=True)
class UploadRules:
    """What uploads may be: allowed media types (``image/*`` allowed as a family) and the size limit."""

    allowed_types: tuple[str, ...]
    max_size: int

    def allows(self, content_type: str) -> bool:
        exact = media_type(content_type)
        family = exact.split("/", 1)[0]
        return exact in self.allowed_types or f"{family}/*" in self.allowed_types


def safe_filename(filename: str) -> str:
    """The last path segment of ``filename``, NFC-normalised, with only letters, digits and ``._-``.

    Letters of any script are kept (``사진.png`` stays readable in the key); anything else (spaces,
    slashes, controls, ``%``, ``+``) becomes ``-``, so the key needs no encoding beyond UTF-8.
    """
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch if (ch.isalnum() or ch in "._-") else "-" for ch in name)
    cleaned = re.sub(r"-*\.-*", ".", re.sub(r"-{2,}", "-", cleaned)).strip("-.")
    while len(cleaned.encode("utf-8")) > MAX_SAFE_NAME_BYTES:
        cleaned = cleaned[:-1]
    return cleaned or "file"


class UploadsController:
    """Hands out presigned POSTs for the uploads bucket."""

    def __init__(
        self,
        urls: ObjectUrls,
        bucket: str,
        rules: UploadRules,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._urls = urls
        self._bucket = bucket
        self._rules = rules
        self._new_id = new_id

    def create(self, request: Request) -> Response:
        """Validate the body (400), the type (415) and the size (413); answer the form to post."""
        filename, content_type, size = self._parse(request.body)
        if not self._rules.allows(content_type):
            allowed = ", ".join(self._rules.allowed_types)
            raise ApiError(
                415, f"body field content_type {content_type!r} is not allowed (allowed: {allowed})"
            )
        if size > self._rules.max_size:
            raise ApiError(
                413, f"body field size {size} exceeds the maximum upload of {self._rules.max_size} bytes"
            )
        key = f"{UPLOAD_PREFIX}{self._new_id()}/{safe_filename(filename)}"
        post = self._urls.presign_post(
            self._bucket, key, content_type=content_type, size=size, expires_in=UPLOAD_POLICY_SECONDS
        )
        return json_response(
            201,
            {"key": key, "url": post.url, "fields": post.fields, "expires_in": UPLOAD_POLICY_SECONDS},
        )

    @staticmethod
    def _parse(body: bytes | None) -> tuple[str, str, int]:
        if not body:
            raise ApiError(400, 'request body is empty: send JSON {"filename", "content_type", "size"}')
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(400, f"request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            document: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise ApiError(400, f"request body is not JSON: {err}") from None
        except RecursionError:  # e.g. 2,000 nested arrays fit in the size limit: a 400, not a 500
            raise ApiError(
                400,
                'request body nests too deeply: send one JSON object {"filename", "content_type", "size"}',
            ) from None
        if not isinstance(document, dict):
            raise ApiError(400, f"request body must be a JSON object, got {type(document).__name__}")
        filename = document.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise ApiError(400, "body field filename is missing or not a non-empty string")
        if len(filename) > MAX_FILENAME_CHARS:
            raise ApiError(400, f"body field filename is longer than {MAX_FILENAME_CHARS} characters")
        content_type = document.get("content_type")
        if (
            not isinstance(content_type, str)
            or len(content_type) > 255
            or not content_type.isascii()
            or not content_type.isprintable()
            or not _is_exact_media_type(media_type(content_type))
        ):
            raise ApiError(400, "body field content_type is missing or not a media type such as image/png")
        size = document.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ApiError(400, "body field size is missing or not a non-negative integer (bytes)")
        return filename, content_type.strip(), size


def _is_exact_media_type(value: str) -> bool:
    """``type/subtype`` without a wildcard: an object has one type, ``image/*`` only names a family."""
    match = MEDIA_RANGE.match(value)
    return match is not None and match["subtype"] != "*"
