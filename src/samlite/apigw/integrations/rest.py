"""REST API non-proxy integrations carried out: `MOCK`, `AWS` to a service, `AWS` to a Lambda function.

The integration request is built from the mapping template (`rest_request`), the backend answers
(a mock's `{"statusCode": N}`, the service through the embedded AWS, or the function), and the
integration response shapes what the client gets (`rest_response`). Failures API Gateway reports as
its own answers are returned as such: 415 for a refused passthrough, 500 (API_CONFIGURATION_ERROR)
for a template or configuration that cannot work, each with a log line saying why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samlite.apigw import responses
from samlite.apigw.integrations.aws_call import AwsCaller, ServiceCallFailed
from samlite.apigw.integrations.config import RestIntegration
from samlite.apigw.integrations.parameters import UnresolvedParameter
from samlite.apigw.integrations.query_json import xml_to_json
from samlite.apigw.integrations.rest_request import UnsupportedMediaType, choose_template, service_request
from samlite.apigw.integrations.rest_response import BackendResult, NoIntegrationResponse, method_response
from samlite.apigw.integrations.service_models import service_info
from samlite.apigw.integrations.vtl import RenderContext, TemplateFailure, new_context, render
from samlite.apigw.messages import HttpResponse
from samlite.apigw.request_view import RequestView
from samlite.model import FunctionSpec, InvocationResult

Invoke = Callable[[FunctionSpec, bytes], InvocationResult]


@dataclass(frozen=True)
class RestCall:
    """One request reaching a non-proxy integration."""

    view: RequestView
    request_context: dict[str, Any]
    stage_variables: dict[str, str]
    content_type: str | None
    accept: str | None
    where: str  # for log lines


class RestIntegrations:
    """Runs MOCK and AWS integrations; `caller` is None when no embedded AWS runs (gateway tests)."""

    def __init__(self, caller: AwsCaller | None, invoke: Invoke, log: Callable[[str], None]) -> None:
        self.caller = caller
        self.invoke = invoke
        self.log = log

    def run(self, integration: RestIntegration, call: RestCall) -> HttpResponse:
        try:
            chosen = choose_template(integration, call.content_type)
        except UnsupportedMediaType as exc:
            self.log(
                f"{call.where}: no mapping template for Content-Type {exc} and passthrough is "
                f"{integration.passthrough}: 415"
            )
            return responses.unsupported_media_type()
        run = RenderContext(new_context(call.request_context), call.stage_variables, call.view)
        raw_body = call.view.body.decode("utf-8", errors="replace")
        try:
            body = render(chosen.template, raw_body, run) if chosen.template is not None else raw_body
            result = self._backend(integration, call, run, body, chosen.content_type)
            if isinstance(result, HttpResponse):
                return result
            return method_response(integration.responses, result, run, call.accept)
        except (TemplateFailure, UnresolvedParameter, NoIntegrationResponse, ValueError) as exc:
            self.log(f"{call.where}: Execution failed due to configuration error: {exc}")
            return responses.rest_configuration_error()

    def _backend(
        self, integration: RestIntegration, call: RestCall, run: RenderContext, body: str, content_type: str
    ) -> BackendResult | HttpResponse:
        if integration.kind == "MOCK":
            return _mock(body)
        if integration.function is not None:
            return self._lambda(integration.function, call, body)
        return self._service(integration, call, run, body, content_type)

    def _lambda(self, spec: FunctionSpec, call: RestCall, body: str) -> BackendResult | HttpResponse:
        payload = body.encode("utf-8") if body.strip() else b"{}"
        try:
            result = self.invoke(spec, payload)
        except Exception as exc:
            self.log(f"{call.where}: the function could not be invoked: {exc}")
            return responses.rest_internal_error()
        if result.failed:
            # "For Lambda invocations, the regex applies to the errorMessage field".
            try:
                message = json.loads(result.payload).get("errorMessage")
            except (ValueError, AttributeError):
                message = None
            return BackendResult(str(message) if message is not None else "", 200, (), result.payload)
        return BackendResult(None, 200, (), result.payload)

    def _service(
        self, integration: RestIntegration, call: RestCall, run: RenderContext, body: str, content_type: str
    ) -> BackendResult | HttpResponse:
        if self.caller is None:
            self.log(f"{call.where}: an AWS service integration needs the embedded AWS (samlite start)")
            return responses.rest_configuration_error()
        assert integration.service is not None
        try:
            info = service_info(integration.service)
        except LookupError as exc:
            self.log(f"{call.where}: {exc}")
            return responses.rest_configuration_error()
        request = service_request(integration, call.view, body.encode("utf-8"), content_type)
        override = run.context.get("requestOverride") or {}
        for name, value in (override.get("header") or {}).items():
            request.headers[str(name)] = str(value)
        try:
            reply = self.caller.call(request, integration.credentials, "apigateway")
        except ServiceCallFailed as exc:
            self.log(f"{call.where}: Execution failed due to configuration error: {exc}")
            return responses.rest_configuration_error()
        payload = reply.body
        wants_json = "json" in (request.headers.get("Accept") or "")
        if info.protocol == "query" and wants_json and payload.lstrip().startswith(b"<"):
            payload = xml_to_json(integration.service, payload) or payload
        if reply.status >= 400:
            self.log(f"{call.where}: {integration.service} answered {reply.status}: {payload[:300]!r}")
        return BackendResult(str(reply.status), reply.status, reply.headers, payload)


def _mock(body: str) -> BackendResult:
    """ "For a method with the mock integration to return a 200 response, configure the integration
    request body mapping template to return {"statusCode": 200}" (Set up mock integrations)."""
    if not body.strip():
        return BackendResult(None, 200, (), b"")
    try:
        document = json.loads(body)
    except ValueError:
        raise ValueError(
            f"a mock integration's request template must give JSON, not {body[:100]!r}"
        ) from None
    status = document.get("statusCode") if isinstance(document, dict) else None
    if not isinstance(status, int | str) or not str(status).isdigit():
        raise ValueError(f"a mock integration's request template must give a statusCode, not {body[:100]!r}")
    return BackendResult(str(int(status)), int(status), (), b"")
