"""Malformed requests to the catalog API get a JSON error and a 4xx: the app's, or API Gateway's own.

- A deeply nested JSON body (2,000 levels fit in the 16 KiB the API reads) is the app's 400: Python's
  JSON parser gives up with a RecursionError, which must not become a 500.
- A path longer than API Gateway's limit (Developer Guide, "Quotas for configuring and running a REST
  API": "Length, in characters, of the URL for a regional API: 10240") is API Gateway's 414 ("Amazon
  API Gateway quotas and important notes": "the API client receives a 414 Request URI too long").
- A cursor of 3,000 nested brackets (base64) is the app's 400 naming the cursor.
Runs on samlite and against a deployed stack alike (see conftest.py).
"""

from __future__ import annotations

import base64

import pytest

from tests.integration.stack_target import CatalogApi, Stack
from tests.integration.test_api_requests import assert_error

DEPTH = 2000


@pytest.mark.parametrize(
    "body",
    [b"[" * DEPTH + b"]" * DEPTH, b'{"a":' * DEPTH + b"1" + b"}" * DEPTH],
    ids=["arrays", "objects"],
)
def test_deeply_nested_upload_body_is_400(api: CatalogApi, body: bytes) -> None:
    assert len(body) < 16 * 1024
    response = api.request("POST", "/uploads", data=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "body")


def test_deeply_nested_cursor_is_400(api: CatalogApi) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode().rstrip("=")[:8000]
    assert_error(api.get("/objects", params={"cursor": cursor}), 400, "cursor")


def test_a_100_kb_path_is_api_gateways_414(stack: Stack, api: CatalogApi) -> None:
    response = api.get("/objects/" + "a" * 100_000)
    assert response.status_code == 414
    if stack.target == "samlite":  # AWS's front door may answer from CloudFront; samlite as documented
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"message": "Request URI too long"}
