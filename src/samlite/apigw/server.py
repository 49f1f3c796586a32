"""The HTTP side of the gateway: a threaded HTTP/1.1 server handing each request to `dispatch`.

One thread per connection (ThreadingHTTPServer), so concurrent requests reach the runtime at the
same time and its worker pool runs them in parallel; keep-alive is on, so a client reusing its
connection pays no connect per request. The server knows nothing of APIs: it converts bytes to an
`HttpRequest` and an `HttpResponse` back to bytes.

A request it cannot read is answered in API Gateway's shape, JSON `{"message": ...}` and a 4xx, never
http.server's HTML page: a request line longer than API Gateway's 10,240 characters ("Length, in
characters, of the URL for a regional API" and "Total combined size of request line and header
values", API Gateway quotas) is 414 Request URI too long, a malformed request line (a raw space in the
path, an unknown HTTP version) is 400, too long or too many header lines 431.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.apigw.responses import gateway_error
from samlite.errors import PortInUseError
from samlite.http_connections import ConnectionTracking

Dispatch = Callable[[HttpRequest], HttpResponse]
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit (10 MB)
MAX_REQUEST_LINE = 10240  # API Gateway's limit on the URL of a regional API, in characters
_REFUSALS = {  # http.server's own refusals, as the status and message API Gateway's client gets
    HTTPStatus.REQUEST_URI_TOO_LONG: "Request URI too long",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "Request Header Fields Too Large",
}


class _BadRequest(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Status line, headers and body leave in one segment (the base class flushes after each request):
    # written separately, Nagle's algorithm and the client's delayed ACK add ~40 ms to every response.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: GatewayHttpServer

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except _BadRequest as problem:
            self._write(HttpResponse(problem.status, [("Content-Type", "application/json")], problem.body))
            self.close_connection = True
            return
        target = urlsplit(self.path)
        request = HttpRequest(
            method=self.command.upper(),
            path=target.path or "/",
            query=target.query,
            headers=tuple((name, value) for name, value in self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            server_port=self.server.port,
        )
        self._write(self.server.dispatch(request))

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # `GET /` alone: no HTTP version API Gateway speaks
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        if len(self.requestline) > MAX_REQUEST_LINE:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server refuses what it cannot parse (request line, header lines): answer in API
        Gateway's shape, a JSON message and a 4xx (a version it cannot speak is the client's error
        too), then close the connection, whose next bytes cannot be trusted."""
        status = code if 400 <= code < 500 else HTTPStatus.BAD_REQUEST
        text = _REFUSALS.get(HTTPStatus(status), "Bad Request")
        self.close_connection = True
        if self.request_version in ("", "HTTP/0.9"):  # unreadable version: answer in HTTP/1.1 anyway
            self.request_version = self.protocol_version
        body = json.dumps({"message": text}, separators=(",", ":"))
        response = gateway_error(status, body)
        response.headers.append(("Connection", "close"))
        self.send_response_only(status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        """The request body, from Content-Length or chunked transfer coding (curl -T -, streams)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                line = self.rfile.readline(1024).split(b";", 1)[0].strip()
                try:
                    length = int(line, 16)
                except ValueError:
                    raise _BadRequest(400, b'{"message":"Bad Request"}') from None
                if length == 0:
                    while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                        pass
                    return b"".join(chunks)
                size += length
                if size > MAX_BODY_BYTES:
                    raise _BadRequest(413, b'{"message":"Request Too Long"}')
                chunks.append(self.rfile.read(length))
                self.rfile.readline(1024)  # the CRLF after the chunk
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header else 0
        except ValueError:
            raise _BadRequest(400, b'{"message":"Bad Request"}') from None
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, b'{"message":"Request Too Long"}')
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, response: HttpResponse) -> None:
        self.send_response_only(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        """Every method (`do_GET`, but also TRACE, QUERY, ...) goes to the gateway, which answers
        unknown ones as API Gateway does, instead of http.server's HTML 501 page."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the function's own log lines are what a developer reads."""


class GatewayHttpServer(ConnectionTracking, ThreadingHTTPServer):
    """Binds `host:port` (0 = a free port); a taken port is a `PortInUseError`.
    `close_connections()` ends kept-alive connections (after `shutdown()`)."""

    daemon_threads = True
    allow_reuse_address = True  # allows a quick restart over TIME_WAIT, never a second listener

    def __init__(self, host: str, port: int, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(host, port) from None
            raise

    @property
    def port(self) -> int:
        return int(self.server_address[1])
