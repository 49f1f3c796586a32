"""Responses: the function's proxy output turned into HTTP, and API Gateway's own error answers.

Payload 1.0 (REST, Developer Guide "Output format of a Lambda function for proxy integration"):
an object with `statusCode`, optional `headers`, `multiValueHeaders` (both merged), `body` (a string)
and `isBase64Encoded`; anything else is a malformed response, which API Gateway answers with
502 `{"message": "Internal server error"}`.
Payload 2.0 (HTTP APIs, "Working with AWS Lambda proxy integrations for HTTP APIs"): the same object
plus `cookies`, or any other JSON value, which API Gateway sends as the body of a 200
`application/json` response.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from samlite.apigw.api_kinds import REST
from samlite.apigw.messages import HttpResponse


class MalformedResponse(ValueError):
    """The function's output is not a valid proxy response; the message says why (logged)."""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _status(output: Mapping[str, Any]) -> int:
    raw = output.get("statusCode")
    if isinstance(raw, bool):
        raise MalformedResponse(f"statusCode must be a number, not {raw!r}")
    try:
        status = int(raw)  # API Gateway also accepts "200" as a string
    except (TypeError, ValueError):
        raise MalformedResponse(f"statusCode must be a number, not {raw!r}") from None
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is not an HTTP status")
    return status


def _headers(output: Mapping[str, Any]) -> list[tuple[str, str]]:
    single = output.get("headers") or {}
    multi = output.get("multiValueHeaders") or {}
    if not isinstance(single, Mapping):
        raise MalformedResponse("headers must be an object")
    if not isinstance(multi, Mapping):
        raise MalformedResponse("multiValueHeaders must be an object")
    # Developer Guide, output format: both maps are merged into one list; a name/value pair given in
    # both appears once (from multiValueHeaders).
    pairs: list[tuple[str, str]] = []
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders['{name}'] must be a list")
        pairs.extend((str(name), _scalar(value)) for value in values)
    seen = {(name.lower(), value) for name, value in pairs}
    for name, value in single.items():
        if isinstance(value, Mapping | list):
            raise MalformedResponse(f"headers['{name}'] must be a string")
        if (str(name).lower(), _scalar(value)) not in seen:
            pairs.append((str(name), _scalar(value)))
    return pairs


def _body(output: Mapping[str, Any], decode_base64: bool) -> bytes:
    body = output.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    if output.get("isBase64Encoded") and decode_base64:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("isBase64Encoded is true but body is not valid base64") from None
    return body.encode("utf-8")


