"""The authorizers an API declares, read from its OpenAPI body's security schemes.

SAM writes every `Auth.Authorizers` entry as a security scheme with `x-amazon-apigateway-authorizer`
(swagger `securityDefinitions` for REST APIs, OpenAPI `components.securitySchemes` for HTTP APIs),
and a route's `security` names the scheme and, for JWT and Cognito authorizers, its scopes. The
extension's fields: API Gateway Developer Guide, "x-amazon-apigateway-authorizer object" (type
token / request / cognito_user_pools / jwt, authorizerUri, identitySource,
authorizerResultTtlInSeconds, identityValidationExpression, providerARNs, jwtConfiguration,
authorizerPayloadFormatVersion, enableSimpleResponses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.errors import GatewayConfigError
from samlite.model import FunctionSpec

AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
REST_DEFAULT_TTL_S = 300  # REST authorizers cache for 300 s unless told otherwise
_REST_SOURCE = re.compile(r"^method\.request\.(header|querystring)\.(.+)$")
_HTTP_SOURCE = re.compile(r"^\$request\.(header|querystring)\.(.+)$")
_CONTEXT_SOURCE = re.compile(r"^\$?context\.(.+)$")
_STAGE_SOURCE = re.compile(r"^\$?stageVariables\.(.+)$")


@dataclass(frozen=True)
class IdentitySource:
    """Where a piece of the caller's identity comes from: a header, query string, context variable
    or stage variable, and its name; `expression` is the text as written."""

    where: str  # header | querystring | context | stageVariables
    name: str
    expression: str


@dataclass(frozen=True)
class LambdaAuthorizer:
    """A Lambda authorizer: REST TOKEN or REQUEST, or an HTTP API one (`payload_format` 1.0 / 2.0)."""

    name: str
    api_kind: str  # REST or HTTP
    event_type: str  # TOKEN or REQUEST
    function: FunctionSpec
    identity_sources: tuple[IdentitySource, ...]
    ttl_s: int
    validation_expression: str | None = None
    payload_format: str = "1.0"
    simple_responses: bool = False


@dataclass(frozen=True)
class JwtAuthorizer:
    """An HTTP API JWT authorizer: the issuer whose JWKS signs the tokens, and the audiences."""

    name: str
    issuer: str
    audiences: tuple[str, ...]
    identity_sources: tuple[IdentitySource, ...]


@dataclass(frozen=True)
class CognitoAuthorizer:
    """A REST API Cognito user pool authorizer: tokens of any of these user pools are accepted."""

    name: str
    user_pool_arns: tuple[str, ...]
    identity_source: IdentitySource


Authorizer = LambdaAuthorizer | JwtAuthorizer | CognitoAuthorizer


@dataclass(frozen=True)
class RouteAuthorization:
    """The authorizer a route requires and the scopes it asks of a JWT or Cognito token."""

    authorizer: Authorizer
    scopes: tuple[str, ...] = ()


FunctionLookup = Callable[[str, Any], FunctionSpec]  # (where, authorizerUri) -> the function


def security_schemes(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    schemes: dict[str, Mapping[str, Any]] = {}
    for source in (body.get("securityDefinitions"), (body.get("components") or {}).get("securitySchemes")):
        if isinstance(source, Mapping):
            schemes.update({str(k): v for k, v in source.items() if isinstance(v, Mapping)})
    return schemes


def read_authorizers(
    api_logical_id: str, api_kind: str, body: Mapping[str, Any], function: FunctionLookup
) -> dict[str, Authorizer]:
    """Every authorizer scheme of an API body, by scheme name; a scheme that cannot be enforced as
    written is a `GatewayConfigError` naming the API, the authorizer and the field."""
    found: dict[str, Authorizer] = {}
    for name, scheme in security_schemes(body).items():
        raw = scheme.get(AUTHORIZER_KEY)
        if not isinstance(raw, Mapping):
            continue
        where = f"Resource '{api_logical_id}' authorizer '{name}'"
        kind = str(raw.get("type", "")).lower()
        if kind in ("token", "request"):
            found[name] = _lambda_authorizer(
                where, name=name, api_kind=api_kind, kind=kind, scheme=scheme, raw=raw, function=function
            )
        elif kind == "cognito_user_pools":
            found[name] = _cognito_authorizer(where, name, scheme, raw)
        elif kind == "jwt":
            found[name] = _jwt_authorizer(where, name, raw)
        else:
            raise GatewayConfigError(f"{where}: authorizer type '{kind}' is not one API Gateway knows")
    return found


def _lambda_authorizer(
    where: str,
    *,
    name: str,
    api_kind: str,
    kind: str,
    scheme: Mapping[str, Any],
    raw: Mapping[str, Any],
    function: FunctionLookup,
) -> LambdaAuthorizer:
    spec = function(where, raw.get("authorizerUri"))
    http = api_kind == "HTTP"
    sources_raw = raw.get("identitySource")
    if kind == "token" and not sources_raw:
        sources_raw = f"method.request.header.{scheme.get('name') or 'Authorization'}"
    sources = parse_identity_sources(where, sources_raw, http=http)
    if kind == "token" and (len(sources) != 1 or sources[0].where != "header"):
        raise GatewayConfigError(f"{where}: a TOKEN authorizer's identitySource must be one header")
    ttl = _ttl(where, raw.get("authorizerResultTtlInSeconds"), 0 if http else REST_DEFAULT_TTL_S)
    payload = str(raw.get("authorizerPayloadFormatVersion") or "1.0") if http else "1.0"
    if payload not in ("1.0", "2.0"):
        raise GatewayConfigError(f"{where}: authorizerPayloadFormatVersion must be 1.0 or 2.0, not {payload}")
    simple = bool(raw.get("enableSimpleResponses", False))
    if simple and payload != "2.0":
        raise GatewayConfigError(f"{where}: enableSimpleResponses needs authorizerPayloadFormatVersion 2.0")
    expression = raw.get("identityValidationExpression")
    if expression is not None:
        try:
            re.compile(str(expression))
        except re.error as exc:
            raise GatewayConfigError(f"{where}: identityValidationExpression is not a regex: {exc}") from None
    return LambdaAuthorizer(
        name=name,
        api_kind=api_kind,
        event_type="TOKEN" if kind == "token" else "REQUEST",
        function=spec,
        identity_sources=sources,
        ttl_s=ttl,
        validation_expression=str(expression) if expression is not None else None,
        payload_format=payload,
        simple_responses=simple,
    )


def _cognito_authorizer(
    where: str, name: str, scheme: Mapping[str, Any], raw: Mapping[str, Any]
) -> CognitoAuthorizer:
    arns = raw.get("providerARNs")
    if not isinstance(arns, list) or not arns or not all(isinstance(arn, str) for arn in arns):
        raise GatewayConfigError(f"{where}: providerARNs must list the user pools' ARNs ({arns!r})")
    source_raw = raw.get("identitySource") or f"method.request.header.{scheme.get('name') or 'Authorization'}"
    sources = parse_identity_sources(where, source_raw, http=False)
    if len(sources) != 1 or sources[0].where != "header":
        raise GatewayConfigError(f"{where}: a Cognito authorizer's identitySource must be one header")
    return CognitoAuthorizer(name=name, user_pool_arns=tuple(arns), identity_source=sources[0])


def _jwt_authorizer(where: str, name: str, raw: Mapping[str, Any]) -> JwtAuthorizer:
    config = raw.get("jwtConfiguration")
    if not isinstance(config, Mapping):
        raise GatewayConfigError(f"{where}: a JWT authorizer needs jwtConfiguration")
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise GatewayConfigError(f"{where}: jwtConfiguration.issuer could not be resolved ({issuer!r})")
    audiences = config.get("audience") or []
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise GatewayConfigError(f"{where}: jwtConfiguration.audience must be a list of strings")
    sources = parse_identity_sources(
        where, raw.get("identitySource") or "$request.header.Authorization", http=True
    )
    return JwtAuthorizer(
        name=name, issuer=issuer.rstrip("/"), audiences=tuple(audiences), identity_sources=sources
    )


def parse_identity_sources(where: str, raw: Any, *, http: bool) -> tuple[IdentitySource, ...]:
    """REST writes `method.request.header.X, method.request.querystring.y` (one string), HTTP APIs a
    list of `$request.header.X`, `$context.x`, `$stageVariables.x` selection expressions."""
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else str(raw).split(",")
    sources = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        match = (_HTTP_SOURCE if http else _REST_SOURCE).match(text)
        if match:
            sources.append(IdentitySource(match.group(1), match.group(2), text))
            continue
        match = _CONTEXT_SOURCE.match(text)
        if match:
            sources.append(IdentitySource("context", match.group(1), text))
            continue
        match = _STAGE_SOURCE.match(text)
        if match:
            sources.append(IdentitySource("stageVariables", match.group(1), text))
            continue
        raise GatewayConfigError(f"{where}: identity source '{text}' is not one API Gateway reads")
    return tuple(sources)


def _ttl(where: str, raw: Any, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise GatewayConfigError(
            f"{where}: authorizerResultTtlInSeconds must be a number ({raw!r})"
        ) from None
    if not 0 <= value <= 3600:
        raise GatewayConfigError(f"{where}: authorizerResultTtlInSeconds must be 0 to 3600, not {value}")
    return value
