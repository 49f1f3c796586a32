"""A REST API's `GatewayResponses`: API Gateway's own answers with the API's status, headers, body.

API Gateway Developer Guide, "Gateway responses in API Gateway", "Gateway response types" and
"x-amazon-apigateway-gateway-responses": a response type (UNAUTHORIZED, ACCESS_DENIED,
MISSING_AUTHENTICATION_TOKEN, ...) may set `statusCode`, `responseParameters`
(`gatewayresponse.header.X`: a static `'value'`, or `method.request.header|querystring|path.x`,
`stageVariables.x`, `context.x`) and `responseTemplates`, which are NOT run through VTL: only
`$context.*`, `$stageVariables.*` and `method.request.*` are substituted. A type that is not
customized falls back to DEFAULT_4XX or DEFAULT_5XX by its status class. HTTP APIs have none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.apigw.messages import HttpResponse
from samlite.apigw.request_view import RequestView, text
from samlite.errors import GatewayConfigError

EXTENSION = "x-amazon-apigateway-gateway-responses"
DEFAULT_4XX = "DEFAULT_4XX"
DEFAULT_5XX = "DEFAULT_5XX"
KNOWN_TYPES = frozenset(
    {
        "ACCESS_DENIED",
        "API_CONFIGURATION_ERROR",
        "AUTHORIZER_CONFIGURATION_ERROR",
        "AUTHORIZER_FAILURE",
        "BAD_REQUEST_PARAMETERS",
        "BAD_REQUEST_BODY",
        DEFAULT_4XX,
        DEFAULT_5XX,
        "EXPIRED_TOKEN",
        "INTEGRATION_FAILURE",
        "INTEGRATION_TIMEOUT",
        "INVALID_API_KEY",
        "INVALID_SIGNATURE",
        "MISSING_AUTHENTICATION_TOKEN",
        "QUOTA_EXCEEDED",
        "REQUEST_TOO_LARGE",
        "RESOURCE_NOT_FOUND",
        "THROTTLED",
        "UNAUTHORIZED",
        "UNSUPPORTED_MEDIA_TYPE",
        "WAF_FILTERED",
    }
)
_HEADER_PREFIX = "gatewayresponse.header."
_REQUEST_PARAMETER = re.compile(r"^method\.request\.(header|querystring|path)\.(.+)$")
# What a non-VTL template substitutes: $context.a.b, $stageVariables.x, method.request.header.X
_VARIABLE = re.compile(
    r"\$context\.([A-Za-z0-9_.]+)|\$stageVariables\.([A-Za-z0-9_]+)|"
    r"method\.request\.(header|querystring|path)\.([A-Za-z0-9_.-]+)"
)


@dataclass(frozen=True)
class GatewayResponse:
    """One customized response type."""

    status: int | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)  # header name -> expression
    templates: Mapping[str, str] = field(default_factory=dict)  # content type -> template


@dataclass(frozen=True)
class GatewayResponses:
    """The customized types of one API (empty: API Gateway's defaults everywhere)."""

    by_type: Mapping[str, GatewayResponse] = field(default_factory=dict)

    def apply(self, response: HttpResponse, request: RequestView | None) -> HttpResponse:
        """`response` (one of API Gateway's own answers) as this API restyles it."""
        if not self.by_type or not response.own:
            return response  # the integration's own answer: never restyled
        custom = self.by_type.get(response.gateway_type or "")
        if custom is None:
            custom = self.by_type.get(DEFAULT_5XX if response.status >= 500 else DEFAULT_4XX)
        if custom is None:
            return response
        status = custom.status or response.status
        headers = list(response.headers)
        values = _Values(response, request)
        for name, expression in custom.parameters.items():
            value = values.parameter(expression)
            if value is not None:
                headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
                headers.append((name, value))
        body = response.body
        template = _template(custom.templates, request)
        if template is not None:
            body = _VARIABLE.sub(values.substitute, template).encode("utf-8")
        return HttpResponse(status, headers, body, response.gateway_type, response.error_message, own=True)


class _Values:
    def __init__(self, response: HttpResponse, request: RequestView | None) -> None:
        message = response.error_message
        self.error = {
            "message": message if message is not None else "",
            "messageString": json.dumps(message) if message else '""',
            "responseType": response.gateway_type or (DEFAULT_5XX if response.status >= 500 else DEFAULT_4XX),
        }
        self.request = request

    def context(self, dotted: str) -> str:
        if dotted.startswith("error."):
            return self.error.get(dotted[len("error.") :], "")
        value = self.request.context_value(dotted) if self.request is not None else None
        return "" if value is None else text(value)

    def parameter(self, expression: str) -> str | None:
        expression = expression.strip()
        if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
            return expression[1:-1]
        if self.request is None:
            return None
        match = _REQUEST_PARAMETER.match(expression)
        if match:
            return self.request.source(match.group(1), match.group(2))
        if expression.startswith("stageVariables."):
            return self.request.stage_variable(expression[len("stageVariables.") :])
        if expression.startswith("context."):
            return self.context(expression[len("context.") :])
        return None

    def substitute(self, match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return self.context(match.group(1))
        if match.group(2) is not None:
            value = self.request.stage_variable(match.group(2)) if self.request else None
            return value or ""
        value = self.request.source(match.group(3), match.group(4)) if self.request else None
        return value or ""


def _template(templates: Mapping[str, str], request: RequestView | None) -> str | None:
    if not templates:
        return None
    accept = (request.header("Accept") if request is not None else None) or ""
    for media_type in (part.split(";")[0].strip() for part in accept.split(",")):
        if media_type in templates:
            return templates[media_type]
    return templates.get("application/json", next(iter(templates.values())))


def read_gateway_responses(api_logical_id: str, body: Mapping[str, Any]) -> GatewayResponses:
    """The API body's `x-amazon-apigateway-gateway-responses` (what SAM's GatewayResponses becomes)."""
    raw = body.get(EXTENSION)
    if raw is None:
        return GatewayResponses()
    where = f"Resource '{api_logical_id}' property 'GatewayResponses'"
    if not isinstance(raw, Mapping):
        raise GatewayConfigError(f"{where} must be a mapping of response types")
    by_type: dict[str, GatewayResponse] = {}
    for response_type, spec in raw.items():
        name = str(response_type)
        if name not in KNOWN_TYPES:
            raise GatewayConfigError(f"{where}: '{name}' is not a gateway response type")
        if not isinstance(spec, Mapping):
            raise GatewayConfigError(f"{where}.{name} must be a mapping")
        status = spec.get("statusCode")
        try:
            code = int(status) if status not in (None, "") else None
        except (TypeError, ValueError):
            raise GatewayConfigError(f"{where}.{name}.statusCode must be a number ({status!r})") from None
        parameters = {}
        for key, value in (spec.get("responseParameters") or {}).items():
            if not str(key).startswith(_HEADER_PREFIX):
                raise GatewayConfigError(
                    f"{where}.{name}.responseParameters: '{key}' must be gatewayresponse.header.NAME"
                )
            parameters[str(key)[len(_HEADER_PREFIX) :]] = str(value)
        templates = {str(k): str(v) for k, v in (spec.get("responseTemplates") or {}).items()}
        by_type[name] = GatewayResponse(status=code, parameters=parameters, templates=templates)
    return GatewayResponses(by_type)
