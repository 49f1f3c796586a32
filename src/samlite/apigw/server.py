"""The HTTP side of the gateway: a threaded HTTP/1.1 server handing each request to `dispatch`.

One thread per connection (ThreadingHTTPServer), so concurrent requests reach the runtime at the
same time and its worker pool runs them in parallel; keep-alive is on, so a client reusing its
connection pays no connect per request. The server knows nothing of APIs: it converts bytes to an
`HttpRequest` and an `HttpResponse` back to bytes.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.errors import PortInUseError
from samlite.http_connections import ConnectionTracking

Dispatch = Callable[[HttpRequest], HttpResponse]
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit (10 MB)


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
