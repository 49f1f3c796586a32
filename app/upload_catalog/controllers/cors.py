"""CORS for browsers: the configured origins only (a template parameter, not ``*`` by default).

The function answers the preflight itself (``OPTIONS`` routes without an API key, since browsers never
send custom headers on a preflight), so several origins can be allowed: API Gateway's built-in CORS
mock integration can only echo one fixed ``Access-Control-Allow-Origin`` value.
"""

from __future__ import annotations

from dataclasses import dataclass

from upload_catalog.controllers.api_http import Request, Response

ALLOWED_HEADERS = "Content-Type,X-Api-Key"
EXPOSED_HEADERS = "Location"
MAX_AGE_SECONDS = 600


@dataclass(frozen=True)
class CorsPolicy:
    """Origins allowed to read responses (``*`` only when configured so explicitly)."""

    origins: frozenset[str]

    def allowed_origin(self, request: Request) -> str | None:
        origin = request.header("origin")
        if not origin:
            return None
        if "*" in self.origins:
            return "*"
        return origin if origin in self.origins else None

    def decorate(self, request: Request, response: Response) -> Response:
        """Add the CORS headers an actual (non-preflight) response needs."""
        origin = self.allowed_origin(request)
        headers = {"Vary": "Origin"} if "*" not in self.origins else {}
        if origin:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response.with_headers(headers)

    def preflight(self, request: Request, methods: list[str]) -> Response:
        """204 to a preflight; Allow-* headers only for an allowed origin (the browser blocks otherwise)."""
        headers = {"Vary": "Origin"} if "*" not in self.origins else {}
        origin = self.allowed_origin(request)
        if origin:
            headers.update(
                {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ",".join([*methods, "OPTIONS"]),
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
                }
            )
        return Response(204, None, headers)
