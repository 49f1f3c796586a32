"""The route table: every API of a translated template, read from the OpenAPI `Body` SAM generates.

SAM turns `Events: Type: Api` into an `AWS::ApiGateway::RestApi` and `Type: HttpApi` into an
`AWS::ApiGatewayV2::Api`, each with a `Body` whose paths carry `x-amazon-apigateway-integration`
(the integration `uri` names the function's ARN), plus Stage resources. Reading that body, after
samlite's intrinsic resolution, rather than the SAM events keeps one source of truth for explicit
APIs with their own `DefinitionBody` and implicit ones alike (aws-sam-cli reads the swagger too,
samcli/commands/local/lib/swagger). Anything a route needs and cannot get is a `GatewayConfigError`
naming the API resource, the path and the method, before the server starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from samlite.apigw.api_kinds import HTTP, REST
from samlite.apigw.authorizers.config import (
    Authorizer,
    RouteAuthorization,
    read_authorizers,
    security_schemes,
)
from samlite.apigw.gateway_responses import GatewayResponses, read_gateway_responses
from samlite.apigw.integrations.config import (
    RestIntegration,
    ServiceIntegration,
    read_rest_integration,
    read_service_integration,
)
from samlite.apigw.integrations.subtypes import check_subtype
from samlite.apigw.paths import PathTemplate
from samlite.errors import GatewayConfigError
from samlite.model import FunctionSpec
from samlite.template import Stack
from samlite.template.versions import qualified_target

REST_API_TYPE = "AWS::ApiGateway::RestApi"
HTTP_API_TYPE = "AWS::ApiGatewayV2::Api"
_REST_STAGE_TYPE = "AWS::ApiGateway::Stage"
_REST_DEPLOYMENT_TYPE = "AWS::ApiGateway::Deployment"
_HTTP_STAGE_TYPE = "AWS::ApiGatewayV2::Stage"
ANY_METHOD = "ANY"
DEFAULT_ROUTE = "$default"  # an HTTP API's catch-all route (what no other route matches)
_OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
_ANY_KEY = "x-amazon-apigateway-any-method"
_INTEGRATION_KEY = "x-amazon-apigateway-integration"
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations
_LAMBDA_URI = re.compile(r"^arn:[^:]+:apigateway:[^:]*:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")
_QUALIFIED_FUNCTION_ARN = re.compile(r"^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::[^:]+)?$")


@dataclass(frozen=True)
class Route:
    """One method on one path of an API, and what answers it: a Lambda proxy `function`, or another
    `integration` (REST MOCK / AWS, an HTTP API service integration); `authorization` when an
    authorizer protects it."""

    method: str  # upper case, or ANY
    path: PathTemplate
    function: FunctionSpec | None = None  # a Lambda proxy integration
    integration: RestIntegration | ServiceIntegration | None = None
    payload_format: str = "1.0"
    api_key_required: bool = False
    timeout_s: float | None = None  # the integration's own `timeoutInMillis`, else the gateway's
    authorization: RouteAuthorization | None = None

    @property
    def route_key(self) -> str:
        """HTTP APIs' `routeKey`: `GET /items/{id}` (`ANY /x` for any-method routes, `$default`)."""
        if self.path.is_default:
            return DEFAULT_ROUTE
        return f"{self.method} {self.path.template}"


