"""The one renderer of AWS errors: an `AwsError` written in the shape of the protocol that was called.

AWS services answer errors in their protocol's shape, and SDKs parse them by that shape; an error in
the wrong one reaches `botocore` as a bare status code. So every error samlite decides (IAM, the S3
checks, the APIs it answers itself) is written here, and moto's own IAM errors are reshaped here:

- `s3` (REST-XML, S3's own): `<Error><Code/><Message/>...<RequestId/><HostId/></Error>`, plus the
  code's own elements (`ProposedSize`, `ArgumentName`...), `x-amz-request-id` header;
- `query` (CloudFormation, IAM, STS, SNS): `<ErrorResponse><Error><Type/><Code/><Message/></Error>
  <RequestId/></ErrorResponse>`, with the API's XML namespace when it has one;
- `json` (DynamoDB, SQS, Kinesis...: the services called with `X-Amz-Target`):
  `{"__type": "...#Code", "message": ...}` and `x-amzn-ErrorType`;
- `rest-json` (Lambda): `{"Type": "User", "Message": ...}` and `x-amzn-ErrorType`.
"""

from __future__ import annotations

import json
import re
import uuid
import zlib
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from samlite.endpoint.local_apis import ApiResponse
from samlite.model import AwsError

S3 = "s3"
QUERY = "query"
JSON = "json"
REST_JSON = "rest-json"

_CODE = re.compile(rb"<Code>([^<]+)</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")
# IAM's codes -> the JSON services' names for the same failures.
_JSON_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}

Response = tuple[int, list[tuple[str, str]], bytes]


def json_code(code: str) -> str:
    """The JSON services' (and Lambda's) name for an IAM error code: `AccessDenied` is
    `AccessDeniedException`, an unknown key `UnrecognizedClientException`..."""
    return _JSON_CODES.get(code, code)


def render(
    error: AwsError, protocol: str, *, request_id: str | None = None, xmlns: str | None = None
) -> ApiResponse:
    """`error` as the `protocol` writes it (see the module docstring)."""
    request_id = request_id or _request_id(protocol)
    if protocol == S3:
        extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in error.extra.items())
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>{extra}"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        return ApiResponse(error.status, headers, xml.encode())
    if protocol == QUERY:
        kind = "Receiver" if error.status >= 500 else "Sender"
        namespace = f' xmlns="{xmlns}"' if xmlns else ""
        xml = (
            f"<ErrorResponse{namespace}><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>"
        )
        return ApiResponse(
            error.status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
        )
    if protocol == JSON:
        body = json.dumps({"__type": f"com.amazon.coral.service#{error.code}", "message": error.message})
        headers = [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error.code),
        ]
        return ApiResponse(error.status, headers, body.encode())
    if protocol == REST_JSON:
        body = json.dumps({"Type": "User", "Message": error.message})
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error.code),
        ]
        return ApiResponse(error.status, headers, body.encode())
    raise ValueError(f"unknown AWS protocol {protocol!r}")


def _request_id(protocol: str) -> str:
    return uuid.uuid4().hex[:16].upper() if protocol == S3 else str(uuid.uuid4())


def in_service_shape(environ: Mapping[str, Any], response: Response) -> Response:
    """moto's response, with an IAM XML error turned into the JSON error a JSON-protocol service gives.

    moto's IAM enforcement answers every non-S3 service with IAM's XML `<ErrorResponse>`; boto3 would
    parse it for a JSON service as code "403", so `e.response["Error"]["Code"] ==
    "AccessDeniedException"`, which works on AWS, would not locally.
    """
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
    code = json_code(code_match[1].decode())
    message_match = _MESSAGE.search(body)
    message = _unescape(message_match[1].decode()) if message_match else code
    rendered = render(AwsError(status, code, message), JSON)
    replaced = ("content-type", "content-length", "x-amzn-errortype", "x-amzn-requestid", "x-amz-crc32")
    kept = [(k, v) for k, v in headers if k.lower() not in replaced]
    request_ids = [v for k, v in headers if k.lower() == "x-amzn-requestid"]
    rendered_headers = [
        (k, request_ids[0] if k == "x-amzn-RequestId" and request_ids else v) for k, v in rendered.headers
    ]
    if any(k.lower() == "x-amz-crc32" for k, _ in headers):
        # DynamoDB checksums its bodies and SDKs verify it: the checksum must be the new body's.
        rendered_headers.append(("x-amz-crc32", str(zlib.crc32(rendered.body))))
    return status, [*kept, *rendered_headers], rendered.body


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
