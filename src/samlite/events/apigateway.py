"""API Gateway proxy events: REST API (payload format 1.0) and HTTP API (payload format 2.0).

Used by `samlite generate-event apigateway` and by the local API gateway in front of functions.
Shapes: API Gateway Developer Guide, "Input format of a Lambda function for proxy integration" (REST,
1.0: headers + multiValueHeaders, query strings likewise, null when absent, requestContext with
identity, resourcePath, requestTimeEpoch) and "Create AWS Lambda proxy integrations for HTTP APIs"
(2.0: lower-case header names, duplicates joined with commas, Cookie headers moved to `cookies`,
absent fields omitted rather than null, rawPath/rawQueryString, requestContext.http).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from samlite.events._ids import clf_time, epoch_millis, http_api_request_id, request_uuid, utc_now

DEFAULT_API_ID = "1234567890"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_USER_AGENT = "samlite"

HeaderInput = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None
QueryInput = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | str | None


def _pairs(values: HeaderInput | QueryInput) -> list[tuple[str, str]]:
    """Normalise a mapping (value or list of values), pairs, or a raw query string into pairs."""
    if values is None:
        return []
    if isinstance(values, str):
        return parse_qsl(values.lstrip("?"), keep_blank_values=True)
    if isinstance(values, Mapping):
        pairs: list[tuple[str, str]] = []
        for name, value in values.items():
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                pairs.extend((name, item) for item in value)
        return pairs
    return [(str(name), str(value)) for name, value in values]


def _split_path(path: str) -> tuple[str, list[tuple[str, str]]]:
    if not path.startswith("/"):
        path = "/" + path
    path, _, query = path.partition("?")
    return path, parse_qsl(query, keep_blank_values=True) if query else []


def _trace_id(moment: datetime) -> str:
    return f"Root=1-{int(moment.timestamp()):08x}-{secrets.token_hex(12)}"


def apigateway_rest_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: HeaderInput = None,
    query: QueryInput = None,
    stage: str = "Prod",
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    stage_variables: Mapping[str, str] | None = None,
    is_base64_encoded: bool = False,
    source_ip: str = "127.0.0.1",
    api_id: str = DEFAULT_API_ID,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
    request_time: datetime | None = None,
    request_id: str | None = None,
    api_key: str | None = None,
    api_key_id: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A REST API (payload 1.0) proxy event; `path` may carry a `?query` that joins `query`.

    `api_key`/`api_key_id`: the key the caller presented on a method that requires one; API Gateway
    then adds `identity.apiKey` and `identity.apiKeyId` to the request context.
    `authorizer`: what the method's authorizer passed on (`requestContext.authorizer`: a Lambda
    authorizer's principalId and context, or a Cognito user pool's `claims`).
    """
    moment = request_time or utc_now()
    path, path_query = _split_path(path)
    query_pairs = path_query + _pairs(query)
    domain = f"{api_id}.execute-api.{region}.amazonaws.com"
    header_pairs = _pairs(headers)
    given = {name.lower() for name, _ in header_pairs}
    # Headers API Gateway adds in front of every request (unless the caller sent them).
    defaults = [
        ("Host", domain),
        ("User-Agent", DEFAULT_USER_AGENT),
        ("X-Amzn-Trace-Id", _trace_id(moment)),
        ("X-Forwarded-For", source_ip),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]
    header_pairs += [(name, value) for name, value in defaults if name.lower() not in given]
    single_headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in header_pairs:
        single_headers[name] = value  # the last value wins in `headers`
        multi_headers.setdefault(name, []).append(value)
    single_query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in query_pairs:
        single_query[name] = value
        multi_query.setdefault(name, []).append(value)
    user_agent = next((v for k, v in header_pairs if k.lower() == "user-agent"), DEFAULT_USER_AGENT)
    method = method.upper()
    resource_path = resource or path
    identity: dict[str, Any] = {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": source_ip,
        "user": None,
        "userAgent": user_agent,
        "userArn": None,
    }
    if api_key is not None:
        identity["apiKey"] = api_key
        identity["apiKeyId"] = api_key_id
    context: dict[str, Any] = {"accountId": account_id, "apiId": api_id}
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    return {
        "resource": resource_path,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": {
            **context,
            "domainName": domain,
            "domainPrefix": api_id,
            "extendedRequestId": http_api_request_id(),
            "httpMethod": method,
            "identity": identity,
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id or request_uuid(),
            "requestTime": clf_time(moment),
            "requestTimeEpoch": epoch_millis(moment),
            "resourceId": secrets.token_hex(3),
            "resourcePath": resource_path,
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    }


def apigateway_http_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: HeaderInput = None,
    query: QueryInput = None,
    stage: str = "$default",
    route_key: str = "$default",
    path_parameters: Mapping[str, str] | None = None,
    stage_variables: Mapping[str, str] | None = None,
    is_base64_encoded: bool = False,
    source_ip: str = "127.0.0.1",
    api_id: str = DEFAULT_API_ID,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
    request_time: datetime | None = None,
    request_id: str | None = None,
    raw_query_string: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) proxy event; a named stage prefixes rawPath, as HTTP APIs do.

    `raw_query_string`: the query exactly as the client sent it (the local gateway passes it);
    by default it is re-encoded from the parsed query.
    `authorizer`: `requestContext.authorizer` (`{"lambda": {...}}` or `{"jwt": {"claims", "scopes"}}`).
    """
    moment = request_time or utc_now()
    path, path_query = _split_path(path)
    query_pairs = path_query + _pairs(query)
    domain = f"{api_id}.execute-api.{region}.amazonaws.com"
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    header_values: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, value in _pairs(headers):
        lowered = name.lower()
        if lowered == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        header_values.setdefault(lowered, []).append(value)
    for name, value in (
        ("host", domain),
        ("user-agent", DEFAULT_USER_AGENT),
        ("x-amzn-trace-id", _trace_id(moment)),
        ("x-forwarded-for", source_ip),
        ("x-forwarded-port", "443"),
        ("x-forwarded-proto", "https"),
    ):
        header_values.setdefault(name, [value])
    query_values: dict[str, list[str]] = {}
    for name, value in query_pairs:
        query_values.setdefault(name, []).append(value)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": urlencode(query_pairs) if raw_query_string is None else raw_query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = {name: ",".join(values) for name, values in header_values.items()}
    if query_values:
        event["queryStringParameters"] = {name: ",".join(values) for name, values in query_values.items()}
    context: dict[str, Any] = {"accountId": account_id, "apiId": api_id}
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    event["requestContext"] = {
        **context,
        "domainName": domain,
        "domainPrefix": api_id,
        "http": {
            "method": method.upper(),
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": event["headers"]["user-agent"],
        },
        "requestId": request_id or http_api_request_id(),
        "routeKey": route_key,
        "stage": stage,
        "time": clf_time(moment),
        "timeEpoch": epoch_millis(moment),
    }
    if body is not None:
        event["body"] = body
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = is_base64_encoded
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event