@dataclass(frozen=True)
class HttpCors:
    """An HTTP API's `x-amazon-apigateway-cors` (API Gateway answers preflights itself)."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class ApiDefinition:
    """One API as the gateway serves it: its routes, deployed stage and settings."""

    logical_id: str
    kind: str  # REST or HTTP
    api_id: str  # what `Ref` of the API gives: the id in its execute-api host name
    stage: str
    routes: tuple[Route, ...]
    stage_variables: Mapping[str, str] = field(default_factory=dict)
    binary_media_types: tuple[str, ...] = ()
    api_key_source: str = "HEADER"
    cors: HttpCors | None = None
    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    gateway_responses: GatewayResponses = field(default_factory=GatewayResponses)

    @property
    def requires_api_key(self) -> bool:
        return any(route.api_key_required for route in self.routes)


@dataclass
class RouteTable:
    """Every API of a stack, plus notes on what was skipped (printed by `samlite start`)."""

    apis: list[ApiDefinition]
    warnings: list[str] = field(default_factory=list)


def load_routes(stack: Stack) -> RouteTable:
    """Read every REST and HTTP API of `stack` (a `samlite.template.Stack`)."""

    def functions_by_arn(arn: str) -> FunctionSpec | None:
        """The function version an integration's ARN reaches: unqualified, a version or an alias."""
        target = qualified_target(stack.resources, arn)
        spec = stack.functions.get(target.function_id) if target is not None else None
        if spec is None or target is None or target.version == spec.version:
            return spec
        return replace(spec, version=target.version)

    unsupported_by_arn = {
        str(stack.resources[logical_id].attributes.get("Arn", "")): reason
        for logical_id, reason in stack.unsupported_functions.items()
        if logical_id in stack.resources
    }
    table = RouteTable(apis=[])
    for logical_id, resource in stack.resources.items():
        if resource.type not in (REST_API_TYPE, HTTP_API_TYPE):
            continue
        kind = REST if resource.type == REST_API_TYPE else HTTP
        body = resource.properties.get("Body")
        if not isinstance(body, Mapping):
            table.warnings.append(
                f"Resource '{logical_id}' ({resource.type}) has no inline 'Body': samlite serves APIs "
                "defined by SAM events or an inline DefinitionBody only; it is not served"
            )
            continue
        reader = _BodyReader(
            logical_id,
            kind,
            body,
            functions_by_arn=functions_by_arn,
            unsupported_by_arn=unsupported_by_arn,
            warnings=table.warnings,
        )
        routes = reader.routes()
        stage, variables = _stage(stack.resources, logical_id, resource.ref, kind)
        gateway_responses = read_gateway_responses(logical_id, body) if kind == REST else GatewayResponses()
        table.apis.append(
            ApiDefinition(
                logical_id=logical_id,
                kind=kind,
                api_id=resource.ref,
                stage=stage,
                routes=tuple(routes),
                stage_variables=variables,
                binary_media_types=_binary_media_types(body, resource.properties),
                api_key_source=str(
                    resource.properties.get("ApiKeySourceType")
                    or body.get("x-amazon-apigateway-api-key-source")
                    or "HEADER"
                ).upper(),
                cors=_http_cors(logical_id, body.get("x-amazon-apigateway-cors")) if kind == HTTP else None,
                authorizers=reader.authorizers,
                gateway_responses=gateway_responses,
            )
        )
    return table


