"""CORS for HTTP APIs, which API Gateway handles itself from `x-amazon-apigateway-cors`.

(REST APIs have no CORS logic of their own: SAM's `Cors` generates an `OPTIONS` MOCK integration per
path, answered like any other mock method, 200 with the configured header values; see
integrations/rest.py. A REST preflight without Access-Control-Request-Method gets the same answer.)

HTTP API developer guide, "Configuring CORS for an HTTP API":
- "API Gateway automatically sends a response to preflight OPTIONS requests, even if there isn't an
  OPTIONS route": a preflight (OPTIONS with Origin and Access-Control-Request-Method) that no route
  takes is answered 204, with the CORS headers when origin, method and headers are allowed. A route
  that matches the OPTIONS request (OPTIONS, ANY, `$default`) gets it instead (the gateway decides).
- "For a CORS request, API Gateway adds the configured CORS headers to the response from an
  integration" and "ignores CORS headers returned from your backend integration".
An OPTIONS request without Access-Control-Request-Method is no preflight: it is routed like any
request. HTTP APIs write header names in lower case; `vary: origin` tells caches that the answer
depends on the Origin when a specific origin is echoed (the Fetch standard's CORS protocol).
"""

from __future__ import annotations

from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.apigw.routes import HttpCors

_CORS_PREFIX = "access-control-"


def _allowed_origin(cors: HttpCors, origin: str | None) -> str | None:
    if origin is None:
        return None
    if "*" in cors.allow_origins:
        return "*" if not cors.allow_credentials else origin
    return origin if origin in cors.allow_origins else None


def is_preflight(request: HttpRequest) -> bool:
    return (
        request.method == "OPTIONS"
        and request.header("Origin") is not None
        and request.header("Access-Control-Request-Method") is not None
    )


def _headers_allowed(cors: HttpCors, requested: str | None) -> bool:
    if not requested or "*" in cors.allow_headers:
        return True
    names = [name.strip().lower() for name in requested.split(",") if name.strip()]
    return all(name in cors.allow_headers for name in names)


def preflight(cors: HttpCors, request: HttpRequest) -> HttpResponse:
    response = HttpResponse(204)
    origin = _allowed_origin(cors, request.header("Origin"))
    method = (request.header("Access-Control-Request-Method") or "").upper()
    requested = request.header("Access-Control-Request-Headers")
    method_allowed = not cors.allow_methods or "*" in cors.allow_methods or method in cors.allow_methods
    if origin is None or not method_allowed or not _headers_allowed(cors, requested):
        return response  # not allowed: no CORS headers, and the browser blocks the request
    response.headers.append(("access-control-allow-origin", origin))
    if origin != "*":
        response.headers.append(("vary", "origin"))
    response.headers.append(("access-control-allow-methods", ",".join(cors.allow_methods or (method,))))
    if cors.allow_headers:
        allowed = requested if "*" in cors.allow_headers and requested else ",".join(cors.allow_headers)
        response.headers.append(("access-control-allow-headers", allowed))
    if cors.max_age is not None:
        response.headers.append(("access-control-max-age", str(cors.max_age)))
    if cors.allow_credentials:
        response.headers.append(("access-control-allow-credentials", "true"))
    return response


def decorate(cors: HttpCors, request: HttpRequest, response: HttpResponse) -> None:
    """The configured CORS headers on an integration's response, replacing any it sent itself."""
    response.headers = [
        (name, value) for name, value in response.headers if not name.lower().startswith(_CORS_PREFIX)
    ]
    origin = _allowed_origin(cors, request.header("Origin"))
    if origin is None:
        return
    response.headers.append(("access-control-allow-origin", origin))
    if origin != "*" and response.header("vary") is None:
        response.headers.append(("vary", "origin"))
    if cors.expose_headers:
        response.headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if cors.allow_credentials:
        response.headers.append(("access-control-allow-credentials", "true"))
