"""Integrations other than Lambda proxy, read from `x-amazon-apigateway-integration`.

REST APIs ("x-amazon-apigateway-integration object"): `type: aws` with a service URI
`arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}` or `...:path/{path}` (a Lambda
`.../functions/{arn}/invocations` URI is the non-proxy Lambda integration), `httpMethod`,
`credentials` (the role API Gateway assumes), `requestParameters`, `requestTemplates`,
`passthroughBehavior` and `responses` (selection pattern -> statusCode, responseParameters,
responseTemplates); `type: mock` with the same templates and responses.
HTTP APIs ("Working with AWS service integrations for HTTP APIs"): `type: aws_proxy` with
`integrationSubtype` (SQS-SendMessage, EventBridge-PutEvents, StepFunctions-StartExecution, ...),
`requestParameters` and `credentials`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import GatewayConfigError
from samlite.model import FunctionSpec

_SERVICE_URI = re.compile(
    r"^arn:[^:]+:apigateway:(?P<region>[^:]*):(?P<host>[^:]+):(?P<kind>action|path)/(?P<rest>.*)$"
)
PASSTHROUGH = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
DEFAULT_PATTERN = "default"


@dataclass(frozen=True)
class IntegrationResponse:
    """One entry of `responses`: chosen when `pattern` (a regex) matches, or the default."""

    pattern: str | None  # None: the default response
    status: int
    parameters: Mapping[str, str] = field(default_factory=dict)  # header name -> expression
    templates: Mapping[str, str] = field(default_factory=dict)  # content type -> VTL template
    content_handling: str | None = None


@dataclass(frozen=True)
class RestIntegration:
    """A REST API's `AWS` (service or non-proxy Lambda) or `MOCK` integration."""

    kind: str  # AWS or MOCK
    http_method: str = "POST"
    service: str | None = None  # sqs, sns, dynamodb, states, s3, lambda, ...
    subdomain: str | None = None
    action: str | None = None  # `action/SendMessage`
    path: str | None = None  # `path/123456789012/queue`
    function: FunctionSpec | None = None  # a non-proxy Lambda integration
    credentials: str | None = None
    request_parameters: Mapping[str, str] = field(default_factory=dict)  # integration.request.* -> expr
    request_templates: Mapping[str, str] = field(default_factory=dict)
    passthrough: str = "WHEN_NO_MATCH"
    responses: tuple[IntegrationResponse, ...] = ()
    timeout_s: float | None = None


@dataclass(frozen=True)
class ServiceIntegration:
    """An HTTP API first-class integration: one AWS action with its mapped parameters."""

    subtype: str
    parameters: Mapping[str, str]
    credentials: str | None = None
    timeout_s: float | None = None


def read_rest_integration(
    where: str, raw: Mapping[str, Any], function_of: Any, timeout_s: float | None
) -> RestIntegration:
    """`function_of(where, uri)` resolves a Lambda URI (non-proxy Lambda integrations)."""
    kind = str(raw.get("type", "")).lower()
    common = {
        "credentials": _optional_str(where, raw, "credentials"),
        "request_parameters": _string_map(where, raw, "requestParameters"),
        "request_templates": _string_map(where, raw, "requestTemplates"),
        "passthrough": _passthrough(where, raw),
        "responses": _responses(where, raw.get("responses")),
        "timeout_s": timeout_s,
    }
    if kind == "mock":
        return RestIntegration(kind="MOCK", **common)
    uri = raw.get("uri")
    if not isinstance(uri, str):
        raise GatewayConfigError(f"{where}: the integration uri could not be resolved ({uri!r})")
    method = str(raw.get("httpMethod") or "POST").upper()
    if ":lambda:path/" in uri and "/functions/" in uri:
        return RestIntegration(
            kind="AWS", http_method=method, service="lambda", function=function_of(where, uri), **common
        )
    match = _SERVICE_URI.match(uri)
    if match is None:
        raise GatewayConfigError(
            f"{where}: the integration uri '{uri}' is not an AWS service URI "
            "(arn:aws:apigateway:REGION:SERVICE:action/ACTION or :path/PATH)"
        )
    host = match.group("host")
    subdomain, _, service = host.rpartition(".")
    rest = match.group("rest")
    return RestIntegration(
        kind="AWS",
        http_method=method,
        service=service,
        subdomain=subdomain or None,
        action=rest if match.group("kind") == "action" else None,
        path=rest if match.group("kind") == "path" else None,
        **common,
    )


def read_service_integration(
    where: str, raw: Mapping[str, Any], timeout_s: float | None
) -> ServiceIntegration:
    subtype = raw.get("integrationSubtype")
    if not isinstance(subtype, str) or not subtype:
        raise GatewayConfigError(
            f"{where}: an aws_proxy integration without a function needs integrationSubtype"
        )
    return ServiceIntegration(
        subtype=subtype,
        parameters=_string_map(where, raw, "requestParameters"),
        credentials=_optional_str(where, raw, "credentials"),
        timeout_s=timeout_s,
    )


def _optional_str(where: str, raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise GatewayConfigError(f"{where}: integration {key} could not be resolved ({value!r})")
    return value


def _string_map(where: str, raw: Mapping[str, Any], key: str) -> dict[str, str]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise GatewayConfigError(f"{where}: integration {key} must be a mapping")
    result = {}
    for name, item in value.items():
        text = (
            str(item).lower()
            if isinstance(item, bool)
            else str(item)
            if isinstance(item, int | float)
            else item
        )
        if not isinstance(text, str):
            raise GatewayConfigError(f"{where}: integration {key}['{name}'] could not be resolved ({item!r})")
        result[str(name)] = text
    return result


def _passthrough(where: str, raw: Mapping[str, Any]) -> str:
    value = str(raw.get("passthroughBehavior") or "WHEN_NO_MATCH").upper()
    if value not in PASSTHROUGH:
        raise GatewayConfigError(f"{where}: passthroughBehavior must be one of {', '.join(PASSTHROUGH)}")
    return value


def _responses(where: str, raw: Any) -> tuple[IntegrationResponse, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise GatewayConfigError(f"{where}: integration responses must be a mapping")
    found = []
    for pattern, spec in raw.items():
        if not isinstance(spec, Mapping):
            raise GatewayConfigError(f"{where}: integration response '{pattern}' must be a mapping")
        try:
            status = int(spec.get("statusCode", 200))
        except (TypeError, ValueError):
            raise GatewayConfigError(
                f"{where}: integration response '{pattern}' statusCode must be a number"
            ) from None
        text = str(pattern)
        if text != DEFAULT_PATTERN:
            try:
                re.compile(text)
            except re.error as exc:
                raise GatewayConfigError(
                    f"{where}: selection pattern '{text}' is not a regex: {exc}"
                ) from None
        prefix = "method.response.header."
        parameters = {}
        for name, value in (spec.get("responseParameters") or {}).items():
            if not str(name).startswith(prefix):
                raise GatewayConfigError(f"{where}: response parameter '{name}' must be {prefix}NAME")
            parameters[str(name)[len(prefix) :]] = str(value)
        templates = {str(k): str(v) for k, v in (spec.get("responseTemplates") or {}).items()}
        found.append(
            IntegrationResponse(
                pattern=None if text in (DEFAULT_PATTERN, "") else text,
                status=status,
                parameters=parameters,
                templates=templates,
                content_handling=spec.get("contentHandling"),
            )
        )
    return tuple(found)
