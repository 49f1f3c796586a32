"""The endpoint's HTTP server on tiny WSGI apps (no moto): what it answers and logs when a request fails."""

from __future__ import annotations

import http.client
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from samlite.endpoint.http_server import ServerThread, make_endpoint_server

App = Callable[[dict[str, Any], Callable[..., Any]], Any]


@pytest.fixture
def serve() -> Iterator[Callable[[App], ServerThread]]:
    started: list[ServerThread] = []

    def start(app: App) -> ServerThread:
        thread = ServerThread(make_endpoint_server("127.0.0.1", 0, app))
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.stop()


def test_an_app_that_never_starts_a_response_gets_a_logged_500(serve, caplog) -> None:
    thread = serve(lambda environ, start_response: [b"no status given"])
    with (
        caplog.at_level(logging.ERROR, logger="samlite.endpoint.http_server"),
        socket.create_connection(("127.0.0.1", thread.server.port), timeout=10) as client,
    ):
        client.sendall(b"GET /bucket/key HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b""
        while chunk := client.recv(4096):  # the server logs, then closes: end-of-file comes after
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 500 "), f"the client must get a 500, not a reset: {answer!r}"
    assert answer.endswith(b"\r\n\r\nInternal Server Error")
    [record] = [r for r in caplog.records if r.name == "samlite.endpoint.http_server"]
    assert record.exc_info is not None, "the failure must be logged with its traceback"
    assert "127.0.0.1" in record.getMessage()


def test_a_client_dropping_its_connection_is_not_logged(serve, caplog) -> None:
    thread = serve(lambda environ, start_response: [])
    for error in (BrokenPipeError(), ConnectionResetError()):
        try:
            raise error
        except OSError:
            with caplog.at_level(logging.DEBUG, logger="samlite.endpoint.http_server"):
                thread.server.handle_error(None, ("127.0.0.1", 1))
    assert not caplog.records


def test_a_failure_outside_the_app_is_logged_with_its_traceback(serve, caplog) -> None:
    thread = serve(lambda environ, start_response: [])
    try:
        raise RuntimeError("handler setup failed")
    except RuntimeError:
        with caplog.at_level(logging.ERROR, logger="samlite.endpoint.http_server"):
            thread.server.handle_error(None, ("127.0.0.1", 1))
    [record] = caplog.records
    assert record.exc_info is not None and "handler setup failed" in str(record.exc_info[1])


def test_stop_closes_kept_alive_connections(serve) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    thread = serve(app)
    connection = http.client.HTTPConnection("127.0.0.1", thread.server.port, timeout=10)
    connection.request("GET", "/")
    assert connection.getresponse().read() == b"ok"
    thread.stop()
    assert connection.sock is not None, "the connection must have been kept alive"
    assert connection.sock.recv(1) == b"", "stop() must close kept-alive connections"
