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
import errno
import logging
import socket
import sys
import threading
from functools import lru_cache
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from samlite.errors import EndpointError
from samlite.http_connections import ConnectionTracking

log = logging.getLogger(__name__)


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
            # Headers and body leave in two writes; with Nagle's algorithm on a kept-alive connection the
            # second waits for the client's delayed ACK (~40 ms per call).
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
            code, _, reason = status.partition(" ")
            self.send_response(int(code), reason)
            has_length = False
            for name, value in headers:
                has_length = has_length or name.lower() == "content-length"
                self.send_header(name, value)
            bodiless = self.command == "HEAD" or int(code) in (204, 304) or int(code) < 200
            if not has_length and not bodiless:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and not bodiless:
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
