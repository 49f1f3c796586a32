"""Parameter mapping expressions: where an integration's headers, query strings and parameters
come from.

REST APIs ("Amazon API Gateway API request and response data mapping reference"): a static
`'value'`, `method.request.{header|querystring|path|multivalueheader|multivaluequerystring}.NAME`,
`method.request.body` or `method.request.body.JSONPath`, `stageVariables.NAME`, `context.NAME`; on
the response side `integration.response.{header|multivalueheader}.NAME` and
`integration.response.body[.JSONPath]`.
HTTP APIs ("Working with AWS service integrations for HTTP APIs", parameter mapping):
`$request.header.name`, `$request.querystring.name`, `$request.path.name`, `$request.body`,
`$request.body.name` (a JSON path), `$context.name`, `$stageVariables.name`, or a static value;
`${...}` inside a longer string is replaced the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from samlite.apigw.integrations.vtl import TemplateFailure, json_path
from samlite.apigw.request_view import RequestView, text

_REST_REQUEST = re.compile(
    r"^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$"
)
_HTTP_REQUEST = re.compile(r"^\$?request\.(header|querystring|path)\.(.+)$")
_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


class UnresolvedParameter(Exception):
    """A mapping expression names something the request does not have (the message names it)."""


@dataclass(frozen=True)
class Backend:
    """An integration's response, for `integration.response.*` expressions."""

    headers: tuple[tuple[str, str], ...]
    body: str


def _body_value(body: bytes | str, path: str | None) -> str | None:
    raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if path is None:
        return raw
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return None
    value = json_path(data, "$" + path if path.startswith((".", "[")) else "$." + path)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def rest_value(expression: str, view: RequestView, backend: Backend | None = None) -> str | None:
    """The value of a REST API mapping expression (None: the source has no such value)."""
    expression = expression.strip()
    if len(expression) >= 2 and expression[0] == "'" and expression[-1] == "'":
        return expression[1:-1]
    if expression.startswith("method.request."):
        return _method_request(expression, view)
    if expression.startswith("integration.response.") and backend is not None:
        return _integration_response(expression, backend)
    if expression.startswith("stageVariables."):
        return view.stage_variable(expression[len("stageVariables.") :])
    if expression.startswith("context."):
        value = view.context_value(expression[len("context.") :])
        return None if value is None else text(value)
    raise UnresolvedParameter(f"'{expression}' is not a mapping expression API Gateway knows")


def _method_request(expression: str, view: RequestView) -> str | None:
    if expression == "method.request.body":
        return _body_value(view.body, None)
    if expression.startswith("method.request.body."):
        return _body_value(view.body, expression[len("method.request.body") :])
    match = _REST_REQUEST.match(expression)
    if match is None:
        raise UnresolvedParameter(f"'{expression}' is not a method request parameter")
    where, name = match.groups()
    if where in ("multivalueheader", "multivaluequerystring"):
        values = (
            view.header_values(name)
            if where == "multivalueheader"
            else [v for k, v in view.query if k == name]
        )
        return ",".join(values) if values else None
    return view.source(where, name)


def _integration_response(expression: str, backend: Backend) -> str | None:
    if expression == "integration.response.body":
        return backend.body
    if expression.startswith("integration.response.body."):
        return _body_value(backend.body, expression[len("integration.response.body") :])
    parts = expression.split(".", 3)
    if len(parts) != 4 or parts[2] not in ("header", "multivalueheader"):
        raise UnresolvedParameter(f"'{expression}' is not an integration response parameter")
    values = [value for key, value in backend.headers if key.lower() == parts[3].lower()]
    if not values:
        return None
    return ",".join(values) if parts[2] == "multivalueheader" else values[-1]


def http_value(expression: str, view: RequestView) -> str | None:
    """The value of an HTTP API parameter mapping (None: the request has none)."""
    if "${" in expression:

        def substitute(match: re.Match[str]) -> str:
            value = _http_single("$" + match.group(1), view)
            return "" if value is None else value

        return _INTERPOLATION.sub(substitute, expression)
    return _http_single(expression, view)


def _http_single(expression: str, view: RequestView) -> str | None:
    if not expression.startswith("$"):
        return expression  # a static value
    match = _HTTP_REQUEST.match(expression)
    if match:
        return view.source(match.group(1), match.group(2))
    if expression.startswith("$request.body"):
        path = expression[len("$request.body") :]
        try:
            return _body_value(view.body, path if path not in ("", ".$") else None)
        except TemplateFailure as exc:
            raise UnresolvedParameter(str(exc)) from None
    if expression.startswith("$context."):
        value = view.context_value(expression[len("$context.") :])
        if isinstance(value, Mapping | list):
            return json.dumps(value, separators=(",", ":"))
        return None if value is None else text(value)
    if expression.startswith("$stageVariables."):
        return view.stage_variable(expression[len("$stageVariables.") :])
    raise UnresolvedParameter(f"'{expression}' is not a selection expression API Gateway knows")


def integration_request_parts(
    parameters: Mapping[str, str], view: RequestView
) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """`integration.request.header|querystring|path.NAME` mappings -> headers, query pairs, path."""
    headers: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    path: dict[str, str] = {}
    for target, expression in parameters.items():
        parts = target.split(".", 3)
        if len(parts) != 4 or parts[0] != "integration" or parts[1] != "request":
            raise UnresolvedParameter(
                f"'{target}' is not integration.request.{{header|querystring|path}}.NAME"
            )
        value = rest_value(expression, view)
        if value is None:
            continue
        where, name = parts[2], parts[3]
        if where == "header":
            headers[name] = value
        elif where == "querystring":
            query.append((name, value))
        elif where == "path":
            path[name] = value
        else:
            raise UnresolvedParameter(f"'{target}': '{where}' is not header, querystring or path")
    return headers, query, path
