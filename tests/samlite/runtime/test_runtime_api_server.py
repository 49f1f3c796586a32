"""The Runtime API endpoint, spoken to directly with http.client as a runtime would."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest

from samlite.runtime.api_server import RuntimeApiServer, WorkerChannel
from samlite.runtime.invocation import ERROR, INIT_ERROR, RESPONSE, Invocation


@pytest.fixture
def server() -> Iterator[RuntimeApiServer]:
    api = RuntimeApiServer(WorkerChannel())
    api.start()
    yield api
    api.stop()


def request(server: RuntimeApiServer, method: str, path: str, body: bytes = b"", headers=None):
    connection = http.client.HTTPConnection(server.address, timeout=5)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def make_invocation(**changes) -> Invocation:
    values = {
        "request_id": "req-1",
        "event": b'{"a": 1}',
        "function_arn": "arn:aws:lambda:us-east-1:1:function:f",
        "timeout_s": 3.0,
        "client_context": '{"custom": {}}',
    }
    values.update(changes)
    return Invocation(**values)


def test_next_hands_over_the_event_with_lambdas_headers(server: RuntimeApiServer) -> None:
    invocation = make_invocation()
    server.channel.submit(invocation)
    response, body = request(server, "GET", "/2018-06-01/runtime/invocation/next")
    assert response.status == 200 and body == b'{"a": 1}'
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
    assert response.headers["Lambda-Runtime-Invoked-Function-Arn"] == invocation.function_arn
    assert response.headers["Lambda-Runtime-Client-Context"] == '{"custom": {}}'
    assert response.headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    assert int(response.headers["Lambda-Runtime-Deadline-Ms"]) == invocation.deadline_ms
    assert server.channel.ready_ns is not None and invocation.delivered_ns is not None


def test_response_completes_the_invocation_once(server: RuntimeApiServer) -> None:
    invocation = make_invocation()
    server.channel.submit(invocation)
    request(server, "GET", "/2018-06-01/runtime/invocation/next")
    response, _ = request(server, "POST", "/2018-06-01/runtime/invocation/req-1/response", b'"ok"')
    assert response.status == 202
    assert invocation.done.is_set() and invocation.outcome == RESPONSE and invocation.body == b'"ok"'
    again, body = request(server, "POST", "/2018-06-01/runtime/invocation/req-1/response", b'"twice"')
    assert again.status == 400 and json.loads(body)["errorType"] == "InvalidRequestID"
    assert invocation.body == b'"ok"'


def test_error_and_init_error_carry_the_error_type(server: RuntimeApiServer) -> None:
    invocation = make_invocation()
    server.channel.submit(invocation)
    request(server, "GET", "/2018-06-01/runtime/invocation/next")
    document = json.dumps({"errorMessage": "boom", "errorType": "KeyError"}).encode()
    response, _ = request(
        server,
        "POST",
        "/2018-06-01/runtime/invocation/req-1/error",
        document,
        {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
    )
    assert response.status == 202 and invocation.outcome == ERROR and invocation.error_type == "KeyError"

    pending = make_invocation(request_id="req-2")
    server.channel.submit(pending)
    init_document = json.dumps({"errorMessage": "x", "errorType": "Runtime.ImportModuleError"}).encode()
    response, _ = request(server, "POST", "/2018-06-01/runtime/init/error", init_document)
    assert response.status == 202
    assert pending.outcome == INIT_ERROR and pending.error_type == "Runtime.ImportModuleError"


def test_unknown_paths_are_404(server: RuntimeApiServer) -> None:
    assert request(server, "GET", "/2018-06-01/runtime/other")[0].status == 404
    assert request(server, "POST", "/2018-06-01/runtime/invocation/req-1/other", b"{}")[0].status == 404


def test_next_blocks_until_an_event_arrives_and_is_released_on_stop() -> None:
    api = RuntimeApiServer(WorkerChannel())
    api.start()
    statuses: list[int] = []
    waiting = threading.Thread(
        target=lambda: statuses.append(request(api, "GET", "/2018-06-01/runtime/invocation/next")[0].status)
    )
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive() and not statuses
    api.stop()
    waiting.join(timeout=5)
    assert statuses == [410]
