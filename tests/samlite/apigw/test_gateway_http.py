"""The gateway over real HTTP, in front of a real LambdaRuntime running the echo fixture function."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from samlite.apigw import LocalApiGateway, PortInUseError
from samlite.runtime import LambdaRuntime
from samlite.template import Stack

PNG = b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01"  # what the fixture's binary mode returns


@pytest.fixture(scope="module")
def rest_url(gateway: LocalApiGateway) -> str:
    return gateway.urls["ServerlessRestApi"]


@pytest.fixture(scope="module")
def http_url(gateway: LocalApiGateway) -> str:
    return gateway.urls["HttpApi"]


@pytest.fixture(scope="module")
def key(gateway: LocalApiGateway) -> dict[str, str]:
    return {"x-api-key": gateway.api_keys["ServerlessRestApiLocalApiKey"]}


def _event(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()["event"]


# -- REST API (payload 1.0) -------------------------------------------------------------------------


def test_rest_event_shape(rest_url: str, key: dict[str, str], gateway: LocalApiGateway) -> None:
    response = requests.get(
        f"{rest_url}/items/42?tag=a&tag=b&single=x",
        headers={**key, "X-Multi": "1"},
        timeout=30,
    )
    event = _event(response)
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42"
    assert event["httpMethod"] == "GET" and event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "b", "single": "x"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "single": ["x"]}
    assert event["headers"]["X-Multi"] == "1" and event["multiValueHeaders"]["X-Multi"] == ["1"]
    assert "Connection" not in event["headers"]  # hop-by-hop headers stop at the gateway
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Forwarded-Port"] == str(gateway.port)
    assert event["body"] is None and event["isBase64Encoded"] is False and event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "Prod" and context["path"] == "/Prod/items/42"
    assert context["resourcePath"] == "/items/{id}"
    assert context["apiId"] == gateway_api_id(gateway, "ServerlessRestApi")
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["apiKey"] == key["x-api-key"]
    assert context["identity"]["apiKeyId"] == gateway.key_ring.keys["ServerlessRestApiLocalApiKey"].key_id
    # API Gateway's response headers carry the event's ids.
    assert response.headers["x-amzn-RequestId"] == context["requestId"]
    assert response.headers["x-amz-apigw-id"] == context["extendedRequestId"]
    assert response.headers["X-Echo"] == "yes"


def test_rest_repeated_headers_are_multi_value(rest_url: str, key: dict[str, str]) -> None:
    # requests cannot send a header twice; http.client can.
    import http.client
    from urllib.parse import urlsplit

    target = urlsplit(rest_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.putrequest("GET", f"{target.path}/items/7")
        connection.putheader("x-api-key", key["x-api-key"])
        connection.putheader("X-Dup", "first")
        connection.putheader("X-Dup", "second")
        connection.endheaders()
        reply = connection.getresponse()
        event = json.loads(reply.read())["event"]
    finally:
        connection.close()
    assert event["headers"]["X-Dup"] == "second"
    assert event["multiValueHeaders"]["X-Dup"] == ["first", "second"]


def test_request_ids_and_times_are_fresh_per_request(rest_url: str, key: dict[str, str]) -> None:
    contexts = [
        _event(requests.get(f"{rest_url}/items/1", headers=key, timeout=30))["requestContext"] for _ in "ab"
    ]
    assert contexts[0]["requestId"] != contexts[1]["requestId"]
    assert contexts[0]["extendedRequestId"] != contexts[1]["extendedRequestId"]
    assert contexts[0]["requestTimeEpoch"] <= contexts[1]["requestTimeEpoch"]


def test_greedy_path_keeps_encoding_as_rest_apis_do(rest_url: str, key: dict[str, str]) -> None:
    event = _event(requests.delete(f"{rest_url}/files/dir/sub%20dir/caf%C3%A9.txt", headers=key, timeout=30))
    assert event["resource"] == "/files/{key+}" and event["httpMethod"] == "DELETE"
    assert event["pathParameters"] == {"key": "dir/sub%20dir/caf%C3%A9.txt"}
    assert event["path"] == "/files/dir/sub%20dir/caf%C3%A9.txt"


def test_rest_text_body_passes_as_text(rest_url: str) -> None:
    event = _event(requests.post(f"{rest_url}/open", json={"a": 1}, timeout=30))
    assert json.loads(event["body"]) == {"a": 1} and event["isBase64Encoded"] is False


def test_rest_binary_request_body_is_base64(rest_url: str) -> None:
    response = requests.post(f"{rest_url}/open", data=PNG, headers={"Content-Type": "image/png"}, timeout=30)
    event = _event(response)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == PNG


def test_rest_binary_response_decoded_when_accept_matches(rest_url: str) -> None:
    binary = requests.get(f"{rest_url}/open?mode=binary", headers={"Accept": "image/png"}, timeout=30)
    assert binary.status_code == 200 and binary.content == PNG
    assert binary.headers["Content-Type"] == "image/png"
    # Without a matching first Accept value, API Gateway returns the base64 text as is.
    text = requests.get(f"{rest_url}/open?mode=binary", headers={"Accept": "application/json"}, timeout=30)
    assert base64.b64decode(text.content) == PNG


def test_rest_multi_value_response_headers(rest_url: str) -> None:
    response = requests.get(f"{rest_url}/open?mode=cookies", timeout=30)
    assert response.status_code == 201
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
    assert response.raw.headers.getlist("X-Echo") == ["one", "two"]


def test_unknown_route_is_missing_authentication_token(rest_url: str, key: dict[str, str]) -> None:
    for response in (
        requests.get(f"{rest_url}/nowhere", timeout=30),
        requests.get(f"{rest_url}/items/special", headers=key, timeout=30),  # resource exists, method not
    ):
        assert response.status_code == 403
        assert response.text == '{"message":"Missing Authentication Token"}'
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert response.headers["x-amzn-RequestId"]


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "not-the-key"}])
def test_missing_or_wrong_api_key_is_forbidden(rest_url: str, headers: dict[str, str]) -> None:
    response = requests.get(f"{rest_url}/items/1", headers=headers, timeout=30)
    assert response.status_code == 403 and response.text == '{"message":"Forbidden"}'
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"


@pytest.mark.parametrize("mode", ["error", "malformed", "unknown-field", "plain"])
def test_function_error_or_malformed_response_is_502(
    rest_url: str, mode: str, gateway_logs: list[str]
) -> None:
    response = requests.get(f"{rest_url}/open?mode={mode}", timeout=30)
    assert response.status_code == 502
    assert response.text == '{"message": "Internal server error"}'
    assert any("/open -> EchoFunction" in line for line in gateway_logs[-2:])


def test_integration_timeout_is_504(rest_url: str) -> None:
    response = requests.get(f"{rest_url}/open?mode=sleep&seconds=5", timeout=30)
    assert response.status_code == 504
    assert response.text == '{"message": "Endpoint request timed out"}'


def test_rest_cors_preflight_answers_as_configured(rest_url: str) -> None:
    response = requests.options(
        f"{rest_url}/items/9",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert response.status_code == 200  # no API key needed for SAM's preflight method
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,X-Api-Key"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_concurrent_requests_run_in_parallel(rest_url: str, tmp_path: Path) -> None:
    # Each invocation waits until both are inside the function at once: served one after the other,
    # the first would give up (500 {"met": false}); served in parallel, both meet.
    results: list[requests.Response] = []
    url = f"{rest_url}/open?mode=barrier&parties=2&dir={tmp_path / 'barrier'}"
    threads = [
        threading.Thread(target=lambda: results.append(requests.get(url, timeout=60))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [(r.status_code, r.json()) for r in results] == [(200, {"met": True})] * 2


# -- HTTP API (payload 2.0) -------------------------------------------------------------------------


def test_http_api_event_shape(http_url: str, gateway: LocalApiGateway) -> None:
    response = requests.get(
        f"{http_url}/things/a%20b?x=1&x=2", headers={"Cookie": "c=1; d=2", "X-Two": "v"}, timeout=30
    )
    event = _event(response)
    assert event["version"] == "2.0" and event["routeKey"] == "GET /things/{id}"
    assert event["rawPath"] == "/things/a b" and event["rawQueryString"] == "x=1&x=2"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["cookies"] == ["c=1", "d=2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-two"] == "v"
    context = event["requestContext"]
    assert context["stage"] == "$default" and context["http"]["method"] == "GET"
    assert context["apiId"] == gateway_api_id(gateway, "HttpApi")
    assert response.headers["apigw-requestid"] == context["requestId"]


def gateway_api_id(gateway: LocalApiGateway, logical_id: str) -> str:
    return next(api.api_id for api in gateway.apis if api.logical_id == logical_id)


def test_http_api_binary_both_ways(http_url: str) -> None:
    event = _event(
        requests.post(
            f"{http_url}/any/upload",
            data=PNG,
            headers={"Content-Type": "application/octet-stream"},
            timeout=30,
        )
    )
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == PNG
    assert event["routeKey"] == "ANY /any/{proxy+}" and event["pathParameters"] == {"proxy": "upload"}
    response = requests.get(f"{http_url}/any/x?mode=binary", timeout=30)
    assert response.content == PNG  # HTTP APIs always decode isBase64Encoded responses


def test_http_api_cookies_and_plain_values(http_url: str) -> None:
    cookies = requests.get(f"{http_url}/any/c?mode=cookies", timeout=30)
    assert cookies.status_code == 201 and cookies.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
    plain = requests.get(f"{http_url}/any/p?mode=plain", timeout=30)
    assert plain.status_code == 200 and plain.json() == {"hello": "world"}
    assert plain.headers["Content-Type"] == "application/json"


def test_http_api_errors(http_url: str) -> None:
    missing = requests.get(f"{http_url}/nothing/here", timeout=30)
    assert missing.status_code == 404 and missing.text == '{"message":"Not Found"}'
    failed = requests.get(f"{http_url}/any/e?mode=error", timeout=30)
    assert failed.status_code == 500 and failed.text == '{"message":"Internal Server Error"}'


def test_http_api_cors(http_url: str) -> None:
    preflight = requests.options(
        f"{http_url}/things/1",
        headers={
            "Origin": "https://example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert preflight.headers["Access-Control-Max-Age"] == "300"
    denied = requests.options(
        f"{http_url}/things/1",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in denied.headers
    simple = requests.get(f"{http_url}/things/1", headers={"Origin": "https://example.com"}, timeout=30)
    assert simple.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert simple.headers["Access-Control-Expose-Headers"] == "x-echo"


# -- lifecycle ----------------------------------------------------------------------------------------


def test_port_in_use_is_a_clear_error(
    gateway: LocalApiGateway, gateway_stack: Stack, runtime: LambdaRuntime
) -> None:
    second = LocalApiGateway(gateway_stack, runtime.invoke, port=gateway.port)
    with pytest.raises(PortInUseError, match=rf"127\.0\.0\.1:{gateway.port}.*already in use"):
        second.start()
    second.stop()


def test_local_url_rewrites_deployed_outputs(gateway: LocalApiGateway, gateway_stack: Stack) -> None:
    assert gateway.local_url(gateway_stack.outputs["ApiUrl"]) == f"{gateway.urls['ServerlessRestApi']}/"
    assert gateway.local_url(gateway_stack.outputs["HttpApiUrl"]) == f"{gateway.endpoint}/"
    assert gateway.local_url("https://example.com/x") == "https://example.com/x"


def test_local_url_keeps_the_exact_shape_of_an_output(gateway: LocalApiGateway, gateway_stack: Stack) -> None:
    """`.../Prod` stays `.../Prod` (a client appending `/items` must not get `//items`), `.../Prod/`
    keeps its slash, an HTTP API's ApiEndpoint has none."""
    rest_api = gateway_stack.resources["ServerlessRestApi"].ref
    deployed = f"https://{rest_api}.execute-api.{gateway_stack.region}.amazonaws.com"
    local = gateway.urls["ServerlessRestApi"]
    assert gateway.local_url(f"{deployed}/Prod") == local
    assert gateway.local_url(f"{deployed}/Prod/") == f"{local}/"
    assert gateway.local_url(f"{deployed}/Prod/items/a") == f"{local}/items/a"
    http_api = gateway_stack.resources["HttpApi"].ref
    endpoint = f"https://{http_api}.execute-api.{gateway_stack.region}.amazonaws.com"
    assert gateway.local_url(endpoint) == gateway.endpoint
    assert gateway.local_url(f"{endpoint}/any/x") == f"{gateway.endpoint}/any/x"


