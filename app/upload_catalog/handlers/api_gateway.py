"""API Gateway's Lambda proxy integration (REST API, payload format 1.0): event in, result out.

Event fields used, as API Gateway sends them: ``httpMethod``, ``resource`` (the route template, e.g.
``/objects/{key+}``), ``pathParameters`` (percent-encoded as the client sent them, see
``controllers.object_keys``), ``queryStringParameters`` (decoded; the last value of a repeated
parameter), ``headers`` (any case), ``body`` and ``isBase64Encoded``. Any of the dictionaries may be
``null`` when the request has none.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from upload_catalog.controllers.api_http import ApiError, Request, Response


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def request_from_event(event: dict[str, Any]) -> Request:
    """The request an API Gateway proxy event describes; ApiError 400 for an undecodable body."""
    body = event.get("body")
    raw: bytes | None = None
    if isinstance(body, str):
        if event.get("isBase64Encoded"):
            try:
                raw = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, "request body is marked base64 but is not valid base64") from None
        else:
            raw = body.encode("utf-8", "surrogatepass")
    return Request(
        method=str(event.get("httpMethod", "")).upper(),
        resource=str(event.get("resource", "")),
        path_parameters=_string_map(event.get("pathParameters")),
        query=_string_map(event.get("queryStringParameters")),
        headers={k.lower(): v for k, v in _string_map(event.get("headers")).items()},
        body=raw,
    )


def result_from_response(response: Response) -> dict[str, Any]:
    """The proxy integration's result: status, headers, body as a string (never base64 here)."""
    return {
        "statusCode": response.status,
        "headers": dict(response.headers),
        "body": response.encoded_body(),
        "isBase64Encoded": False,
    }
