"""`LocalApiGateway`: the template's REST and HTTP APIs served over local HTTP, in front of functions.

What `sam local start-api` does with Docker, on samlite's runtime: routes come from the translated
template (routes.py), each request becomes the exact proxy event AWS builds (event_builder.py), the
function runs through the `invoke` callable given (normally `LambdaRuntime.invoke`, whose worker pool
gives function concurrency), and its output becomes the HTTP response (responses.py). API Gateway's
own answers (unknown route, API key, malformed output, integration timeout) are reproduced.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

from samlite.apigw import cors, responses
from samlite.apigw.api_keys import ApiKeyRing, build_key_ring
from samlite.apigw.authorizers.gate import AuthorizerGate, AuthRequest, Granted
from samlite.apigw.authorizers.jwks import JwksCache
from samlite.apigw.event_builder import MatchedRequest, build_event, encode_event
from samlite.apigw.integrations.aws_call import AwsCaller
from samlite.apigw.integrations.config import RestIntegration, ServiceIntegration
from samlite.apigw.integrations.http_service import HttpServiceIntegrations
from samlite.apigw.integrations.rest import RestCall, RestIntegrations
from samlite.apigw.media import first_accept, matches_binary_type
from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.apigw.request_view import RequestView
from samlite.apigw.route_matching import Mount, match_route, mounts_for
from samlite.apigw.routes import HTTP, REST, ApiDefinition, Route, load_routes
from samlite.apigw.server import GatewayHttpServer
from samlite.events._ids import http_api_request_id, request_uuid
from samlite.events.apigateway_authorizer import method_arn
from samlite.model import AwsApi, FunctionSpec, InvocationResult
from samlite.template import Stack

Invoke = Callable[[FunctionSpec, bytes], InvocationResult]
DEFAULT_PORT = 3000
INTEGRATION_TIMEOUT_S = 29.0  # REST APIs' default maximum integration timeout
_API_KEY_HEADER = "x-api-key"


class LocalApiGateway:
    """Serves every API of `stack` (a `samlite.template.Stack`) on http://`host`:`port`.

    - `invoke(spec, event_bytes)` runs a function synchronously and returns its `InvocationResult`;
      it is called from many threads at once.
    - `port=0` picks a free port (see `port` after `start()`); a taken port raises `PortInUseError`.
    - `integration_timeout_s`: how long API Gateway waits for the function (29 s on AWS).
    - `log(line)`: one line per problem a developer should see (malformed output, timeout, ...).
    - `aws`: the embedded AWS that service integrations call and Cognito issuers live in (None: the
      routes that need it answer with a configuration error, logged).
    - `on_request(api_id, kind)`: called once per request an API answers (the console's cost meter).
    Authorizers are enforced (`authorizers.gate`); REST MOCK and AWS integrations and HTTP API
    service integrations are carried out (`integrations`).
    Construction reads the template and raises `GatewayConfigError` for a route it cannot serve.
    """

    def __init__(
        self,
        stack: Stack,
        invoke: Invoke,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        integration_timeout_s: float = INTEGRATION_TIMEOUT_S,
        log: Callable[[str], None] | None = None,
        max_concurrent_requests: int = 64,
        aws: AwsApi | None = None,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        table = load_routes(stack)
        self.apis: list[ApiDefinition] = table.apis
        self.key_ring: ApiKeyRing = build_key_ring(stack, table.apis)
        self.warnings: list[str] = [*table.warnings, *self.key_ring.warnings]
        self._mounts: list[Mount] = mounts_for(table.apis)
        self._invoke = invoke
        self._region = str(stack.region)
        self._account_id = str(stack.account_id)
        self._host = host
        self._requested_port = port
        self._timeout_s = integration_timeout_s
        self._log = log or (lambda line: None)
        self._max_concurrent = max_concurrent_requests
        self._server: GatewayHttpServer | None = None
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None
        caller = AwsCaller(aws) if aws is not None else None
        self._gate = AuthorizerGate(invoke, JwksCache(aws.url if aws is not None else None), log=self._log)
        self._rest = RestIntegrations(caller, invoke, self._log)
        self._services = HttpServiceIntegrations(caller, self._log)
        self._on_request = on_request

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind the port and serve in a background thread (returns once requests are accepted)."""
        if self._server is not None:
            return
        self._executor = ThreadPoolExecutor(self._max_concurrent, thread_name_prefix="samlite-apigw-invoke")
        try:
            self._server = GatewayHttpServer(self._host, self._requested_port, self.dispatch)
        except BaseException:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise
        self._thread = threading.Thread(target=self._server.serve_forever, name="samlite-apigw", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the port and every open connection; invocations still running finish
        in the runtime."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()  # kept-alive ones would go on calling dispatch
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> LocalApiGateway:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what callers read -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.port if self._server is not None else self._requested_port

    @property
    def endpoint(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each API (logical id -> `http://127.0.0.1:3000/Prod`), stage included."""
        return {mount.api.logical_id: self.endpoint + mount.base for mount in self._mounts}

    @property
    def url(self) -> str:
        """The base URL of the template's only (or first) API; `urls` has them all."""
        if not self.apis:
            raise LookupError("the template defines no API")
        return self.urls[self.apis[0].logical_id]

    @property
    def api_keys(self) -> dict[str, str]:
        """Key values by key logical id (template keys, and local ones made for keyless APIs)."""
        return {logical_id: key.value for logical_id, key in self.key_ring.keys.items()}

    def clear_caches(self) -> None:
        """Forget cached authorizer results, so a reset cloud decides every identity afresh."""
        self._gate.clear_caches()

    def local_url(self, deployed_url: str) -> str:
        """A deployed execute-api URL of one of the stack's APIs (as in an Output) made local."""
        for mount in self._mounts:
            prefix = f"https://{mount.api.api_id}.execute-api.{self._region}."
            if deployed_url.startswith(prefix):
                rest = deployed_url.split("/", 3)[3] if deployed_url.count("/") >= 3 else ""
                stage = mount.api.stage
                if mount.base.endswith(f"/{stage}") and (rest == stage or rest.startswith(stage + "/")):
                    rest = rest[len(stage) :].lstrip("/")
                if not rest and not deployed_url.endswith("/"):
                    return f"{self.endpoint}{mount.base}"  # `.../Prod` stays without a trailing slash
                return f"{self.endpoint}{mount.base}/{rest}"
        return deployed_url

    # -- serving ---------------------------------------------------------------------------------

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        """The response API Gateway would give `request` (called by the HTTP server's threads)."""
        try:
            for mount in self._mounts:
                path = mount.relative(request.path)
                if path is not None:
                    return self._serve(mount.api, request, path)
            return self._not_found(self.apis[0] if len(self.apis) == 1 else None)
        except Exception:  # a samlite bug: the client gets a 500, the log the traceback
            self._log(f"internal error serving {request.method} {request.path}:\n{traceback.format_exc()}")
            return responses.gateway_error(500, '{"message":"Internal server error"}')

    def _serve(self, api: ApiDefinition, request: HttpRequest, path: str) -> HttpResponse:
        # Fresh ids per request (aws/aws-sam-cli#9279); the response headers repeat the event's.
        ids = _RequestIds(
            request_uuid() if api.kind == REST else http_api_request_id(), http_api_request_id()
        )
        exchange = _Exchange(api, request, path, ids)
        response = self._route(exchange)
        if api.kind == REST and api.gateway_responses.by_type and response.own:
            response = api.gateway_responses.apply(response, self._view_of(exchange))
        elif api.cors is not None and not exchange.preflight and not response.own:
            cors.decorate(api.cors, request, response)
        if self._on_request is not None:
            self._on_request(api.api_id, api.kind)
        return self._stamp(api, response, ids)

    def _route(self, exchange: _Exchange) -> HttpResponse:
        api, request = exchange.api, exchange.request
        match = match_route(api, request.method, exchange.path)
        if match is None:
            # "API Gateway automatically sends a response to preflight OPTIONS requests, even if there
            # isn't an OPTIONS route" (HTTP API guide, "Configuring CORS"): a route that matches the
            # OPTIONS request (an OPTIONS or ANY route, $default) gets it instead.
            if api.kind == HTTP and api.cors is not None and cors.is_preflight(request):
                exchange.preflight = True
                return cors.preflight(api.cors, request)
            return self._not_found(api)
        route = match.route
        matched = MatchedRequest(
            request=request, api=api, route=route, path=exchange.path, path_parameters=match.path_parameters
        )
        exchange.matched = matched
        if route.authorization is not None:
            outcome = self._authorize(exchange, matched)
            if isinstance(outcome, HttpResponse):
                return outcome
            matched = replace(matched, authorizer=outcome.event_authorizer)
            exchange.context_authorizer = outcome.context_authorizer
            exchange.matched, exchange.view = matched, None
        if route.api_key_required:
            key = self.key_ring.find(api.logical_id, request.header(_API_KEY_HEADER))
            if key is None:
                return responses.forbidden()
            matched = replace(matched, api_key_value=key.value, api_key_id=key.key_id)
            exchange.matched, exchange.view = matched, None
        return self._integrate(exchange, matched)

    def _view_of(self, exchange: _Exchange) -> RequestView:
        """The request as expressions see it, built on first need (Lambda proxy routes need none)."""
        if exchange.view is None:
            if exchange.matched is None:
                exchange.view = self._unrouted_view(exchange)
            else:
                exchange.view = self._view(exchange.matched, exchange.ids, exchange.context_authorizer)
        return exchange.view

    def _authorize(self, exchange: _Exchange, matched: MatchedRequest) -> Granted | HttpResponse:
        api, request, route = exchange.api, exchange.request, matched.route
        assert route.authorization is not None
        arn = method_arn(
            request.method,
            exchange.path,
            stage=api.stage,
            api_id=api.api_id,
            account_id=self._account_id,
            region=self._region,
        )
        auth_request = AuthRequest(
            api_kind=api.kind,
            authorization=route.authorization,
            view=self._view_of(exchange),
            method_arn=arn,
            proxy_event=lambda payload_format: self._event(matched, exchange.ids, payload_format),
            route_payload_format=route.payload_format,
            where=f"{api.logical_id} {request.method} {request.path}",
        )
        return self._gate.authorize(auth_request)

    def _event(
        self, matched: MatchedRequest, ids: _RequestIds, payload_format: str | None = None
    ) -> dict[str, Any]:
        event = build_event(matched, self._region, self._account_id, payload_format)
        event["requestContext"]["requestId"] = ids.request_id
        if "extendedRequestId" in event["requestContext"]:
            event["requestContext"]["extendedRequestId"] = ids.extended_id
        return event

    def _view(self, matched: MatchedRequest, ids: _RequestIds, context_authorizer: Any = None) -> RequestView:
        """What mapping expressions read of this request; `$context` is the event's request context."""
        request, api = matched.request, matched.api
        event = self._event(matched, ids)
        context = dict(event["requestContext"])
        if context_authorizer is not None:
            context["authorizer"] = context_authorizer
        else:
            context.pop("authorizer", None)
        query = tuple(parse_qsl(request.query, keep_blank_values=True))
        return RequestView(
            headers=tuple(request.headers),
            query=query,
            path_parameters=dict(event.get("pathParameters") or {}),
            stage_variables=dict(api.stage_variables),
            context=context,
            body=request.body,
            join_repeated=api.kind == HTTP,
        )

    def _unrouted_view(self, exchange: _Exchange) -> RequestView:
        """What a gateway response's template reads of a request no route took (`$context.path`)."""
        api, request = exchange.api, exchange.request
        context = {
            "accountId": self._account_id,
            "apiId": api.api_id,
            "httpMethod": request.method,
            "path": f"/{api.stage}{exchange.path}" if api.kind == REST else exchange.path,
            "protocol": "HTTP/1.1",
            "requestId": exchange.ids.request_id,
            "extendedRequestId": exchange.ids.extended_id,
            "stage": api.stage,
            "identity": {"sourceIp": request.source_ip, "userAgent": request.header("User-Agent")},
        }
        return RequestView(
            headers=tuple(request.headers),
            query=tuple(parse_qsl(request.query, keep_blank_values=True)),
            path_parameters={},
            stage_variables=dict(api.stage_variables),
            context=context,
            body=request.body,
            join_repeated=api.kind == HTTP,
        )

    def _integrate(self, exchange: _Exchange, matched: MatchedRequest) -> HttpResponse:
        api, request, route = exchange.api, exchange.request, matched.route
        where = f"{api.logical_id} {request.method} {request.path}"
        timeout_s = route.timeout_s if route.timeout_s is not None else self._timeout_s
        if route.function is not None:
            event = self._event(matched, exchange.ids)
            return self._proxy(api, route, route.function, event, request)
        view = self._view_of(exchange)
        integration = route.integration
        if isinstance(integration, RestIntegration):
            call = RestCall(
                view=view,
                request_context=dict(view.context),
                stage_variables=dict(api.stage_variables),
                content_type=request.header("Content-Type"),
                accept=request.header("Accept"),
                where=where + (f" -> {integration.function.logical_id}" if integration.function else ""),
            )
            return self._bounded(api, where, timeout_s, lambda: self._rest.run(integration, call))
        assert isinstance(integration, ServiceIntegration)
        return self._bounded(
            api,
            where,
            timeout_s,
            lambda: self._services.run(integration, view, f"{where} -> {integration.subtype}"),
        )

    def _bounded(
        self, api: ApiDefinition, where: str, timeout_s: float, work: Callable[[], HttpResponse]
    ) -> HttpResponse:
        """`work()` on the invoke pool, answered with the integration timeout if it takes longer."""
        assert self._executor is not None, "the gateway is not started"
        future = self._executor.submit(work)
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            self._log(f"{where}: Endpoint request timed out after {timeout_s:g} s")
            return responses.rest_timeout() if api.kind == REST else responses.http_timeout()

    def _proxy(
        self,
        api: ApiDefinition,
        route: Route,
        spec: FunctionSpec,
        event: dict[str, Any],
        request: HttpRequest,
    ) -> HttpResponse:
        internal_error = responses.rest_internal_error if api.kind == REST else responses.http_internal_error
        where = f"{api.logical_id} {request.method} {request.path} -> {spec.logical_id}"
        assert self._executor is not None, "the gateway is not started"
        timeout_s = route.timeout_s if route.timeout_s is not None else self._timeout_s
        future = self._executor.submit(self._invoke, spec, encode_event(event))
        try:
            result = future.result(timeout=timeout_s)
        except FutureTimeout:
            self._log(f"{where}: Endpoint request timed out after {timeout_s:g} s")
            return responses.rest_timeout() if api.kind == REST else responses.http_timeout()
        except Exception as exc:
            self._log(f"{where}: the function could not be invoked: {exc}")
            return internal_error()
        if result.failed:
            self._log(f"{where}: Lambda execution failed ({result.error_type}): {result.payload[:500]!r}")
            return internal_error()
        decode = True
        if api.kind == REST:
            decode = matches_binary_type(first_accept(request.header("Accept")), api.binary_media_types)
        try:
            response = responses.proxy_response(result.payload, route.payload_format, api.kind, decode)
        except responses.MalformedResponse as exc:
            self._log(
                f"{where}: Execution failed due to configuration error: Malformed Lambda proxy response"
            )
            self._log(f"{where}: {exc}")
            return internal_error()
        response.set_default("Content-Type", "application/json")
        return response

    def _not_found(self, api: ApiDefinition | None) -> HttpResponse:
        if (api is not None and api.kind == HTTP) or (api is None and all(a.kind == HTTP for a in self.apis)):
            return responses.http_not_found()
        return responses.missing_authentication_token()

    @staticmethod
    def _stamp(api: ApiDefinition, response: HttpResponse, ids: _RequestIds) -> HttpResponse:
        """The headers API Gateway adds to every response, its own or the function's."""
        if api.kind == REST:
            response.set_default("x-amzn-RequestId", ids.request_id)
            response.set_default("x-amz-apigw-id", ids.extended_id)
        else:
            response.set_default("apigw-requestid", ids.request_id)
        return response


@dataclass
class _Exchange:
    """One request on its way through the gateway."""

    api: ApiDefinition
    request: HttpRequest
    path: str
    ids: _RequestIds
    matched: MatchedRequest | None = None  # once a route took the request
    context_authorizer: Any = None  # `$context.authorizer`, once an authorizer let it through
    view: RequestView | None = None  # see LocalApiGateway._view_of
    preflight: bool = False


@dataclass(frozen=True)
class _RequestIds:
    request_id: str  # requestContext.requestId, x-amzn-RequestId / Apigw-Requestid
    extended_id: str  # requestContext.extendedRequestId, x-amz-apigw-id (REST)
