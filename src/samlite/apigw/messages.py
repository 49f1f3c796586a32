"""What travels through the gateway: the HTTP request as received, and the response to send back.

Plain dataclasses so the gateway's logic (`dispatch`) is testable without a socket, and the HTTP
server is only a thin adapter around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpRequest:
    """One request as the client sent it; `path` is still percent-encoded, `query` is the raw string."""

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    server_port: int | None = None  # the local port the request arrived on

    def header(self, name: str) -> str | None:
        """The first value of a header (names are case-insensitive)."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


@dataclass
class HttpResponse:
    """A response: status, header pairs (repeatable, e.g. Set-Cookie) and the body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # API Gateway's own answers carry their gateway response type (UNAUTHORIZED, ACCESS_DENIED, ...)
    # and error message, so a REST API's `GatewayResponses` can restyle them (gateway_responses.py).
    gateway_type: str | None = None
    error_message: str | None = None
    own: bool = False  # API Gateway's own answer, not the integration's (never given CORS headers)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def remove(self, name: str) -> None:
        lowered = name.lower()
        self.headers = [(key, value) for key, value in self.headers if key.lower() != lowered]

    def replace(self, name: str, value: str) -> None:
        self.remove(name)
        self.headers.append((name, value))

    def set_default(self, name: str, value: str) -> None:
        if self.header(name) is None:
            self.headers.append((name, value))
