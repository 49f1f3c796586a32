"""The method response of a REST non-proxy integration: which integration response, and its output.

"x-amazon-apigateway-integration.responses": each key is a selection pattern (a regex that must
match the whole value) or `default`. For AWS service and HTTP integrations the pattern is matched
against the backend's status code; for Lambda integrations against the `errorMessage` of a failed
invocation (a successful one takes the default response). No match and no default is an API
configuration error (500). The chosen response sets the status, maps `method.response.header.*`
from `integration.response.*` or static values, and renders the response template picked by the
request's Accept header (application/json otherwise); without a template the backend body passes.
`$context.responseOverride.status` / `.header.X`, set by a template, win ("Use a mapping template to
override an API's request and response parameters and status codes").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from samlite.apigw.integrations.config import IntegrationResponse
from samlite.apigw.integrations.parameters import Backend, rest_value
from samlite.apigw.integrations.vtl import RenderContext, render
from samlite.apigw.messages import HttpResponse

DEFAULT_RESPONSE_TYPE = "application/json"


class NoIntegrationResponse(Exception):
    """No integration response matches and there is no default one."""


@dataclass(frozen=True)
class BackendResult:
    """What the integration's backend answered."""

    selector: str | None  # the status code, or a Lambda errorMessage; None: take the default
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_type: str | None = None


def select(responses: Sequence[IntegrationResponse], selector: str | None) -> IntegrationResponse:
    default = next((response for response in responses if response.pattern is None), None)
    if selector is not None:
        for response in responses:
            if response.pattern is not None and re.fullmatch(response.pattern, selector, re.DOTALL):
                return response
    if default is None:
        raise NoIntegrationResponse(f"no integration response matches {selector!r} and none is the default")
    return default


def method_response(
    responses: Sequence[IntegrationResponse], result: BackendResult, run: RenderContext, accept: str | None
) -> HttpResponse:
    chosen = select(responses, result.selector)
    text = result.body.decode("utf-8", errors="replace")
    template, content_type = _template(chosen, accept)
    if template is not None and template.strip():
        body = render(template, text, run).encode("utf-8")
    else:  # no template (or an empty one): the backend's body passes through
        body = result.body
    headers = [("Content-Type", content_type)]
    assert run.view is not None
    backend = Backend(result.headers, text)
    for name, expression in chosen.parameters.items():
        value = rest_value(expression, run.view, backend)
        if value is not None:
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
            headers.append((name, value))
    status = chosen.status
    override = run.context.get("responseOverride") or {}
    if override.get("status") not in (None, ""):
        status = int(str(override["status"]))
    for name, value in (override.get("header") or {}).items():
        headers = [(k, v) for k, v in headers if k.lower() != str(name).lower()]
        headers.append((str(name), str(value)))
    return HttpResponse(status, headers, body)


def _template(chosen: IntegrationResponse, accept: str | None) -> tuple[str | None, str]:
    if not chosen.templates:
        return None, DEFAULT_RESPONSE_TYPE
    for media_type in (part.split(";")[0].strip() for part in (accept or "").split(",")):
        if media_type in chosen.templates:
            return chosen.templates[media_type], media_type
    if DEFAULT_RESPONSE_TYPE in chosen.templates:
        return chosen.templates[DEFAULT_RESPONSE_TYPE], DEFAULT_RESPONSE_TYPE
    media_type, template = next(iter(chosen.templates.items()))
    return template, media_type
