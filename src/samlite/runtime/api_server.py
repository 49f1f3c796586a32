"""The Lambda Runtime API (2018-06-01) served to one worker process.

Each worker gets its own listening socket on 127.0.0.1 rather than a path prefix on a shared one:
awslambdaric's C client would accept a prefix in `AWS_LAMBDA_RUNTIME_API`, but its Python part posts
`/init/error` through `http.client.HTTPConnection(AWS_LAMBDA_RUNTIME_API)`, which only takes
`host:port`. A socket per worker also makes "whose `/next` is this" a non-question.

Routes, as documented in "Using the Lambda runtime API for custom runtimes":
  GET  /2018-06-01/runtime/invocation/next                 -> 200, the event, Lambda-Runtime-* headers
  POST /2018-06-01/runtime/invocation/{RequestId}/response -> 202
  POST /2018-06-01/runtime/invocation/{RequestId}/error    -> 202
  POST /2018-06-01/runtime/init/error                      -> 202
"""

from __future__ import annotations

import json
import queue
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http import HTTPStatus

from samlite.runtime.invocation import ERROR, INIT_ERROR, RESPONSE, Invocation

PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{PREFIX}/invocation/next"
INIT_ERROR_PATH = f"{PREFIX}/init/error"
INVOCATION_PREFIX = f"{PREFIX}/invocation/"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# Lambda's synchronous response limit (6 MB): a bigger response fails the invocation.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


class WorkerChannel:
    """What one worker's Runtime API serves: the queue of its invocations and its init state.

    `ready_ns` is set on the first `/next`: that is when Lambda considers the init phase over.
    """

    def __init__(self, on_deliver: Callable[[Invocation], None] | None = None) -> None:
        self._on_deliver = on_deliver
        self._queue: queue.SimpleQueue[Invocation | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._current: Invocation | None = None
        self.ready_ns: int | None = None
        self.init_error: bytes | None = None
        self.init_error_type: str | None = None
        self.closed = False

    def submit(self, invocation: Invocation) -> None:
        invocation.handed_ns = time.monotonic_ns()
        with self._lock:
            self._current = invocation
        self._queue.put(invocation)

    def take(self) -> Invocation | None:
        """Block until the next invocation (None once the channel is closed)."""
        if self.ready_ns is None:
            self.ready_ns = time.monotonic_ns()
        if self.closed:
            return None
        invocation = self._queue.get()
        if invocation is None:
            return None
        invocation.deliver()
        if self._on_deliver is not None:
            self._on_deliver(invocation)
        return invocation

    def current(self) -> Invocation | None:
        with self._lock:
            return self._current

    def complete(self, request_id: str, outcome: str, body: bytes, error_type: str | None) -> bool:
        with self._lock:
            invocation = self._current
            if invocation is None or invocation.request_id != request_id or invocation.done.is_set():
                return False
            self._current = None
        invocation.finish(outcome, body, error_type)
        return True

    def fail_init(self, body: bytes, error_type: str | None) -> None:
        self.init_error, self.init_error_type = body, error_type
        with self._lock:
            invocation, self._current = self._current, None
        if invocation is not None:
            invocation.finish(INIT_ERROR, body, error_type)

    def close(self) -> None:
        self.closed = True
        self._queue.put(None)


class _Handler(socketserver.StreamRequestHandler):
    """A minimal HTTP/1.1 keep-alive handler for the Runtime API's three request shapes.

    `http.server.BaseHTTPRequestHandler` parses headers with the `email` package, which costs more
    than the rest of a warm invocation; the runtime client sends a handful of plain headers, so a
    small parser does. Headers are looked up lower-cased.
    """

    server: RuntimeApiServer
    command: str
    path: str
    headers: dict[str, str]
    close_connection: bool

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in one write, and without Nagle's delay: otherwise the client's
        # delayed ACK adds ~40 ms to every request on Linux.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        self.close_connection = False
        while not self.close_connection:
            try:
                if not self._read_request():
                    return
                if self.command == "GET":
                    self.do_GET()
                elif self.command == "POST":
                    self.do_POST()
                else:
                    self._reply(HTTPStatus.METHOD_NOT_ALLOWED, {"errorMessage": f"method {self.command}"})
            except (OSError, ValueError):
                return

    def _read_request(self) -> bool:
        line = self.rfile.readline(65537)
        while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
            line = self.rfile.readline(65537)
        if not line:
            return False
        parts = line.decode("latin-1").split()
        if len(parts) != 3:
            raise ValueError(f"malformed request line {line!r}")
        self.command, self.path, version = parts
        headers: dict[str, str] = {}
        while True:
            header = self.rfile.readline(65537)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers
        if version == "HTTP/1.0" or headers.get("connection", "").lower() == "close":
            self.close_connection = True
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def do_GET(self) -> None:
        if self.path != NEXT_PATH:
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"unknown path {self.path}"})
            return
        invocation = self.server.channel.take()
        if invocation is None:
            self._reply(HTTPStatus.GONE, {"errorMessage": "worker is shutting down"}, close=True)
            return
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        self._send(HTTPStatus.OK, invocation.event, headers)

    def do_POST(self) -> None:
        body = self._read_body()
        channel = self.server.channel
        if self.path == INIT_ERROR_PATH:
            channel.fail_init(body, self.headers.get(ERROR_TYPE_HEADER.lower()) or _error_type_of(body))
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
            return
        if not self.path.startswith(INVOCATION_PREFIX):
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"unknown path {self.path}"})
            return
        request_id, _, action = self.path[len(INVOCATION_PREFIX) :].partition("/")
        if action == "response":
            if len(body) > MAX_RESPONSE_BYTES:
                message = (
                    f"Response payload size ({len(body)} bytes) exceeded maximum allowed payload size"
                    f" ({MAX_RESPONSE_BYTES} bytes)."
                )
                error = {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
                channel.complete(request_id, ERROR, json.dumps(error).encode(), error["errorType"])
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, error)
                return
            accepted = channel.complete(request_id, RESPONSE, body, None)
        elif action == "error":
            error_type = _error_type_of(body) or self.headers.get(ERROR_TYPE_HEADER.lower()) or "Unhandled"
            accepted = channel.complete(request_id, ERROR, body, error_type)
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"unknown path {self.path}"})
            return
        if accepted:
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
        else:
            self._reply(
                HTTPStatus.BAD_REQUEST,
                {"errorMessage": f"Invalid request ID {request_id}", "errorType": "InvalidRequestID"},
            )

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: HTTPStatus, document: dict[str, str], *, close: bool = False) -> None:
        headers = {"Content-Type": "application/json"}
        if close:
            headers["Connection"] = "close"
            self.close_connection = True
        self._send(status, json.dumps(document).encode(), headers)

    def _send(self, status: HTTPStatus, body: bytes, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status.value} {status.phrase}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.wfile.write(head + body)
        except OSError:  # the worker went away (killed, timed out): nothing to answer to
            self.close_connection = True


def _error_type_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    value = document.get("errorType") if isinstance(document, dict) else None
    return value if isinstance(value, str) and value else None


class RuntimeApiServer(socketserver.ThreadingTCPServer):
    """A Runtime API endpoint for one worker, on 127.0.0.1 and a free port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, channel: WorkerChannel) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.channel = channel
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="samlite-runtime-api", daemon=True
        )

    def handle_error(self, request: object, client_address: object) -> None:
        """A worker killed mid-request is normal here (timeouts, recycling): no traceback on stderr."""

    @property
    def address(self) -> str:
        """The value of `AWS_LAMBDA_RUNTIME_API` for the worker: `host:port`."""
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.channel.close()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
