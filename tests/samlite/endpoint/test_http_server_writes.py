"""The endpoint's HTTP server writes each response (status line, headers, body) in one write, with the
headers http.server writes (Server, Date), and still honours an application's `Connection: close`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from samlite.endpoint.http_server import ServerThread, make_endpoint_server


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    headers = [("Content-Type", "text/plain")]
    if environ["PATH_INFO"] == "/close":
        headers.append(("Connection", "close"))
    start_response("200 OK", headers)
    return [b"" if environ["REQUEST_METHOD"] == "HEAD" else b"hello"]


@pytest.fixture
def server() -> Iterator[ServerThread]:
    thread = ServerThread(make_endpoint_server("127.0.0.1", 0, _app))
    thread.start()
    yield thread
    thread.stop()


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    return answer


def test_one_response_has_the_status_headers_and_body(server: ServerThread) -> None:
    answer = _exchange(server.server.port, b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    names = [line.split(b":", 1)[0].lower() for line in lines[1:]]
    assert names[:2] == [b"server", b"date"]
    assert b"content-length: 5" in [line.lower() for line in lines]
    assert body == b"hello"


def test_kept_alive_requests_follow_each_other_and_connection_close_ends_them(server: ServerThread) -> None:
    answer = _exchange(
        server.server.port,
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    assert answer.count(b"HTTP/1.1 200 OK") == 3  # the server closed after the third: recv saw the end
    assert answer.count(b"hello") == 2  # no body for HEAD
