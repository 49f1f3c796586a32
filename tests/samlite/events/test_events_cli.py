"""`samlite generate-event` through the real `samlite.cli.main` (every sub-command registered)."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

import samlite.cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert samlite.cli.main(["generate-event", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_s3_put(capsys) -> None:
    event = run(
        capsys,
        "s3",
        "put",
        "--bucket",
        "uploads",
        "--key",
        "my photo+1.jpg",
        "--size",
        "10",
        "--etag",
        "e1",
        "--sequencer",
        "0A",
        "--version-id",
        "v9",
        "--region",
        "eu-west-1",
    )
    record = event["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["awsRegion"] == "eu-west-1"
    assert record["s3"]["object"] == {
        "key": "my+photo%2B1.jpg",
        "size": 10,
        "eTag": "e1",
        "versionId": "v9",
        "sequencer": "0A",
    }
    assert unquote_plus(record["s3"]["object"]["key"]) == "my photo+1.jpg"


def test_s3_delete(capsys) -> None:
    record = run(capsys, "s3", "delete", "--bucket", "b", "--key", "k")["Records"][0]
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert "size" not in record["s3"]["object"] and "eTag" not in record["s3"]["object"]


def test_s3_non_ascii_output_is_valid_json(capsys) -> None:
    record = run(capsys, "s3", "put", "--bucket", "b", "--key", "日本/ö.txt")["Records"][0]
    assert unquote_plus(record["s3"]["object"]["key"]) == "日本/ö.txt"


def test_apigateway_aws_proxy(capsys) -> None:
    event = run(
        capsys,
        "apigateway",
        "aws-proxy",
        "--method",
        "POST",
        "--path",
        "/items",
        "--body",
        "{}",
        "--header",
        "Content-Type: application/json",
        "--query",
        "a=1",
        "--query",
        "a=2",
        "--stage",
        "dev",
    )
    assert event["httpMethod"] == "POST" and event["body"] == "{}"
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["requestContext"]["stage"] == "dev"


def test_apigateway_http_api_proxy(capsys) -> None:
    event = run(capsys, "apigateway", "http-api-proxy", "--method", "get", "--path", "/v2?x=1")
    assert event["version"] == "2.0" and event["rawPath"] == "/v2" and event["rawQueryString"] == "x=1"
    assert event["requestContext"]["http"]["method"] == "GET"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["apigateway", "aws-proxy", "--header", "no-colon"], "must be Name:Value"),
        (["apigateway", "aws-proxy", "--query", "novalue"], "must be Name=Value"),
        (["s3", "put", "--bucket", "b", "--key", "k", "--size", "-1"], "must not be negative"),
        (["s3", "put", "--bucket", "b"], "--key"),
        (["s3", "upload", "--bucket", "b", "--key", "k"], "invalid choice"),
    ],
)
def test_bad_arguments_are_usage_errors(capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        samlite.cli.main(["generate-event", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_key_too_long_is_a_message_not_a_traceback(capsys) -> None:
    assert samlite.cli.main(["generate-event", "s3", "put", "--bucket", "b", "--key", "k" * 1025]) == 2
    assert "at most 1024 bytes" in capsys.readouterr().err


# -- API Gateway authorizer inputs ("Input to an API Gateway Lambda authorizer"; HTTP API guide,
# "Working with AWS Lambda authorizers for HTTP APIs", payload format version) --------------------


def test_token_authorizer_event(capsys) -> None:
    event = run(
        capsys, "apigateway", "authorizer", "--token", "allow-me", "--method", "get", "--path", "/items/1"
    )
    assert event == {
        "type": "TOKEN",
        "authorizationToken": "allow-me",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:1234567890/Prod/GET/items/1",
    }


def test_request_authorizer_event(capsys) -> None:
    event = run(
        capsys,
        "apigateway",
        "request-authorizer",
        "--path",
        "/items/1?tenant=t1",
        "--resource",
        "/items/{id}",
        "--header",
        "X-User:alice",
        "--stage",
        "dev",
    )
    assert event["type"] == "REQUEST" and event["methodArn"].endswith(":1234567890/dev/GET/items/1")
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/1"
    assert event["headers"]["X-User"] == "alice" and event["queryStringParameters"] == {"tenant": "t1"}
    assert event["requestContext"]["stage"] == "dev" and "body" not in event


def test_http_api_authorizer_events(capsys) -> None:
    v2 = run(
        capsys, "apigateway", "http-api-authorizer", "--header", "Authorization:secret", "--path", "/items"
    )
    assert v2["version"] == "2.0" and v2["type"] == "REQUEST" and v2["identitySource"] == ["secret"]
    assert v2["routeArn"].endswith("/$default/GET/items") and v2["routeKey"] == "GET /items"
    assert v2["headers"]["authorization"] == "secret" and "body" not in v2
    v1 = run(
        capsys,
        "apigateway",
        "http-api-authorizer",
        "--payload-version",
        "1.0",
        "--identity",
        "a",
        "--identity",
        "b",
    )
    assert v1["version"] == "1.0" and v1["identitySource"] == "a,b" == v1["authorizationToken"]
    assert v1["methodArn"].endswith("/$default/GET/") and v1["httpMethod"] == "GET"
