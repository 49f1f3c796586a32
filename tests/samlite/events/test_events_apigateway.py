"""API Gateway proxy events: REST (payload 1.0) and HTTP API (payload 2.0) shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from samlite.events import apigateway_http_event, apigateway_rest_event

REST_KEYS = [
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
]


def test_rest_event_shape() -> None:
    moment = datetime(2015, 4, 9, 12, 34, 56, 123000, tzinfo=UTC)
    event = apigateway_rest_event(
        "post",
        "/items/42",
        body='{"a": 1}',
        stage="dev",
        resource="/items/{id}",
        path_parameters={"id": "42"},
        request_time=moment,
    )
    assert list(event) == REST_KEYS
    assert (
        event["httpMethod"] == "POST" and event["resource"] == "/items/{id}" and event["path"] == "/items/42"
    )
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/items/{id}"
    assert context["path"] == "/dev/items/42" and context["stage"] == "dev"
    assert context["requestTime"] == "09/Apr/2015:12:34:56 +0000"
    assert context["requestTimeEpoch"] == 1428582896123
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    assert context["protocol"] == "HTTP/1.1"


def test_rest_multi_value_headers_and_query() -> None:
    event = apigateway_rest_event(
        "GET", "/search?q=a&q=b", headers=[("Accept", "x"), ("Accept", "y")], query={"page": "2"}
    )
    assert event["headers"]["Accept"] == "y"  # the last value wins in `headers`
    assert event["multiValueHeaders"]["Accept"] == ["x", "y"]
    assert event["queryStringParameters"] == {"q": "b", "page": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["a", "b"], "page": ["2"]}
    assert event["path"] == "/search"
    assert event["headers"]["Host"] == "1234567890.execute-api.us-east-1.amazonaws.com"
    assert event["headers"]["X-Forwarded-Proto"] == "https"


def test_rest_request_ids_are_fresh() -> None:
    first, second = apigateway_rest_event("GET", "/"), apigateway_rest_event("GET", "/")
    assert first["requestContext"]["requestId"] != second["requestContext"]["requestId"]


def test_http_event_shape() -> None:
    event = apigateway_http_event(
        "get",
        "/v2/items?b=2&a=1&a=3",
        headers={"X-Multi": ["1", "2"], "Cookie": "s=1; t=2", "User-Agent": "curl"},
    )
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/v2/items"
    assert event["rawQueryString"] == "b=2&a=1&a=3"
    assert event["queryStringParameters"] == {"b": "2", "a": "1,3"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "1,2"
    assert all(name == name.lower() for name in event["headers"])
    http = event["requestContext"]["http"]
    assert http == {
        "method": "GET",
        "path": "/v2/items",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "curl",
    }
    assert event["requestContext"]["stage"] == "$default"
    assert isinstance(event["requestContext"]["timeEpoch"], int)
    assert "body" not in event and "pathParameters" not in event and event["isBase64Encoded"] is False


def test_http_event_without_query_or_cookies_omits_them() -> None:
    event = apigateway_http_event("POST", "/x", body="hi", stage="prod")
    assert "queryStringParameters" not in event and "cookies" not in event
    assert event["rawQueryString"] == ""
    assert event["body"] == "hi"
    assert event["rawPath"] == "/prod/x"  # a named stage prefixes the path
