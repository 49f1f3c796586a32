"""The router, CORS and the API Gateway event/result conversion, with the fakes behind the controllers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from upload_catalog.api_config import load_api_config
from upload_catalog.config import ConfigError
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.cors import CorsPolicy
from upload_catalog.controllers.objects_api import ObjectsController
from upload_catalog.controllers.router import Router
from upload_catalog.controllers.stats_api import StatsController
from upload_catalog.controllers.uploads_api import UploadRules, UploadsController
from upload_catalog.handlers.api_gateway import request_from_event, result_from_response

from tests.unit.stats_fakes import FakeStatsStore
from tests.unit.test_api_fakes import BUCKET, FakeCatalogReader, FakeObjectUrls, make_entry

ORIGIN = "https://app.example.com"


class BrokenReader(FakeCatalogReader):
    def get(self, bucket: str, key: str):
        raise RuntimeError("ProvisionedThroughputExceededException: internal detail")


def router(reader: FakeCatalogReader | None = None, origins: frozenset[str] = frozenset({ORIGIN})) -> Router:
    reader = reader or FakeCatalogReader()
    reader.put(make_entry("a/b c.png"))
    urls = FakeObjectUrls()
    return Router(
        ObjectsController(reader, urls, BUCKET),
        UploadsController(urls, BUCKET, UploadRules(("image/*",), 100)),
        StatsController(FakeStatsStore(), BUCKET),
        CorsPolicy(origins),
    )


def rest_event(method: str, resource: str, **overrides: Any) -> dict[str, Any]:
    """A REST API (payload 1.0) proxy event with API Gateway's nulls for absent parts."""
    event: dict[str, Any] = {
        "resource": resource,
        "path": resource,
        "httpMethod": method,
        "headers": None,
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"stage": "v1", "requestId": "r-1", "resourcePath": resource, "httpMethod": method},
        "body": None,
        "isBase64Encoded": False,
    }
    event.update(overrides)
    return event


def test_event_with_nulls_becomes_a_request() -> None:
    request = request_from_event(rest_event("GET", "/objects"))
    assert request == Request("GET", "/objects", {}, {}, {}, None)


def test_event_fields_are_carried_over() -> None:
    event = rest_event(
        "post",
        "/uploads",
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
        queryStringParameters={"a": "1"},
        body=base64.b64encode(b'{"x": 1}').decode(),
        isBase64Encoded=True,
    )
    request = request_from_event(event)
    assert request.method == "POST" and request.body == b'{"x": 1}'
    assert request.header("ORIGIN") == ORIGIN and request.query == {"a": "1"}


def test_invalid_base64_body_is_a_400() -> None:
    with pytest.raises(ApiError, match="base64"):
        request_from_event(rest_event("POST", "/uploads", body="***", isBase64Encoded=True))


def test_result_is_a_proxy_integration_result() -> None:
    response = router().dispatch(Request("GET", "/objects/{key+}", {"key": "a/b%20c.png"}))
    result = result_from_response(response)
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is False
    assert result["headers"]["Content-Type"] == "application/json"
    assert json.loads(result["body"])["key"] == "a/b c.png"


def test_routes_dispatch_by_method_resource_and_content_suffix() -> None:
    r = router()
    assert r.dispatch(Request("GET", "/objects")).status == 200
    assert r.dispatch(Request("GET", "/objects/{key+}", {"key": "a/b%20c.png"})).status == 200
    assert r.dispatch(Request("GET", "/objects/{key+}", {"key": "a/b%20c.png/content"})).status == 302
    assert r.dispatch(Request("DELETE", "/objects/{key+}", {"key": "a/b%20c.png"})).status == 202
    body = json.dumps({"filename": "x.png", "content_type": "image/png", "size": 5}).encode()
    assert r.dispatch(Request("POST", "/uploads", body=body)).status == 201


def test_unknown_route_and_method_are_json_errors() -> None:
    r = router()
    missing = r.dispatch(Request("GET", "/nothing"))
    assert missing.status == 404 and missing.body["error"]["code"] == "NotFound"
    wrong = r.dispatch(Request("PUT", "/objects"))
    assert (
        wrong.status == 405
        and wrong.headers["Allow"] == "GET,OPTIONS"
        and wrong.body
        == {"error": {"code": "MethodNotAllowed", "message": "method PUT is not allowed on /objects"}}
    )


def test_bad_input_is_a_400_in_the_error_shape() -> None:
    response = router().dispatch(Request("GET", "/objects", query={"limit": "x"}))
    assert response.status == 400
    assert response.body["error"]["code"] == "BadRequest" and "limit" in response.body["error"]["message"]


def test_service_failure_is_a_500_that_reveals_nothing(caplog: pytest.LogCaptureFixture) -> None:
    response = router(BrokenReader()).dispatch(Request("GET", "/objects/{key+}", {"key": "a"}))
    assert response.status == 500 and "internal detail" not in json.dumps(response.body)
    assert "internal detail" in caplog.text  # but the log has it, with the trace


def test_cors_headers_only_for_configured_origins() -> None:
    r = router()
    allowed = r.dispatch(Request("GET", "/objects", headers={"origin": ORIGIN}))
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN and allowed.headers["Vary"] == "Origin"
    other = r.dispatch(Request("GET", "/objects", headers={"origin": "https://evil.example"}))
    assert "Access-Control-Allow-Origin" not in other.headers
    error = r.dispatch(Request("GET", "/objects", {}, {"limit": "0"}, {"origin": ORIGIN}))
    assert error.status == 400 and error.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_answers_the_resources_methods() -> None:
    r = router()
    response = r.dispatch(Request("OPTIONS", "/objects/{key+}", {"key": "a"}, headers={"origin": ORIGIN}))
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET,DELETE,OPTIONS"
    assert "X-Api-Key" in response.headers["Access-Control-Allow-Headers"]
    refused = r.dispatch(Request("OPTIONS", "/uploads", headers={"origin": "https://evil.example"}))
    assert refused.status == 204 and "Access-Control-Allow-Origin" not in refused.headers


def test_no_origins_configured_means_no_cross_origin_access() -> None:
    response = router(origins=frozenset()).dispatch(Request("GET", "/objects", headers={"origin": ORIGIN}))
    assert "Access-Control-Allow-Origin" not in response.headers


ENV = {
    "CATALOG_TABLE": "t",
    "UPLOADS_BUCKET": "b",
    "STATS_TABLE": "s",
    "ALLOWED_CONTENT_TYPES": "image/*, Application/PDF",
    "MAX_UPLOAD_BYTES": "1000",
    "CORS_ALLOWED_ORIGINS": "https://a.example, http://localhost:5173/",
}


def test_api_config() -> None:
    config = load_api_config(ENV)
    assert config.allowed_types == ("image/*", "application/pdf")
    assert config.cors_origins == frozenset({"https://a.example", "http://localhost:5173"})
    assert load_api_config({**ENV, "CORS_ALLOWED_ORIGINS": ""}).cors_origins == frozenset()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("UPLOADS_BUCKET", ""),
        ("ALLOWED_CONTENT_TYPES", ""),
        ("ALLOWED_CONTENT_TYPES", "image"),
        ("MAX_UPLOAD_BYTES", "0"),
        ("MAX_UPLOAD_BYTES", "lots"),
        ("MAX_UPLOAD_BYTES", str(6 * 1024**3)),
        ("CORS_ALLOWED_ORIGINS", "app.example.com"),
        ("CATALOG_TABLE", ""),
        ("STATS_TABLE", ""),
    ],
)
def test_bad_api_config_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_api_config({**ENV, name: value})
