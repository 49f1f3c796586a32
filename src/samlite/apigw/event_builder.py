"""Turn a received HTTP request and its matched route into the Lambda proxy event AWS would send.

The shapes themselves live in `samlite.events.apigateway` (shared with `samlite generate-event`);
this module decides what goes into them, per request, with a fresh request id and time every time
(aws/aws-sam-cli#9279: SAM CLI reuses them). Encoding follows what deployed APIs do: REST APIs
pass `path` and `pathParameters` still percent-encoded and the query decoded; HTTP APIs decode the
path (rawPath) and path parameters (see the public captures cited in middleapi/standard-server#93).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from samlite.apigw.media import is_text_content, matches_binary_type
from samlite.apigw.messages import HttpRequest
from samlite.apigw.routes import REST, ApiDefinition, Route
from samlite.events import apigateway_http_event, apigateway_rest_event

# Hop-by-hop headers end at API Gateway's front door; the function never sees them.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding"}


@dataclass(frozen=True)
class MatchedRequest:
    """A request, the API and route it reached, the raw path parameters, and the API key used."""

    request: HttpRequest
    api: ApiDefinition
    route: Route
    path: str  # the path after the API's base (stage) prefix, still percent-encoded
    path_parameters: dict[str, str]
    api_key_value: str | None = None
    api_key_id: str | None = None
    authorizer: Mapping[str, Any] | None = None  # requestContext.authorizer, from the route's authorizer


def _body(matched: MatchedRequest) -> tuple[str | None, bool]:
    request = matched.request
    if not request.body:
        return None, False
    content_type = request.header("Content-Type")
    if matched.api.kind == REST:
        binary = matches_binary_type(content_type, matched.api.binary_media_types)
    else:
        binary = not is_text_content(content_type)
    if not binary:
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            binary = matched.api.kind != REST  # REST passes undecodable text bytes replaced, as text
            if not binary:
                return request.body.decode("utf-8", errors="replace"), False
    return base64.b64encode(request.body).decode("ascii"), True


def build_event(
    matched: MatchedRequest, region: str, account_id: str, payload_format: str | None = None
) -> dict[str, Any]:
    """The proxy event for this request, in the payload format of its route (or `payload_format`:
    an HTTP API's Lambda authorizer gets its own format's shape of the request)."""
    request, api, route = matched.request, matched.api, matched.route
    payload_format = payload_format or route.payload_format
    body, is_base64 = _body(matched)
    query = parse_qsl(request.query, keep_blank_values=True)
    headers = [(name, value) for name, value in request.headers if name.lower() not in _HOP_BY_HOP]
    if request.server_port is not None:
        # AWS says https/443 (its front door); locally the truth is plain HTTP on the gateway's port,
        # and a function building its own URLs from these headers must get local ones.
        sent = {name.lower() for name, _ in headers}
        for name, value in (("X-Forwarded-Port", str(request.server_port)), ("X-Forwarded-Proto", "http")):
            if name.lower() not in sent:
                headers.append((name, value))
    common: dict[str, Any] = {
        "body": body,
        "headers": headers,
        "query": query,
        "stage_variables": dict(api.stage_variables) or None,
        "is_base64_encoded": is_base64,
        "source_ip": request.source_ip,
        "api_id": api.api_id,
        "account_id": account_id,
        "region": region,
    }
    if payload_format == "2.0":
        decoded_path = unquote(matched.path)
        return apigateway_http_event(
            request.method,
            decoded_path,
            stage=api.stage,
            route_key=route.route_key,
            raw_query_string=request.query,
            path_parameters={name: unquote(value) for name, value in matched.path_parameters.items()} or None,
            authorizer=matched.authorizer,
            **common,
        )
    event = apigateway_rest_event(
        request.method,
        matched.path,
        stage=api.stage,
        resource=route.path.template,
        path_parameters=matched.path_parameters or None,
        api_key=matched.api_key_value,
        api_key_id=matched.api_key_id,
        authorizer=matched.authorizer,
        **common,
    )
    if api.kind != REST:
        # An HTTP API route with payload format 1.0: the REST shape plus `version` (HTTP API guide).
        event = {"version": "1.0", **event}
    return event


def encode_event(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")
