"""A threaded WSGI server that keeps HTTP/1.1 connections alive, for the embedded AWS endpoint.

moto's stock server (werkzeug's development server) answers every request with `Connection: close`,
so boto3 opens a new TCP connection per call. Keeping connections open roughly halves the cost of a
small call. werkzeug closes them because Python's http.server cannot skip a request body the
application left unread; samlite's middleware always reads the whole body before anything else
(`EndpointMiddleware`) and answers with one length-framed body, so the next request line is always
where the parser expects it.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import logging
import socket
import sys
import threading
import time
from functools import lru_cache
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from samlite.errors import EndpointError
from samlite.http_connections import ConnectionTracking

log = logging.getLogger(__name__)

# Bodies up to this size leave in the same write as the headers (copied once); larger ones apart.
_ONE_WRITE_LIMIT = 256 * 1024


@lru_cache(maxsize=2)
def _date_of_second(second: int) -> str:
    return email.utils.formatdate(second, usegmt=True)


def _http_date() -> str:
    """The Date header's value, as http.server writes it, formatted once per second."""
    return _date_of_second(int(time.time()))


@lru_cache(maxsize=1)
def request_handler_class() -> type:
    """The endpoint's request handler class, built on first use: it extends moto's, and importing
    moto costs about half a second that `import samlite...` should not."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class KeepAliveRequestHandler(MotoRequestHandler):
        """moto's request handler (it keeps underscores in S3 metadata header names), with keep-alive.

        werkzeug's `run_wsgi` ends every response with `Connection: close` and then drains the socket for
        10 ms; this one writes the application's single, length-framed response and leaves the connection
        open for the next request (http.server's loop closes it when the client asks to).
        """

        protocol_version = "HTTP/1.1"
        _response_started = False  # the status line of the current request's response is written

        def setup(self) -> None:
            super().setup()
            # A response larger than one write (and "100 Continue" before a body) leaves in several
            # writes; with Nagle's algorithm on a kept-alive connection a second one waits for the
            # client's delayed ACK (~40 ms per call).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def handle(self) -> None:
            """werkzeug's loop (a dropped connection ends it quietly). Anything else that escapes answers
            500 when no response was started, then goes on to the server's `handle_error`, which logs it."""
            try:
                super().handle()
            except Exception:
                if not self._response_started:
                    with contextlib.suppress(OSError):
                        self._internal_error()
                raise

        def send_response(self, code: int, message: str | None = None) -> None:
            self._response_started = True
            super().send_response(code, message)

        def run_wsgi(self) -> None:
            self._response_started = False
            environ = self.make_environ()
            self.environ = environ
            started: list[Any] = []

            def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                started[:] = [status, headers]
                return self.wfile.write

            try:
                chunks = self.server.app(environ, start_response)
                try:
                    body = b"".join(chunks)
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
            except Exception:
                log.exception("the embedded AWS failed on %s %s", self.command, self.path)
                self._internal_error()
                return
            status, headers = started
            self._write_response(status, headers, body)

        def _write_response(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
            """Status line, headers and body in one write: each write to a kept-alive loopback
            connection costs a system call and a wake-up of the client (http.server writes the
            headers and the body apart). The headers are the ones `send_response` and
            `send_header` write, Server and Date included, and `Connection: close` still closes."""
            code, _, reason = status.partition(" ")
            status_code = int(code)
            self._response_started = True
            lines = [
                f"{self.protocol_version} {status_code} {reason}\r\n",
                f"Server: {self.version_string()}\r\nDate: {_http_date()}\r\n",
            ]
            has_length = False
            for name, value in headers:
                lowered = name.lower()
                has_length = has_length or lowered == "content-length"
                if lowered == "connection" and value.lower() in ("close", "keep-alive"):
                    self.close_connection = value.lower() == "close"
                lines.append(f"{name}: {value}\r\n")
            bodiless = self.command == "HEAD" or status_code in (204, 304) or status_code < 200
            if not has_length and not bodiless:
                lines.append(f"Content-Length: {len(body)}\r\n")
            lines.append("\r\n")
            head = "".join(lines).encode("latin-1", "strict")
            if not body or bodiless:
                self.wfile.write(head)
            elif len(body) <= _ONE_WRITE_LIMIT:
                self.wfile.write(head + body)
            else:  # a large body is not copied only to save one system call
                self.wfile.write(head)
                self.wfile.write(body)
            self.wfile.flush()

        def _internal_error(self) -> None:
            """Answer 500 and close the connection (what follows on it cannot be trusted)."""
            self.close_connection = True
            self.send_response(500, "Internal Server Error")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "21")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"Internal Server Error")
            self.wfile.flush()

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Silence werkzeug's per-request access log line: it costs time and floods the terminal."""

    return KeepAliveRequestHandler


class QuietThreadedServer(ConnectionTracking, ThreadedWSGIServer):
    """werkzeug's threaded server; worker threads are daemons so a hung client never blocks exit.
    `close_connections()` ends kept-alive connections, so a stopped endpoint answers nothing more."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Called by socketserver with an exception that escaped the request handler."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client dropping its keep-alive connection is normal, not worth a traceback
        log.exception("the embedded AWS failed serving a connection from %s", client_address)


def make_endpoint_server(host: str, port: int, app: Any) -> QuietThreadedServer:
    """Bind `app` on host:port (0 picks a free port); a port in use gives a one-line EndpointError.

    The socket is bound here, not by werkzeug, because werkzeug prints to stderr and calls sys.exit
    when the port is taken.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise EndpointError(f"cannot resolve host {host!r}: {error.strerror}") from error
    family, _, _, _, address = infos[0]
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(QuietThreadedServer.request_queue_size)
        return QuietThreadedServer(host, port, app, handler=request_handler_class(), fd=listener.fileno())
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise EndpointError(
                f"port {port} on {host} is already in use: stop what uses it or choose another --port"
            ) from error
        raise EndpointError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    finally:
        listener.close()  # werkzeug works on its own duplicate of the descriptor


class ServerThread:
    """Runs a server's accept loop in a daemon thread; stop() shuts it down and closes the socket."""

    def __init__(self, server: QuietThreadedServer) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.serve_forever, name="samlite-endpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()
        self._thread.join(timeout=5)
