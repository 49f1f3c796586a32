"""`AuthorizerGate`: a protected route's request is let through, or answered 401 / 403 / 500, as
API Gateway does before it calls the integration.

Lambda authorizers (REST TOKEN and REQUEST, HTTP API payload 1.0 and 2.0) are invoked through the
same `invoke` the gateway uses for integrations, with the event AWS builds ("Input to an API Gateway
Lambda authorizer"); their answer is cached per identity for the authorizer's TTL ("Caching authorizer
responses") and its policy evaluated against the request's method ARN. JWT authorizers (HTTP APIs)
and Cognito user pool authorizers (REST APIs) verify the bearer token against the issuer's JWKS.
What each lets through is what the integration sees in `requestContext.authorizer`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.apigw import responses
from samlite.apigw.authorizers.cache import ResultCache
from samlite.apigw.authorizers.claims import http_claims, rest_claims
from samlite.apigw.authorizers.config import (
    CognitoAuthorizer,
    JwtAuthorizer,
    LambdaAuthorizer,
    RouteAuthorization,
)
from samlite.apigw.authorizers.jwks import JwksCache
from samlite.apigw.authorizers.lambda_output import AuthorizerOutput, MalformedOutput, read_output
from samlite.apigw.authorizers.policy import MalformedPolicy, Verdict, evaluate
from samlite.apigw.authorizers.tokens import InvalidToken, bearer_value, token_scopes, verify
from samlite.apigw.messages import HttpResponse
from samlite.apigw.request_view import RequestView, text
from samlite.events.apigateway_authorizer import (
    http_authorizer_event_v1,
    http_authorizer_event_v2,
    request_authorizer_event,
    token_authorizer_event,
)
from samlite.model import FunctionSpec, InvocationResult

Invoke = Callable[[FunctionSpec, bytes], InvocationResult]
ProxyEvent = Callable[[str], dict[str, Any]]  # payload format ("1.0" / "2.0") -> the request's event
_UNAUTHORIZED = "Unauthorized"  # the error message a Lambda authorizer raises to refuse with 401


@dataclass(frozen=True)
class AuthRequest:
    """One request to a protected route, as the gate needs it."""

    api_kind: str  # REST or HTTP
    authorization: RouteAuthorization
    view: RequestView
    method_arn: str
    proxy_event: ProxyEvent
    route_payload_format: str
    where: str  # for log lines: "Api GET /items -> Authorizer"


@dataclass(frozen=True)
class Granted:
    """Let through: what goes into `requestContext.authorizer` and `$context.authorizer`."""

    event_authorizer: Mapping[str, Any]
    context_authorizer: Mapping[str, Any]
    principal_id: str | None = None
    usage_identifier_key: str | None = None


Outcome = Granted | HttpResponse


@dataclass
class AuthorizerGate:
    """Decides protected requests; one per gateway (its caches live as long as the gateway)."""

    invoke: Invoke
    jwks: JwksCache
    log: Callable[[str], None] = lambda line: None
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    _caches: dict[int, ResultCache] = field(default_factory=dict)

    def authorize(self, request: AuthRequest) -> Outcome:
        authorizer = request.authorization.authorizer
        if isinstance(authorizer, LambdaAuthorizer):
            return self._lambda(authorizer, request)
        if isinstance(authorizer, JwtAuthorizer):
            return self._jwt(authorizer, request)
        return self._cognito(authorizer, request)

    def clear_caches(self) -> None:
        for cache in self._caches.values():
            cache.clear()

    # -- Lambda authorizers ----------------------------------------------------------------------

    def _lambda(self, authorizer: LambdaAuthorizer, request: AuthRequest) -> Outcome:
        rest = request.api_kind == "REST"
        values = [request.view.source(s.where, s.name) for s in authorizer.identity_sources]
        if any(value is None or value == "" for value in values):
            # "If the client's request doesn't include the identity sources, API Gateway doesn't
            # invoke your Lambda authorizer, and the client receives a 401 error."
            return self._unauthorized(rest)
        identity = [str(value) for value in values]
        if authorizer.validation_expression is not None and not _full_match(
            authorizer.validation_expression, identity[0]
        ):
            return self._unauthorized(rest)
        cache = self._caches.setdefault(id(authorizer), ResultCache(self.clock))
        key = tuple(identity)
        cacheable = authorizer.ttl_s > 0 and bool(authorizer.identity_sources)
        output = cache.get(key) if cacheable else None
        latency_ms = 0
        if output is None:
            started = self.clock()
            answer = self._invoke_authorizer(authorizer, request, identity)
            latency_ms = int((self.clock() - started) * 1000)
            if isinstance(answer, HttpResponse):
                return answer
            output = answer
            if cacheable:
                cache.put(key, output, authorizer.ttl_s)
        return self._decide(authorizer, request, output, latency_ms)

    def _invoke_authorizer(
        self, authorizer: LambdaAuthorizer, request: AuthRequest, identity: list[str]
    ) -> AuthorizerOutput | HttpResponse:
        rest = request.api_kind == "REST"
        where = f"{request.where} (authorizer {authorizer.name} -> {authorizer.function.logical_id})"
        event = self._event(authorizer, request, identity)
        try:
            result = self.invoke(authorizer.function, json.dumps(event, separators=(",", ":")).encode())
        except Exception as exc:
            self.log(f"{where}: the authorizer could not be invoked: {exc}")
            return self._authorizer_error(rest)
        if result.failed:
            if _error_message(result.payload) == _UNAUTHORIZED:
                return self._unauthorized(rest)
            self.log(f"{where}: the authorizer failed ({result.error_type}): {result.payload[:300]!r}")
            return self._authorizer_error(rest)
        try:
            return read_output(authorizer, result.payload)
        except MalformedOutput as exc:
            self.log(f"{where}: Execution failed due to configuration error: {exc}")
            return self._authorizer_error(rest)

    @staticmethod
    def _event(authorizer: LambdaAuthorizer, request: AuthRequest, identity: list[str]) -> dict[str, Any]:
        if authorizer.api_kind == "REST":
            if authorizer.event_type == "TOKEN":
                return token_authorizer_event(identity[0], request.method_arn)
            return request_authorizer_event(request.proxy_event("1.0"), request.method_arn)
        if authorizer.payload_format == "2.0":
            return http_authorizer_event_v2(request.proxy_event("2.0"), request.method_arn, identity)
        return http_authorizer_event_v1(request.proxy_event("1.0"), request.method_arn, identity)

    def _decide(
        self, authorizer: LambdaAuthorizer, request: AuthRequest, output: AuthorizerOutput, latency_ms: int
    ) -> Outcome:
        rest = request.api_kind == "REST"
        if output.is_authorized is not None:
            if not output.is_authorized:
                return responses.http_forbidden()
        else:
            try:
                verdict = evaluate(output.policy, request.method_arn)
            except MalformedPolicy as exc:
                self.log(f"{request.where}: authorizer {authorizer.name}: invalid policyDocument: {exc}")
                return self._authorizer_error(rest)
            if verdict is not Verdict.ALLOW:
                if not rest:
                    return responses.http_forbidden()
                return responses.rest_access_denied(explicit=verdict is Verdict.EXPLICIT_DENY)
        context = dict(output.context or {})
        if rest or request.route_payload_format == "1.0":
            # REST and payload 1.0: principalId and the context's values, stringified, side by side.
            flat = {key: text(value) for key, value in context.items()}
            event = {**flat, "principalId": output.principal_id or "", "integrationLatency": latency_ms}
            if not rest and output.principal_id is None:
                event.pop("principalId")
            return Granted(
                event,
                {**flat, "principalId": output.principal_id or ""},
                output.principal_id,
                output.usage_identifier_key,
            )
        return Granted({"lambda": context}, context, output.principal_id, output.usage_identifier_key)

    # -- JWT authorizers (HTTP APIs) ---------------------------------------------------------------

    def _jwt(self, authorizer: JwtAuthorizer, request: AuthRequest) -> Outcome:
        raw = next(
            (
                value
                for value in (request.view.source(s.where, s.name) for s in authorizer.identity_sources)
                if value
            ),
            None,
        )
        if raw is None:
            return responses.http_unauthorized()
        try:
            token = verify(bearer_value(raw), [authorizer.issuer], self.jwks.keys, self.wall_clock)
        except InvalidToken as exc:
            if exc.unavailable:
                self.log(f"{request.where}: JWT authorizer {authorizer.name}: {exc.description}")
            return responses.http_unauthorized(_www_authenticate("invalid_token", exc.description))
        claims = token.claims
        audiences = claims.get("aud", claims.get("client_id"))
        given = audiences if isinstance(audiences, list) else [audiences]
        if authorizer.audiences and not any(aud in authorizer.audiences for aud in given):
            return responses.http_unauthorized(
                _www_authenticate("invalid_token", "the token does not have a valid audience")
            )
        scopes = token_scopes(claims)
        required = request.authorization.scopes
        if required and not any(scope in scopes for scope in required):
            expected = " ".join(required)
            return _with_header(
                responses.http_forbidden(),
                _www_authenticate("insufficient_scope", f"expected scopes: [{expected}]", scope=expected),
            )
        jwt = {"claims": http_claims(claims), "scopes": scopes or None}
        event = {"jwt": jwt} if request.route_payload_format == "2.0" else dict(jwt)
        return Granted(event, jwt, str(claims.get("sub", "")) or None)

    # -- Cognito user pool authorizers (REST APIs) ---------------------------------------------------

    def _cognito(self, authorizer: CognitoAuthorizer, request: AuthRequest) -> Outcome:
        raw = request.view.header(authorizer.identity_source.name)
        if not raw:
            return responses.rest_unauthorized()
        issuers = [issuer for issuer in map(_pool_issuer, authorizer.user_pool_arns) if issuer]
        try:
            token = verify(bearer_value(raw), issuers, self.jwks.keys, self.wall_clock)
        except InvalidToken as exc:
            if exc.unavailable:
                self.log(f"{request.where}: Cognito authorizer {authorizer.name}: {exc.description}")
            if exc.expired:
                return responses.rest_unauthorized("The incoming token has expired")
            return responses.rest_unauthorized()
        claims = token.claims
        required = request.authorization.scopes
        use = claims.get("token_use")
        if required:
            # "Otherwise, API Gateway treats the supplied token as an access token and verifies the
            # access scopes that are claimed in the token against the authorization scopes".
            if use != "access" or not any(scope in token_scopes(claims) for scope in required):
                return responses.rest_unauthorized()
        elif use != "id":
            # "if the OAuth Scopes option isn't specified, API Gateway treats the supplied token as an
            # identity token".
            return responses.rest_unauthorized()
        strings = rest_claims(claims)
        return Granted({"claims": strings}, {"claims": strings}, strings.get("sub"))

    # -- answers -------------------------------------------------------------------------------------

    @staticmethod
    def _unauthorized(rest: bool) -> HttpResponse:
        return responses.rest_unauthorized() if rest else responses.http_unauthorized()

    @staticmethod
    def _authorizer_error(rest: bool) -> HttpResponse:
        return responses.rest_authorizer_error() if rest else responses.http_internal_error()


def _pool_issuer(arn: str) -> str | None:
    """`arn:aws:cognito-idp:{region}:{account}:userpool/{id}` -> the pool's token issuer."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "cognito-idp" or not parts[5].startswith("userpool/"):
        return None
    return f"https://cognito-idp.{parts[3]}.amazonaws.com/{parts[5][len('userpool/') :]}"


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def _error_message(payload: bytes) -> str | None:
    try:
        error = json.loads(payload)
    except ValueError:
        return None
    return error.get("errorMessage") if isinstance(error, dict) else None


def _www_authenticate(error: str, description: str, *, scope: str = "") -> str:
    return f'Bearer scope="{scope}" error="{error}" error_description="{description}"'


def _with_header(response: HttpResponse, value: str) -> HttpResponse:
    response.headers.append(("www-authenticate", value))
    return response
