"""Requests the gateway cannot read get API Gateway's JSON and a 4xx, never http.server's HTML page.

API Gateway quotas (Developer Guide, "Quotas for configuring and running a REST API": "Length, in
characters, of the URL for a regional API: 10240"; "Total combined size of request line and header
values: 10240 bytes" for HTTP APIs) and "Amazon API Gateway quotas and important notes" ("the API
client receives a 414 Request URI too long response"). Its own errors are JSON `{"message": ...}`.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.apigw.server import MAX_REQUEST_LINE, GatewayHttpServer


@pytest.fixture(scope="module")
def server() -> Iterator[GatewayHttpServer]:
    def dispatch(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, [("Content-Type", "application/json")], b'{"ok":true}')

    gateway = GatewayHttpServer("127.0.0.1", 0, dispatch)
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    yield gateway
    gateway.shutdown()
    gateway.server_close()
    gateway.close_connections()
    thread.join(5)


def _exchange(server: GatewayHttpServer, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"GET /Prod/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "Request URI too long"),
        (
            b"GET /Prod/" + b"a" * MAX_REQUEST_LINE + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            414,
            "Request URI too long",
        ),
        (b"GET /Prod/a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Bad Request"),
        (b"GET /Prod/a HTTP/9.1\r\nHost: x\r\n\r\n", 400, "Bad Request"),
        (b"GET /Prod/a\r\nHost: x\r\n\r\n", 400, "Bad Request"),
        (
            b"GET /Prod/a HTTP/1.1\r\nX-Long: " + b"v" * 70_000 + b"\r\n\r\n",
            431,
            "Request Header Fields Too Large",
        ),
        (
            b"GET /Prod/a HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 120 + b"\r\n",
            431,
            "Request Header Fields Too Large",
        ),
    ],
    ids=[
        "100-KB-path",
        "path-over-the-limit",
        "raw-space",
        "bad-version",
        "http-0.9",
        "long-header",
        "many-headers",
    ],
)
def test_unreadable_requests_get_json_errors(server, raw: bytes, status: int, message: str) -> None:
    code, headers, body = _exchange(server, raw)
    assert code == status
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"message": message}
    assert int(headers["content-length"]) == len(body)


def test_a_request_line_at_the_limit_is_served(server) -> None:
    path = b"/Prod/" + b"a" * (MAX_REQUEST_LINE - len(b"GET /Prod/ HTTP/1.1"))
    raw = b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    code, _, body = _exchange(server, raw)
    assert code == 200 and json.loads(body) == {"ok": True}
