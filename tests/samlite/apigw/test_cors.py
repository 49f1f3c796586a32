"""CORS as API Gateway does it, per API type, on the gateway fixture (fixtures/gateway).

REST APIs: SAM's `Cors` becomes an OPTIONS MOCK integration ("Enabling CORS for a REST API resource",
mock integrations): 200 with the configured values, preflight or not; other responses carry only
what the function returns. HTTP APIs ("Configuring CORS for an HTTP API"): API Gateway answers
preflights no route takes with 204, adds the configured headers to integration responses and
ignores the backend's own CORS headers; header names are lower case.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import requests

from samlite.apigw import LocalApiGateway

ORIGIN = "https://example.com"


def _raw(url: str, method: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, header pairs with their names as sent (requests folds their case) and the body."""
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request(
            method, target.path + (f"?{target.query}" if target.query else ""), headers=headers
        )
        reply = connection.getresponse()
        return reply.status, reply.getheaders(), reply.read()
    finally:
        connection.close()


def test_rest_preflight_is_the_generated_mock(gateway: LocalApiGateway) -> None:
    url = gateway.urls["ServerlessRestApi"] + "/open"
    status, headers, body = _raw(url, "OPTIONS", {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    names = dict(headers)
    assert status == 200 and body == b"{}\n"  # the mock's response template, as written by SAM
    assert names["Access-Control-Allow-Origin"] == ORIGIN
    assert names["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert names["Access-Control-Allow-Headers"] == "Content-Type,X-Api-Key"
    assert names["Access-Control-Max-Age"] == "600" and names["Content-Type"] == "application/json"


def test_rest_options_without_a_request_method_gets_the_same_answer(gateway: LocalApiGateway) -> None:
    """A REST API has no CORS logic: the OPTIONS method answers whatever the request looks like."""
    response = requests.options(gateway.urls["ServerlessRestApi"] + "/open", timeout=30)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_rest_responses_carry_only_the_functions_headers(gateway: LocalApiGateway) -> None:
    """ "For a Lambda or HTTP proxy integration, your backend is responsible for returning" the CORS
    headers: API Gateway adds none to a REST proxy response."""
    response = requests.get(
        gateway.urls["ServerlessRestApi"] + "/open", headers={"Origin": ORIGIN}, timeout=30
    )
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


def test_http_preflight_is_answered_by_api_gateway(gateway: LocalApiGateway) -> None:
    url = gateway.urls["HttpApi"] + "/things/1"
    status, headers, body = _raw(
        url,
        "OPTIONS",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    names = dict(headers)
    assert status == 204 and body == b""
    assert names["access-control-allow-origin"] == ORIGIN and names["vary"] == "origin"
    assert names["access-control-allow-methods"] == "GET,POST"
    assert names["access-control-allow-headers"] == "content-type"
    assert names["access-control-max-age"] == "300"
    assert "apigw-requestid" in names


def test_http_preflight_asking_for_more_gets_no_cors_headers(gateway: LocalApiGateway) -> None:
    url = gateway.urls["HttpApi"] + "/things/1"
    for headers in (
        {"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"},
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-secret",
        },
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    ):
        response = requests.options(url, headers=headers, timeout=30)
        assert response.status_code == 204 and "access-control-allow-origin" not in response.headers


def test_http_options_without_a_request_method_is_routed(gateway: LocalApiGateway) -> None:
    """No Access-Control-Request-Method: not a preflight; no route takes OPTIONS /things/1."""
    response = requests.options(gateway.urls["HttpApi"] + "/things/1", headers={"Origin": ORIGIN}, timeout=30)
    assert response.status_code == 404 and response.json() == {"message": "Not Found"}
    assert "access-control-allow-origin" not in response.headers  # API Gateway's own answer


def test_http_preflight_a_route_takes_goes_to_its_integration(gateway: LocalApiGateway) -> None:
    """An ANY route matches OPTIONS: the preflight reaches the function (what makes an authorizer on
    `ANY /{proxy+}` refuse preflights on AWS), and the configured CORS headers are added."""
    response = requests.options(
        gateway.urls["HttpApi"] + "/any/x",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["event"]["requestContext"]["http"]["method"] == "OPTIONS"
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_http_api_ignores_the_backends_cors_headers(gateway: LocalApiGateway) -> None:
    """ "If you configure CORS for an API, API Gateway ignores CORS headers returned from your backend"."""
    url = gateway.urls["HttpApi"] + "/any/x?mode=own-cors"
    allowed = requests.get(url, headers={"Origin": ORIGIN}, timeout=30)
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert allowed.headers["access-control-expose-headers"] == "x-echo"
    foreign = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=30)
    assert "access-control-allow-origin" not in foreign.headers and foreign.headers["X-Echo"] == "cors"
