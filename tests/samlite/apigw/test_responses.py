"""Function output -> HTTP response, for payload 1.0 (REST) and 2.0 (HTTP APIs)."""

from __future__ import annotations

import base64
import json

import pytest

from samlite.apigw.media import is_text_content, matches_binary_type
from samlite.apigw.responses import MalformedResponse, proxy_response
from samlite.apigw.routes import HTTP, REST


def _payload(value: object) -> bytes:
    return json.dumps(value).encode()


def test_rest_headers_and_multi_value_headers_merge_as_documented() -> None:
    response = proxy_response(
        _payload(
            {
                "statusCode": "201",
                "headers": {"X-A": "1", "X-B": "single", "X-C": "same"},
                "multiValueHeaders": {"X-B": ["m1", "m2"], "X-C": ["same"]},
                "body": "hi",
            }
        ),
        "1.0",
        REST,
        decode_base64=False,
    )
    assert response.status == 201 and response.body == b"hi"
    # Merged into one list; a pair given in both maps appears once.
    assert sorted(response.headers) == [
        ("X-A", "1"),
        ("X-B", "m1"),
        ("X-B", "m2"),
        ("X-B", "single"),
        ("X-C", "same"),
    ]


@pytest.mark.parametrize(
    "output",
    [
        {"body": "no status"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": "abc"},
        {"statusCode": 200, "extra": True},
        {"statusCode": 200, "headers": {"X": ["list"]}},
        "just a string",
        None,
    ],
)
def test_rest_malformed_outputs(output: object) -> None:
    with pytest.raises(MalformedResponse):
        proxy_response(_payload(output), "1.0", REST, decode_base64=False)


def test_rest_base64_body_is_decoded_only_when_asked() -> None:
    output = {"statusCode": 200, "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    assert proxy_response(_payload(output), "1.0", REST, decode_base64=True).body == b"\x00\xff"
    assert proxy_response(_payload(output), "1.0", REST, decode_base64=False).body == output["body"].encode()


def test_http_api_plain_value_is_a_json_200() -> None:
    response = proxy_response(_payload({"hello": "world"}), "2.0", HTTP, decode_base64=True)
    assert response.status == 200 and json.loads(response.body) == {"hello": "world"}
    assert ("Content-Type", "application/json") in response.headers


def test_http_api_cookies_become_set_cookie_headers() -> None:
    response = proxy_response(
        _payload({"statusCode": 200, "cookies": ["a=1", "b=2; Path=/"], "body": ""}), "2.0", HTTP, True
    )
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2; Path=/"]


def test_binary_media_type_matching() -> None:
    assert matches_binary_type("image/png", ["image/png"])
    assert matches_binary_type("image/jpeg; q=1", ["image/*"])
    assert matches_binary_type("application/octet-stream", ["*/*"])
    assert not matches_binary_type("application/json", ["image/*"])
    assert not matches_binary_type(None, ["*/*"])
    assert is_text_content("application/json; charset=utf-8") and is_text_content("application/vnd.x+json")
    assert not is_text_content("image/png") and not is_text_content("application/octet-stream")
