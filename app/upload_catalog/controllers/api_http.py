"""Requests, responses and errors of the REST API, independent of how Lambda delivers them.

Every error leaves as JSON ``{"error": {"code", "message"}}``; the message names the offending query
parameter, body field or key, so a client never has to read a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

#: Error codes by HTTP status.
ERROR_CODES = {
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    500: "InternalError",
}


@dataclass(frozen=True)
class Request:
    """One API request after the Lambda event was unpacked.

    ``resource`` is API Gateway's route template (``/objects/{key+}``); ``path_parameters`` hold the raw
    values as API Gateway passed them; ``headers`` have lower-case names.
    """

    method: str
    resource: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Response:
    """A response: ``body`` is serialised as JSON unless None (no body)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def with_headers(self, extra: dict[str, str]) -> Response:
        return Response(self.status, self.body, {**self.headers, **extra})

    def encoded_body(self) -> str:
        return "" if self.body is None else json.dumps(self.body, ensure_ascii=False, separators=(",", ":"))


class ApiError(Exception):
    """A request the API refuses; becomes an error response with this status, code and message."""

    def __init__(
        self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "Error")
        self.message = message
        self.headers = headers or {}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def error_response(error: ApiError) -> Response:
    return json_response(
        error.status, {"error": {"code": error.code, "message": error.message}}, error.headers
    )