def test_http_api_raw_query_string_is_as_sent(http_url: str) -> None:
    event = _event(requests.get(f"{http_url}/things/1?b=%20x&a=1+2&flag", timeout=30))
    assert event["rawQueryString"] == "b=%20x&a=1+2&flag"
    assert event["queryStringParameters"] == {"b": " x", "a": "1 2", "flag": ""}


def test_chunked_request_body_reaches_the_function(rest_url: str) -> None:
    def chunks():
        yield b'{"part": '
        yield b'"one"}'

    event = _event(requests.post(f"{rest_url}/open", data=chunks(), timeout=30))
    assert event["body"] == '{"part": "one"}'


def test_stop_frees_the_port_and_is_idempotent(gateway_stack: Stack, runtime: LambdaRuntime) -> None:
    first = LocalApiGateway(gateway_stack, runtime.invoke, port=0)
    first.start()
    port = first.port
    assert requests.get(f"{first.urls['HttpApi']}/nothing", timeout=30).status_code == 404
    first.stop()
    first.stop()
    with LocalApiGateway(gateway_stack, runtime.invoke, port=port) as second:
        assert second.port == port


def test_stop_closes_kept_alive_connections(gateway_stack: Stack, runtime: LambdaRuntime) -> None:
    gateway = LocalApiGateway(gateway_stack, runtime.invoke, port=0)
    gateway.start()
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    try:
        connection.request("GET", "/nothing")
        assert connection.getresponse().read() == b'{"message":"Not Found"}'
        assert connection.sock is not None, "the connection must have been kept alive"
        gateway.stop()
        try:
            assert connection.sock.recv(1) == b"", "a stopped gateway must end its kept-alive connections"
        except TimeoutError:
            pytest.fail("stop() left a kept-alive connection open (its handler thread still serves it)")
    finally:
        connection.close()
        gateway.stop()


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_other_methods_get_api_gateways_answer_not_a_501_page(
    rest_url: str, http_url: str, key: dict[str, str], method: str
) -> None:
    # ANY stands for the seven usual methods only: TRACE on an ANY route is still an unknown route.
    rest = requests.request(method, f"{rest_url}/files/a", headers=key, timeout=30)
    assert rest.status_code == 403 and rest.text == '{"message":"Missing Authentication Token"}'
    http = requests.request(method, f"{http_url}/any/a", timeout=30)
    assert http.status_code == 404 and http.text == '{"message":"Not Found"}'
