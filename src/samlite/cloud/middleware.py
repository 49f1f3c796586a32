"""The WSGI layer in front of moto: Lambda Invoke routing and request observers.

Every request's body is read in full first: observers need it, and the keep-alive server relies on
it (see http_server). Requests for the Lambda Invoke API go to `LambdaInvokeApi`, CloudFormation
DescribeStacks to `StackApi`; with IAM on, S3 requests without an Authorization header (presigned) are
settled by `presigned_auth` first; everything else goes to moto. Observers see each served request before its
response is sent, so an S3 notification is already queued when PutObject returns.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from samlite.cloud.error_shapes import in_service_shape
from samlite.cloud.lambda_api import ApiResponse, LambdaInvokeApi
from samlite.cloud.presigned_auth import needs_settling, skip_moto_auth
from samlite.cloud.served_request import ServedRequest
from samlite.cloud.stack_outputs import StackApi

Observer = Callable[[ServedRequest], None]
StartResponse = Callable[..., Any]

log = logging.getLogger(__name__)

CREDENTIAL_IN_HEADER = re.compile(r"Credential=([^/,\s]+)/[^/]*/[^/]*/([^/,\s]+)/")
CREDENTIAL_IN_QUERY = re.compile(r"(?:^|&)X-Amz-Credential=([^&%/]+)(?:%2F|/)", re.IGNORECASE)
ACCESS_KEY_IN_V2_QUERY = re.compile(r"(?:^|&)AWSAccessKeyId=([^&]+)")
CREDENTIAL_IN_FORM = re.compile(rb'name="x-amz-credential"\r\n\r\n([^/\r\n]+)/', re.IGNORECASE)
SERVICE_IN_QUERY = re.compile(
    r"X-Amz-Credential=[^&]*?(?:%2F|/)[^&]*?(?:%2F|/)[^&]*?(?:%2F|/)([a-z0-9-]+)(?:%2F|/)"
)


class EndpointMiddleware:
    """Wraps moto's WSGI application; see the module docstring for what it adds."""

    def __init__(
        self,
        moto_app: Callable[..., Iterable[bytes]],
        lambda_api: LambdaInvokeApi,
        stack_api: StackApi,
        settle_unsigned: Callable[[dict[str, Any], bytes], ApiResponse | None] | None = None,
    ) -> None:
        """`settle_unsigned` (IAM on): decides requests without an Authorization header before moto."""
        self._moto_app = moto_app
        self._settle_unsigned = settle_unsigned
        self._lambda_api = lambda_api
        self._stack_api = stack_api
        self._observers: list[Observer] = []
        self._observers_lock = threading.Lock()

    def add_observer(self, observer: Observer) -> None:
        with self._observers_lock:
            self._observers = [*self._observers, observer]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        invoke = self._lambda_api.matches(method, environ.get("PATH_INFO", ""))
        stack_call = None if invoke is not None else self._stack_api.matches(environ, body)
        if invoke is not None:
            response = self._lambda_api.handle(environ, unquote(invoke["name"]), body)
            status, headers, response_body = response.status, response.headers, response.body
        elif stack_call is not None:
            response = self._stack_api.handle(environ, body, stack_call)
            status, headers, response_body = response.status, response.headers, response.body
        elif self._settle_unsigned is not None and needs_settling(environ):
            refused = self._settle_unsigned(environ, body)
            if refused is not None:
                status, headers, response_body = refused.status, refused.headers, refused.body
            else:
                with skip_moto_auth():
                    status, headers, response_body = _call(self._moto_app, environ)
        else:
            status, headers, response_body = in_service_shape(environ, _call(self._moto_app, environ))
        observers = self._observers
        if observers:
            served = _served_request(environ, body, status, headers, response_body)
            for observer in observers:
                try:
                    observer(served)
                except Exception:  # an observer's bug must not turn a served request into a 500
                    log.exception("request observer %r failed on %s %s", observer, method, served.path)
        start_response(f"{status} {_reason(status)}", headers)
        return [response_body]


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked request body: werkzeug dechunks until EOF
        body = stream.read()
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = stream.read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def _call(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any]
) -> tuple[int, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        captured["status"] = status
        captured["headers"] = headers
        return lambda _data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(captured["status"].split(" ", 1)[0]), list(captured["headers"]), body


def _served_request(
    environ: dict[str, Any], body: bytes, status: int, headers: list[tuple[str, str]], response_body: bytes
) -> ServedRequest:
    request_headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        request_headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        request_headers["Content-Length"] = environ["CONTENT_LENGTH"]
    raw_uri = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", ""))
    path = raw_uri.split("?", 1)[0]
    query = str(environ.get("QUERY_STRING", ""))
    authorization = request_headers.get("Authorization", "")
    access_key_id, service = _caller(authorization, query, body, request_headers.get("Content-Type", ""))
    return ServedRequest(
        service=service,
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=path,
        query=query,
        headers=request_headers,
        body=body,
        status=status,
        response_headers=dict(headers),
        response_body=response_body,
        host=str(environ.get("HTTP_HOST", "")),
        access_key_id=access_key_id,
        source_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
    )


def _caller(authorization: str, query: str, body: bytes, content_type: str) -> tuple[str | None, str]:
    """The caller's access key id and the signing service, from SigV4 header, presigned URL or POST form."""
    match = CREDENTIAL_IN_HEADER.search(authorization)
    if match:
        return match[1], match[2]
    match = CREDENTIAL_IN_QUERY.search(query)
    if match:
        service = SERVICE_IN_QUERY.search(query)
        return unquote(match[1]), service[1] if service else "s3"
    match = ACCESS_KEY_IN_V2_QUERY.search(query)
    if match:
        return unquote(match[1]), "s3"
    if content_type.startswith("multipart/form-data"):
        form = CREDENTIAL_IN_FORM.search(body[:65536])
        if form:
            return form[1].decode("ascii", "replace"), "s3"
    return None, "s3"  # unsigned requests are S3's (moto routes them there too)


_REASONS = {
    200: "OK",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    304: "Not Modified",
    307: "Temporary Redirect",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    416: "Requested Range Not Satisfiable",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


def _reason(status: int) -> str:
    return _REASONS.get(status, "Unknown")