class _BodyReader:
    """Reads the routes of one API body (swagger 2.0 or OpenAPI 3)."""

    def __init__(
        self,
        logical_id: str,
        kind: str,
        body: Mapping[str, Any],
        *,
        functions_by_arn: Callable[[str], FunctionSpec | None],
        unsupported_by_arn: Mapping[str, str],
        warnings: list[str],
    ) -> None:
        self.logical_id = logical_id
        self.kind = kind
        self.body = body
        self.functions_by_arn = functions_by_arn
        self.unsupported_by_arn = unsupported_by_arn
        self.warnings = warnings
        self.default_security = body.get("security") or []
        self.api_key_schemes = _api_key_schemes(body)
        self.authorizers = read_authorizers(logical_id, kind, body, self.function)
        self.schemes = security_schemes(body)

    def where(self, path: str, method: str) -> str:
        return f"Resource '{self.logical_id}' route {method} {path}"

    def routes(self) -> list[Route]:
        paths = self.body.get("paths") or {}
        if not isinstance(paths, Mapping):
            raise GatewayConfigError(f"Resource '{self.logical_id}' property 'Body.paths' must be a mapping")
        routes: list[Route] = []
        for path, operations in paths.items():
            if not isinstance(operations, Mapping):
                raise GatewayConfigError(f"Resource '{self.logical_id}' path '{path}' must be a mapping")
            try:
                template = PathTemplate.default() if path == DEFAULT_ROUTE else PathTemplate.parse(str(path))
            except ValueError as exc:
                raise GatewayConfigError(f"Resource '{self.logical_id}' path '{path}': {exc}") from None
            for key, operation in operations.items():
                lowered = str(key).lower()
                if lowered == _ANY_KEY:
                    method = ANY_METHOD
                elif lowered in _OPENAPI_METHODS:
                    method = lowered.upper()
                else:
                    continue  # `parameters`, `summary` and other path-level keys
                route = self.route(template, method, operation)
                if route is not None:
                    routes.append(route)
        return routes

    def route(self, template: PathTemplate, method: str, operation: Any) -> Route | None:
        where = self.where(template.template, method)
        if not isinstance(operation, Mapping):
            raise GatewayConfigError(f"{where}: the operation must be a mapping")
        integration = operation.get(_INTEGRATION_KEY)
        if not isinstance(integration, Mapping):
            self.warnings.append(f"{where}: no {_INTEGRATION_KEY}; not served")
            return None
        security = operation.get("security", self.default_security) or []
        key_required = any(
            isinstance(requirement, Mapping) and any(name in self.api_key_schemes for name in requirement)
            for requirement in security
        )
        authorization = self.authorization(where, security)
        timeout_s = _timeout_s(where, integration.get("timeoutInMillis"))
        kind = str(integration.get("type", "")).lower()
        common: dict[str, Any] = {
            "method": method,
            "path": template,
            "api_key_required": key_required,
            "timeout_s": timeout_s,
            "authorization": authorization,
        }
        if kind == "aws_proxy":
            payload_format = str(
                integration.get("payloadFormatVersion") or ("1.0" if self.kind == REST else "2.0")
            )
            if self.kind == HTTP and "integrationSubtype" in integration:
                service = read_service_integration(where, integration, timeout_s)
                check_subtype(where, service)
                return Route(integration=service, payload_format=payload_format, **common)
            return Route(
                function=self.function(where, integration.get("uri")), payload_format=payload_format, **common
            )
        if kind in ("mock", "aws") and self.kind == REST:
            return Route(
                integration=read_rest_integration(where, integration, self.function, timeout_s), **common
            )
        supported = "aws_proxy, aws, mock" if self.kind == REST else "aws_proxy"
        self.warnings.append(
            f"{where}: integration type '{kind}' is not served by samlite ({supported} are); not served"
        )
        return None

    def authorization(self, where: str, security: Any) -> RouteAuthorization | None:
        """The authorizer a route's `security` names (API key schemes aside), with its scopes."""
        named = [
            (str(name), scopes)
            for requirement in security
            if isinstance(requirement, Mapping)
            for name, scopes in requirement.items()
            if str(name) not in self.api_key_schemes
        ]
        if not named:
            return None
        if len(named) > 1:
            raise GatewayConfigError(
                f"{where}: more than one authorizer ({', '.join(n for n, _ in named)}); a route has one"
            )
        name, scopes = named[0]
        authorizer = self.authorizers.get(name)
        if authorizer is None:
            scheme = self.schemes.get(name) or {}
            if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4" or name == "AWS_IAM":
                self.warnings.append(f"{where}: IAM authorization (AWS_IAM) is not enforced locally")
                return None
            raise GatewayConfigError(
                f"{where}: the route names authorizer '{name}', which the API does not define"
            )
        if scopes is not None and not isinstance(scopes, list):
            raise GatewayConfigError(f"{where}: the scopes of authorizer '{name}' must be a list")
        return RouteAuthorization(authorizer, tuple(str(scope) for scope in scopes or ()))

    def function(self, where: str, uri: Any) -> FunctionSpec:
        if not isinstance(uri, str):
            raise GatewayConfigError(f"{where}: the integration uri could not be resolved ({uri!r})")
        match = _LAMBDA_URI.match(uri)
        if match is None:
            raise GatewayConfigError(f"{where}: the integration uri '{uri}' does not name a Lambda function")
        arn = match.group("arn")
        unqualified = _QUALIFIED_FUNCTION_ARN.match(arn)
        base_arn = unqualified.group(1) if unqualified else arn
        spec = self.functions_by_arn(arn)
        if spec is not None:
            return spec
        reason = self.unsupported_by_arn.get(base_arn)
        if reason is not None:
            raise GatewayConfigError(f"{where}: {reason}")
        raise GatewayConfigError(
            f"{where}: the integration names function '{arn}', which is not in the template"
        )


