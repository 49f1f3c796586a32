"""The console's requests and answers: a small, typed view of one WSGI request, and JSON responses.

Every handler takes a `ConsoleRequest` and returns an `ApiResponse` (the endpoint's), or raises
`ConsoleError`, which the app turns into `{"error": {"code", "message"}}` with its status. Messages
name what is wrong (the bucket, the key, the field), as everywhere else in samlite.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from samlite.endpoint.local_apis import ApiResponse

JSON_TYPE = "application/json; charset=utf-8"


class ConsoleError(Exception):
    """A request the console cannot do as asked: the message is for the user."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what: str) -> ConsoleError:
    return ConsoleError(404, "NotFound", what)


def bad_request(message: str) -> ConsoleError:
    return ConsoleError(400, "BadRequest", message)


@dataclass(frozen=True)
class ConsoleRequest:
    """One request to the console: method, path below `/_samlite`, query, headers, body; `params` are
    the path's named parts as the route matched them (URL-decoded)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], body: bytes, path: str) -> ConsoleRequest:
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
        return cls(str(environ.get("REQUEST_METHOD", "GET")).upper(), path, query, headers, body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def required_arg(self, name: str) -> str:
        value = self.arg(name)
        if value is None or value == "":
            raise bad_request(f"the query parameter {name!r} is required")
        return value

    def int_arg(self, name: str, default: int, *, low: int = 0, high: int = 1_000_000) -> int:
        text = self.arg(name)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise bad_request(f"the query parameter {name!r} must be a whole number, not {text!r}") from None
        if not low <= value <= high:
            raise bad_request(f"the query parameter {name!r} must be between {low} and {high}")
        return value

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (400 naming the problem otherwise)."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError as error:
            raise bad_request(f"the request body is not JSON: {error}") from None
        if not isinstance(value, dict):
            raise bad_request("the request body must be a JSON object")
        return value


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(value: Any, status: int = 200) -> ApiResponse:
    body = json.dumps(value, default=_default, ensure_ascii=False).encode("utf-8")
    return ApiResponse(status, [("Content-Type", JSON_TYPE)], body)


def error_response(error: ConsoleError) -> ApiResponse:
    return json_response({"error": {"code": error.code, "message": error.message}}, error.status)
