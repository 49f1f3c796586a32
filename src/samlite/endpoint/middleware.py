"""The WSGI layer in front of moto: local APIs, S3 checks, unsigned S3 requests, and request observers.

For every request, in order:
1. the body is read in full (observers need it, and the keep-alive server relies on it, see
   http_server);
2. a registered `LocalApi` that matches answers it (the Lambda Invoke API, DescribeStacks);
3. an S3 request is read once (`samlite.wire.s3_request`): a POST form that cannot be read one way
   only is refused, and moto is handed the form as it was read, so what is checked is what is stored;
4. with IAM on, an S3 request without an Authorization header (presigned URL or form) is settled by
   `samlite.iam.presigned`, and served by moto with moto's own check skipped;
5. the registered `S3Check`s may refuse it (presigned POST policies);
6. moto serves it, its IAM errors reshaped for JSON services (`aws_errors.in_service_shape`);
7. observers see the served request before its response is sent, so an S3 notification is already
   queued when PutObject returns; with it come the object writes moto made for it, each with the
   sequencer it took under the key's lock (`samlite.moto_changes.s3_write_order`).
"""

from __future__ import annotations

import contextvars
import io
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from samlite.endpoint.aws_errors import S3, in_service_shape, render
from samlite.endpoint.local_apis import LocalApi, S3Check
from samlite.iam.presigned import needs_settling
from samlite.model import AwsError, ObjectWrite, RequestObserver, ServedRequest
from samlite.moto_changes.auth_skip import skip_moto_auth
from samlite.moto_changes.s3_write_order import recording
from samlite.wire.s3_request import MalformedForm, S3Request, read_s3_request
from samlite.wire.signing import signer_of

StartResponse = Callable[..., Any]
Response = tuple[int, list[tuple[str, str]], bytes]
# Settles an unsigned S3 request (IAM on): None lets it through, an AwsError refuses it.
SettleUnsigned = Callable[[dict[str, Any], S3Request], AwsError | None]

log = logging.getLogger(__name__)

# The request this thread is serving, for what moto calls back into samlite while serving it (an SNS
# Publish or EventBridge PutEvents delivering to a function needs to know who published: the
# recursion guard follows the caller's credentials and trace header).
_serving: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "samlite_serving", default=None
)


def serving_environ() -> Mapping[str, Any] | None:
    """The WSGI environ of the request this thread is serving, or None outside a request."""
    return _serving.get()


class EndpointMiddleware:
    """Wraps moto's WSGI application; see the module docstring for what it adds."""

    def __init__(
        self, moto_app: Callable[..., Iterable[bytes]], settle_unsigned: SettleUnsigned | None = None
    ) -> None:
        self._moto_app = moto_app
        self._settle_unsigned = settle_unsigned
        self._local_apis: list[LocalApi] = []
        self._s3_checks: list[S3Check] = []
        self._observers: list[RequestObserver] = []
        self._lock = threading.Lock()

    def add_local_api(self, api: LocalApi) -> None:
        with self._lock:
            self._local_apis = [*self._local_apis, api]

    def add_s3_check(self, check: S3Check) -> None:
        with self._lock:
            self._s3_checks = [*self._s3_checks, check]

    def add_observer(self, observer: RequestObserver) -> None:
        with self._lock:
            self._observers = [*self._observers, observer]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        token = _serving.set(environ)
        try:
            with recording() as writes:
                status, headers, response_body = self._serve(environ, body)
        finally:
            _serving.reset(token)
        observers = self._observers
        if observers:
            served = _served_request(
                environ, _read_body(environ), status, headers, response_body, writes=writes
            )
            for observer in observers:
                try:
                    observer(served)
                except Exception:  # an observer's bug must not turn a served request into a 500
                    log.exception("request observer %r failed on %s %s", observer, served.method, served.path)
        start_response(f"{status} {_reason(status)}", headers)
        return [response_body]

    def _serve(self, environ: dict[str, Any], body: bytes) -> Response:
        for api in self._local_apis:
            match = api.match(environ, body)
            if match is not None:
                answer = api.handle(environ, body, match)
                if isinstance(answer, AwsError):
                    answer = render(answer, api.protocol)
                return answer.status, answer.headers, answer.body
        signer = signer_of(str(environ.get("HTTP_AUTHORIZATION", "")), str(environ.get("QUERY_STRING", "")))
        if signer.service != "s3" or environ.get("HTTP_X_AMZ_TARGET"):
            return in_service_shape(environ, _call(self._moto_app, environ))
        try:
            return self._serve_s3(environ, _read_s3(environ, body))
        except MalformedForm as malformed:
            return _rendered(malformed.error, S3)

    def _serve_s3(self, environ: dict[str, Any], request: S3Request) -> Response:
        unsigned = self._settle_unsigned is not None and needs_settling(environ)
        refused = self._settle_unsigned(environ, request) if unsigned and self._settle_unsigned else None
        for check in self._s3_checks:
            refused = refused or check(environ, request)
        if refused is not None:
            return _rendered(refused, S3)
        if unsigned:
            with skip_moto_auth():
                return _call(self._moto_app, environ)
        return _call(self._moto_app, environ)


def _read_s3(environ: dict[str, Any], body: bytes) -> S3Request:
    """Read the S3 request once; a POST form is handed on to moto re-encoded, exactly as it was read."""
    raw_uri = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", ""))
    request = read_s3_request(
        str(environ.get("REQUEST_METHOD", "GET")),
        str(environ.get("HTTP_HOST", "")),
        raw_uri,
        str(environ.get("QUERY_STRING", "")),
        content_type=environ.get("CONTENT_TYPE"),
        body=body,
    )
    if request.form is not None:
        content_type, encoded = request.form.encoded()
        environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(len(encoded))
        environ["wsgi.input"] = io.BytesIO(encoded)
    return request


def _rendered(error: AwsError, protocol: str) -> Response:
    response = render(error, protocol)
    return response.status, response.headers, response.body


def _read_body(environ: dict[str, Any]) -> bytes:
    """The whole body, leaving `wsgi.input` readable again from its start."""
    stream = environ["wsgi.input"]
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
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


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> Response:
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
    environ: dict[str, Any],
    body: bytes,
    status: int,
    headers: list[tuple[str, str]],
    response_body: bytes,
    *,
    writes: list[ObjectWrite],
) -> ServedRequest:
    """The request as moto received it (a POST form re-encoded), for observers."""
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
    query = str(environ.get("QUERY_STRING", ""))
    signer = signer_of(request_headers.get("Authorization", ""), query)
    return ServedRequest(
        service=signer.service,
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=raw_uri.split("?", 1)[0],
        query=query,
        headers=request_headers,
        body=body,
        status=status,
        response_headers=dict(headers),
        response_body=response_body,
        host=str(environ.get("HTTP_HOST", "")),
        access_key_id=signer.access_key_id,
        source_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
        object_writes=tuple(writes),
    )


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
