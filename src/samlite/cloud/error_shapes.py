"""IAM errors in the shape of the service that was called.

moto's IAM enforcement answers every non-S3 service with IAM's XML `<ErrorResponse>`. JSON-protocol
services (DynamoDB, SQS, Lambda...: those called with an `X-Amz-Target` header) answer AWS errors as
JSON, `{"__type": "...#AccessDeniedException", "message": "..."}`; boto3 parses the XML one into a
code of "403", so `except ClientError as e: e.response["Error"]["Code"] == "AccessDeniedException"`,
which works on AWS, would not locally. This rewrites those errors to the JSON shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_CODE = re.compile(rb"<Code>([^<]+)</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")
# IAM's codes -> the JSON services' names for the same failures.
_JSON_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}

Response = tuple[int, list[tuple[str, str]], bytes]


def in_service_shape(environ: Mapping[str, Any], response: Response) -> Response:
    """`response`, with an IAM XML error turned into the JSON error a JSON-protocol service returns."""
    status, headers, body = response
    if (
        status not in (400, 401, 403)
        or not environ.get("HTTP_X_AMZ_TARGET")
        or b"<ErrorResponse" not in body[:200]
    ):
        return response
    code_match = _CODE.search(body)
    if code_match is None:
        return response
    code = _JSON_CODES.get(code_match[1].decode(), code_match[1].decode())
    message_match = _MESSAGE.search(body)
    message = _unescape(message_match[1].decode()) if message_match else code
    json_body = json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": message}).encode()
    kept = [
        (k, v) for k, v in headers if k.lower() not in ("content-type", "content-length", "x-amzn-errortype")
    ]
    return (
        status,
        [*kept, ("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", code)],
        json_body,
    )


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
