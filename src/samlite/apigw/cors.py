"""CORS for HTTP APIs, which API Gateway handles itself from `x-amazon-apigateway-cors`.

(REST APIs get theirs from the `options` mock methods SAM generates; see routes.MockResponse.)
HTTP API developer guide, "Configuring CORS for an HTTP API": a preflight (OPTIONS with Origin and
Access-Control-Request-Method) is answered by API Gateway without calling the function, with 204;
other responses get Access-Control-Allow-Origin (and Expose-Headers, Allow-Credentials) added when
the Origin is allowed.
"""

from __future__ import annotations

from samlite.apigw.messages import HttpRequest, HttpResponse
from samlite.apigw.routes import HttpCors


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


def preflight(cors: HttpCors, request: HttpRequest) -> HttpResponse:
    response = HttpResponse(204)
    origin = _allowed_origin(cors, request.header("Origin"))
    method = (request.header("Access-Control-Request-Method") or "").upper()
    if origin is None or (
        cors.allow_methods and "*" not in cors.allow_methods and method not in cors.allow_methods
    ):
        return response  # not allowed: no CORS headers, and the browser blocks the request
    response.headers.append(("Access-Control-Allow-Origin", origin))
    response.headers.append(("Access-Control-Allow-Methods", ",".join(cors.allow_methods or (method,))))
    requested = request.header("Access-Control-Request-Headers")
    if cors.allow_headers:
        allowed = ("*" in cors.allow_headers and requested) or ",".join(cors.allow_headers)
        response.headers.append(("Access-Control-Allow-Headers", str(allowed)))
    if cors.max_age is not None:
        response.headers.append(("Access-Control-Max-Age", str(cors.max_age)))
    if cors.allow_credentials:
        response.headers.append(("Access-Control-Allow-Credentials", "true"))
    return response


def decorate(cors: HttpCors, request: HttpRequest, response: HttpResponse) -> None:
    """Add the CORS headers of an allowed Origin to an ordinary response."""
    origin = _allowed_origin(cors, request.header("Origin"))
    if origin is None:
        return
    response.set_default("Access-Control-Allow-Origin", origin)
    if cors.expose_headers:
        response.set_default("Access-Control-Expose-Headers", ",".join(cors.expose_headers))
    if cors.allow_credentials:
        response.set_default("Access-Control-Allow-Credentials", "true")
