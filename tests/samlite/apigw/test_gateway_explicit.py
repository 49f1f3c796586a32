"""Explicit APIs over HTTP: a named stage with variables, a usage-plan key, an HTTP API at 1.0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from samlite.apigw import LocalApiGateway
from samlite.runtime import LambdaRuntime
from samlite.template import Stack


@pytest.fixture(scope="module")
def explicit_gateway(explicit_stack: Stack, runtime: LambdaRuntime) -> Iterator[LocalApiGateway]:
    with LocalApiGateway(explicit_stack, runtime.invoke, port=0) as gateway:
        yield gateway


def test_urls_mount_each_api_under_its_stage(explicit_gateway: LocalApiGateway) -> None:
    urls = explicit_gateway.urls
    endpoint = explicit_gateway.endpoint
    assert urls["Api"] == f"{endpoint}/v1"
    # Two HTTP APIs share the `$default` stage: each is told apart by its id.
    ids = {api.logical_id: api.api_id for api in explicit_gateway.apis}
    assert urls["HttpApi"] == f"{endpoint}/{ids['HttpApi']}"
    assert urls["ServerlessHttpApi"] == f"{endpoint}/{ids['ServerlessHttpApi']}"


def test_usage_plan_key_opens_the_api_and_stage_variables_reach_the_event(
    explicit_gateway: LocalApiGateway, explicit_stack: Stack
) -> None:
    url = f"{explicit_gateway.urls['Api']}/items/3"
    assert requests.get(url, timeout=30).status_code == 403
    response = requests.get(url, headers={"x-api-key": explicit_gateway.api_keys["ApiApiKey"]}, timeout=30)
    assert response.status_code == 200, response.text
    event = response.json()["event"]
    assert event["stageVariables"] == {"color": "blue"}
    assert event["requestContext"]["stage"] == "v1" and event["requestContext"]["path"] == "/v1/items/3"
    assert event["requestContext"]["identity"]["apiKeyId"] == explicit_stack.resources["ApiApiKey"].ref


def test_http_api_route_with_payload_format_1_0(explicit_gateway: LocalApiGateway) -> None:
    response = requests.put(
        f"{explicit_gateway.urls['ServerlessHttpApi']}/implicit/a/b?q=1%202", data="text", timeout=30
    )
    event = response.json()["event"]
    assert event["version"] == "1.0" and event["resource"] == "/implicit/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b"} and event["body"] == "text"
    assert event["multiValueQueryStringParameters"] == {"q": ["1 2"]}


def test_http_api_default_route_catches_what_no_route_matches(explicit_gateway: LocalApiGateway) -> None:
    base = explicit_gateway.urls["ServerlessHttpApi"]
    fallback = requests.post(f"{base}/anything/else", data="x", timeout=30).json()["event"]
    assert fallback["routeKey"] == "$default" and fallback["rawPath"] == "/anything/else"
    assert "pathParameters" not in fallback
    # A matching route still wins over $default.
    specific = requests.get(f"{base}/implicit/x", timeout=30).json()["event"]
    assert specific["resource"] == "/implicit/{proxy+}"


def test_route_timeout_in_millis_overrides_the_gateway_default(explicit_gateway: LocalApiGateway) -> None:
    # HTTP APIs answer an integration timeout with 503 (REST APIs: 504).
    base = explicit_gateway.urls["ServerlessHttpApi"]
    response = requests.get(f"{base}/implicit/slow?mode=sleep&seconds=2", timeout=30)
    assert response.status_code == 503 and response.text == '{"message":"Service Unavailable"}'