def proxy_response(payload: bytes, payload_format: str, api_kind: str, decode_base64: bool) -> HttpResponse:
    """The HTTP response for a function's successful output; `MalformedResponse` when invalid."""
    try:
        output = json.loads(payload) if payload else None
    except ValueError:
        raise MalformedResponse("the function's output is not JSON") from None
    if payload_format == "2.0":
        if not isinstance(output, Mapping) or "statusCode" not in output:
            # Any other value is the body of a 200 application/json response.
            body = output if isinstance(output, str) else json.dumps(output)
            return HttpResponse(200, [("Content-Type", "application/json")], body.encode("utf-8"))
        response = HttpResponse(_status(output), _headers(output), _body(output, True))
        cookies = output.get("cookies") or []
        if not isinstance(cookies, list):
            raise MalformedResponse("cookies must be a list")
        response.headers.extend(("Set-Cookie", _scalar(cookie)) for cookie in cookies)
        return response
    if not isinstance(output, Mapping):
        raise MalformedResponse("the output must be an object with a statusCode")
    unknown = set(output) - {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
    if unknown and api_kind == REST:
        raise MalformedResponse(f"unexpected fields {sorted(unknown)} in the proxy response")
    if "statusCode" not in output:
        raise MalformedResponse("the output has no statusCode")
    return HttpResponse(_status(output), _headers(output), _body(output, decode_base64))


# -- API Gateway's own answers -------------------------------------------------------------------
# Bodies byte for byte as API Gateway sends them (note the spaces: the 502 and 504 bodies have one
# after the colon, the 403 ones do not), with `x-amzn-ErrorType` as REST APIs send it. Each carries
# its gateway response type ("Gateway response types" in the developer guide), which a REST API's
# GatewayResponses may restyle; `None` means only DEFAULT_4XX / DEFAULT_5XX apply.


def gateway_error(
    status: int,
    body: str,
    error_type: str | None = None,
    *,
    gateway_type: str | None = None,
    message: str | None = None,
) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return HttpResponse(
        status, headers, body.encode("utf-8"), gateway_type=gateway_type, error_message=message, own=True
    )


def missing_authentication_token() -> HttpResponse:
    return gateway_error(
        403,
        '{"message":"Missing Authentication Token"}',
        "MissingAuthenticationTokenException",
        gateway_type="MISSING_AUTHENTICATION_TOKEN",
        message="Missing Authentication Token",
    )


def forbidden() -> HttpResponse:
    return gateway_error(
        403,
        '{"message":"Forbidden"}',
        "ForbiddenException",
        gateway_type="INVALID_API_KEY",
        message="Forbidden",
    )


def rest_internal_error() -> HttpResponse:
    return gateway_error(
        502,
        '{"message": "Internal server error"}',
        "InternalServerErrorException",
        message="Internal server error",
    )


def rest_configuration_error() -> HttpResponse:
    """An integration samlite could not carry out as configured (no matching integration response,
    a template that fails, credentials that cannot be assumed): API_CONFIGURATION_ERROR."""
    return gateway_error(
        500,
        '{"message": "Internal server error"}',
        "InternalServerErrorException",
        gateway_type="API_CONFIGURATION_ERROR",
        message="Internal server error",
    )


def rest_timeout() -> HttpResponse:
    return gateway_error(
        504,
        '{"message": "Endpoint request timed out"}',
        gateway_type="INTEGRATION_TIMEOUT",
        message="Endpoint request timed out",
    )


def unsupported_media_type() -> HttpResponse:
    return gateway_error(
        415,
        '{"message": "Unsupported Media Type"}',
        "UnsupportedMediaTypeException",
        gateway_type="UNSUPPORTED_MEDIA_TYPE",
        message="Unsupported Media Type",
    )


def rest_unauthorized(message: str = "Unauthorized") -> HttpResponse:
    """401 of a Lambda or Cognito authorizer (missing identity, 'Unauthorized', invalid token)."""
    return gateway_error(
        401,
        json.dumps({"message": message}, separators=(",", ":")),
        "UnauthorizedException",
        gateway_type="UNAUTHORIZED",
        message=message,
    )


def rest_access_denied(explicit: bool) -> HttpResponse:
    """403 of a Lambda authorizer's policy; REST APIs spell this body's key `Message`."""
    message = "User is not authorized to access this resource" + (
        " with an explicit deny" if explicit else ""
    )
    return gateway_error(
        403,
        json.dumps({"Message": message}, separators=(",", ":")),
        "AccessDeniedException",
        gateway_type="ACCESS_DENIED",
        message=message,
    )


def rest_authorizer_error() -> HttpResponse:
    """500 when a Lambda authorizer fails or answers in a shape API Gateway cannot read."""
    return gateway_error(
        500,
        '{"message": null}',
        "AuthorizerConfigurationException",
        gateway_type="AUTHORIZER_CONFIGURATION_ERROR",
        message="",
    )


def http_not_found() -> HttpResponse:
    return gateway_error(404, '{"message":"Not Found"}')


def http_internal_error() -> HttpResponse:
    return gateway_error(500, '{"message":"Internal Server Error"}')


def http_timeout() -> HttpResponse:
    return gateway_error(503, '{"message":"Service Unavailable"}')


def http_unauthorized(www_authenticate: str | None = None) -> HttpResponse:
    """HTTP APIs' 401; a JWT authorizer says why in `www-authenticate` ("Troubleshooting JWT
    authorizers": `Bearer scope="" error="invalid_token" error_description="..."`)."""
    response = gateway_error(401, '{"message":"Unauthorized"}')
    if www_authenticate is not None:
        response.headers.append(("www-authenticate", www_authenticate))
    return response


def http_forbidden() -> HttpResponse:
    return gateway_error(403, '{"message":"Forbidden"}')