def _timeout_s(where: str, millis: Any) -> float | None:
    if millis is None:
        return None
    try:
        value = int(millis)
    except (TypeError, ValueError):
        raise GatewayConfigError(f"{where}: timeoutInMillis must be a number, not {millis!r}") from None
    if value < 50:  # API Gateway's minimum integration timeout
        raise GatewayConfigError(f"{where}: timeoutInMillis must be at least 50, not {value}")
    return value / 1000.0


def _api_key_schemes(body: Mapping[str, Any]) -> set[str]:
    """Names of the security schemes that are API keys (`api_key` in what SAM generates)."""
    definitions = dict(body.get("securityDefinitions") or {})
    definitions.update((body.get("components") or {}).get("securitySchemes") or {})
    return {
        name
        for name, scheme in definitions.items()
        if isinstance(scheme, Mapping)
        and scheme.get("type") == "apiKey"
        and str(scheme.get("name", "")).lower() == "x-api-key"
        and "x-amazon-apigateway-authtype" not in scheme  # a Lambda authorizer, not an API key
    }


def _stage(
    resources: Mapping[str, Any], logical_id: str, api_ref: str, kind: str
) -> tuple[str, dict[str, str]]:
    """The API's stage name and variables (the first Stage resource deploying it)."""
    stage_type = _REST_STAGE_TYPE if kind == REST else _HTTP_STAGE_TYPE
    id_key = "RestApiId" if kind == REST else "ApiId"
    for resource in resources.values():
        if resource.type == stage_type and resource.properties.get(id_key) == api_ref:
            variables = (
                resource.properties.get("Variables") or resource.properties.get("StageVariables") or {}
            )
            return str(resource.properties.get("StageName", resource.ref)), {
                str(k): str(v) for k, v in variables.items()
            }
    if kind == REST:
        for resource in resources.values():
            if (
                resource.type == _REST_DEPLOYMENT_TYPE
                and resource.properties.get("RestApiId") == api_ref
                and resource.properties.get("StageName")
            ):
                return str(resource.properties["StageName"]), {}
        raise GatewayConfigError(
            f"Resource '{logical_id}': no AWS::ApiGateway::Stage or Deployment deploys it"
        )
    return "$default", {}


def _binary_media_types(body: Mapping[str, Any], properties: Mapping[str, Any]) -> tuple[str, ...]:
    # SAM writes them into the body decoded (`image/png`) and into BinaryMediaTypes escaped (`image~1png`).
    values = list(body.get("x-amazon-apigateway-binary-media-types") or [])
    values += [str(value).replace("~1", "/") for value in properties.get("BinaryMediaTypes") or []]
    return tuple(dict.fromkeys(str(value) for value in values))


def _http_cors(logical_id: str, raw: Any) -> HttpCors | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise GatewayConfigError(
            f"Resource '{logical_id}' property 'Body.x-amazon-apigateway-cors' must be a mapping"
        )

    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(value) for value in raw.get(key) or [])

    max_age = raw.get("maxAge")
    return HttpCors(
        allow_origins=strings("allowOrigins"),
        allow_methods=tuple(method.upper() for method in strings("allowMethods")),
        allow_headers=tuple(header.lower() for header in strings("allowHeaders")),
        expose_headers=strings("exposeHeaders"),
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=bool(raw.get("allowCredentials", False)),
    )
