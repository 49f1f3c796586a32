"""The integration request of a REST non-proxy integration: template choice, body, service call.

"Integration passthrough behaviors": the request's Content-Type (application/json when absent)
picks the mapping template; with no matching template the body passes through unchanged
(WHEN_NO_MATCH), or is refused with 415 (NEVER; WHEN_NO_TEMPLATES when templates exist).
"Set up an API integration request": an `AWS` integration calls the service's `action/{Action}` or
`path/{path}` with the integration's HTTP method; `integration.request.*` parameters add headers,
query strings and path values; `{name}` in the path is filled from `integration.request.path.name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from samlite.apigw.integrations.aws_call import ServiceRequest
from samlite.apigw.integrations.config import RestIntegration
from samlite.apigw.integrations.parameters import integration_request_parts
from samlite.apigw.integrations.service_models import service_info
from samlite.apigw.request_view import RequestView

DEFAULT_CONTENT_TYPE = "application/json"


class UnsupportedMediaType(Exception):
    """No template fits and the passthrough behavior refuses the request (415)."""


@dataclass(frozen=True)
class ChosenTemplate:
    template: str | None  # None: pass the body through untransformed
    content_type: str


def choose_template(integration: RestIntegration, content_type: str | None) -> ChosenTemplate:
    media_type = (content_type or DEFAULT_CONTENT_TYPE).split(";", 1)[
        0
    ].strip().lower() or DEFAULT_CONTENT_TYPE
    templates = {key.lower(): value for key, value in integration.request_templates.items()}
    if media_type in templates:
        return ChosenTemplate(templates[media_type], media_type)
    behavior = integration.passthrough
    if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
        raise UnsupportedMediaType(media_type)
    return ChosenTemplate(None, media_type)


def service_request(
    integration: RestIntegration, view: RequestView, body: bytes, content_type: str
) -> ServiceRequest:
    """The HTTP request an `AWS` service integration sends (unsigned; `AwsCaller` signs it)."""
    assert integration.service is not None
    info = service_info(integration.service)
    headers, query, path_values = integration_request_parts(integration.request_parameters, view)
    lowered = {name.lower() for name in headers}
    if integration.action is not None:
        path = "/"
        if info.protocol == "json":
            headers.setdefault("X-Amz-Target", f"{info.target_prefix}.{integration.action}")
            if "content-type" not in lowered:
                headers["Content-Type"] = f"application/x-amz-json-{info.json_version}"
        else:
            query.insert(0, ("Action", integration.action))
    else:
        path = "/" + _fill_path(integration.path or "", path_values)
    if "content-type" not in {name.lower() for name in headers} and body:
        headers["Content-Type"] = content_type
    if "accept" not in lowered:
        headers["Accept"] = "application/json"  # query services then answer JSON (query_json)
    return ServiceRequest(
        signing_name=info.signing_name,
        method=integration.http_method,
        path=path,
        query=tuple(query),
        headers=headers,
        body=body,
    )


def _fill_path(template: str, values: dict[str, str]) -> str:
    out = []
    for segment in template.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1].rstrip("+")
            value = values.get(name, "")
            out.append(quote(value, safe="/" if segment.endswith("+}") else ""))
        else:
            out.append(segment)
    return "/".join(out)
