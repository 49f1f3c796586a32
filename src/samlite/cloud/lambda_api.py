"""The Lambda Invoke API on the embedded endpoint, answered by samlite's runtime instead of moto.

`POST /2015-03-31/functions/{FunctionName}/invocations` (API reference: "Invoke"):
- `X-Amz-Invocation-Type: RequestResponse` (default): 200, the function's response as the body;
  a function error adds `X-Amz-Function-Error: Unhandled` (still 200, as Lambda does);
  `X-Amz-Log-Type: Tail` adds `X-Amz-Log-Result`, the last 4 KB of the log, base64-encoded.
- `Event`: queued for asynchronous invocation, 202 with an empty body.
- `DryRun`: only checks the function exists and the caller may invoke it, 204.
- An unknown function: 404 `ResourceNotFoundException`, body `{"Message": "Function not found: <arn>",
  "Type": "User"}` (the shape Lambda returns, e.g. aarondfrancis/sidecar#23).

FunctionName may be a name, a full ARN or a partial ARN (`123456789012:function:name`), optionally
with a `:qualifier`; only `$LATEST` exists locally. Other Lambda API calls (GetFunction,
ListFunctions...) are left to moto, which does not know samlite's functions: they answer as for an
empty account.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from samlite.model import FunctionSpec, InvocationResult

log = logging.getLogger(__name__)

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
# Lambda's payload quotas: 6 MB for synchronous requests, 1 MB for asynchronous ones
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
LOG_TAIL_BYTES = 4096
LATEST = "$LATEST"
ARN_PATTERN = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$"
)


class LambdaInvokeHandler(Protocol):
    """What the endpoint calls to run a function; the `samlite start` wiring provides it.

    `invoke` runs synchronously and returns the result; its keywords are those of the runtime's
    `LambdaRuntime.invoke`: the request id to use, the caller's client context (the decoded JSON of
    `X-Amz-Client-Context`) and its `X-Amzn-Trace-Id` (which carries the recursion lineage).
    `invoke_async` must only enqueue (Lambda's async queue, retries, DLQ) and return at once, using
    `request_id` as the invocation's request id so the 202's `x-amzn-RequestId` matches the logs.
    """

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        trace_id: str | None = None,
    ) -> InvocationResult: ...

    def invoke_async(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None: ...


@dataclass(frozen=True)
class CallableInvokeHandler:
    """A LambdaInvokeHandler made of two callables, for wiring without a class of one's own, e.g.
    `CallableInvokeHandler(runtime.invoke, lambda spec, payload, rid: invoker.submit(spec, payload,
    request_id=rid))`."""

    run: Callable[..., InvocationResult]
    enqueue: Callable[[FunctionSpec, bytes, str], object]

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        trace_id: str | None = None,
    ) -> InvocationResult:
        return self.run(
            spec, payload, request_id=request_id, client_context=client_context, trace_id=trace_id
        )

    def invoke_async(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None:
        self.enqueue(spec, payload, request_id)


@dataclass
class FunctionRegistry:
    """The functions the Invoke API knows, by name, with the ARN Lambda would give each."""

    region: str
    account_id: str
    partition: str = "aws"
    _by_name: dict[str, FunctionSpec] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, spec: FunctionSpec) -> str:
        """Make `spec` invocable and return its ARN; a name already taken by another function is refused."""
        with self._lock:
            existing = self._by_name.get(spec.function_name)
            if existing is not None and existing.logical_id != spec.logical_id:
                raise ValueError(
                    f"{spec.logical_id}: FunctionName {spec.function_name!r} is already used by "
                    f"{existing.logical_id}"
                )
            self._by_name[spec.function_name] = spec
        return self.arn(spec.function_name)

    def arn(self, function_name: str, qualifier: str | None = None) -> str:
        base = f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:function:{function_name}"
        return f"{base}:{qualifier}" if qualifier else base

    def resolve(self, name_or_arn: str, qualifier: str | None = None) -> FunctionSpec | None:
        """The function a FunctionName (name, ARN or partial ARN, maybe qualified) designates, or None."""
        match = ARN_PATTERN.match(name_or_arn)
        if match is None:
            return None
        if match["region"] and match["region"] != self.region:
            return None
        if match["account"] and match["account"] != self.account_id:
            return None
        embedded_qualifier = match["qualifier"]
        if embedded_qualifier and qualifier and embedded_qualifier != qualifier:
            return None
        effective = embedded_qualifier or qualifier
        if effective not in (None, LATEST):
            return None
        return self._by_name.get(match["name"])

    def __iter__(self) -> Iterator[FunctionSpec]:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def lambda_error(status: int, error_type: str, message: str, request_id: str) -> ApiResponse:
    """Lambda's REST-JSON error shape: the type in `x-amzn-ErrorType`, `Message` + `Type` in the body."""
    body = json.dumps({"Type": "User", "Message": message}).encode()
    return ApiResponse(
        status,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error_type),
        ],
        body,
    )


class Authorizer(Protocol):
    """Checks the caller of a request may perform `action` on `resource`; returns an error or None."""

    def __call__(
        self, environ: Mapping[str, Any], body: bytes, action: str, resource: str
    ) -> ApiResponse | None: ...


class LambdaInvokeApi:
    """Serves the Invoke route from a FunctionRegistry and a LambdaInvokeHandler."""

    def __init__(self, registry: FunctionRegistry, authorize: Authorizer | None = None) -> None:
        self.registry = registry
        self.handler: LambdaInvokeHandler | None = None
        self._authorize = authorize

    @staticmethod
    def matches(method: str, path_info: str) -> re.Match[str] | None:
        return INVOKE_PATH.match(path_info) if method == "POST" else None

    def handle(self, environ: Mapping[str, Any], name: str, body: bytes) -> ApiResponse:
        request_id = str(uuid.uuid4())
        query = parse_qs(environ.get("QUERY_STRING", ""))
        qualifier = query.get("Qualifier", [None])[0]
        spec = self.registry.resolve(name, qualifier)
        if spec is None:
            missing = name if name.startswith("arn:") else self.registry.arn(name, qualifier)
            return lambda_error(
                404, "ResourceNotFoundException", f"Function not found: {missing}", request_id
            )
        if self._authorize is not None:
            denied = self._authorize(environ, body, "InvokeFunction", self.registry.arn(spec.function_name))
            if denied is not None:
                return denied
        invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse"
        if invocation_type == "DryRun":
            return ApiResponse(204, [("x-amzn-RequestId", request_id)], b"")
        return self._invalid(invocation_type, body, request_id, environ) or self._run(
            spec, invocation_type, body, request_id, environ
        )

    def _run(
        self,
        spec: FunctionSpec,
        invocation_type: str,
        body: bytes,
        request_id: str,
        environ: Mapping[str, Any],
    ) -> ApiResponse:
        assert self.handler is not None
        payload = body or b"{}"
        try:
            if invocation_type == "Event":
                self.handler.invoke_async(spec, payload, request_id)
                return ApiResponse(202, [("x-amzn-RequestId", request_id), ("Content-Length", "0")], b"")
            result = self.handler.invoke(
                spec,
                payload,
                request_id=request_id,
                client_context=_client_context(environ),
                trace_id=environ.get("HTTP_X_AMZN_TRACE_ID") or None,
            )
        except Exception as error:  # samlite's own failure, not the function's: Lambda's 500
            log.exception("invoking %s failed", spec.function_name)
            return lambda_error(
                500, "ServiceException", f"samlite could not invoke the function: {error}", request_id
            )
        return self._sync_response(result, environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail")

    def _invalid(
        self, invocation_type: str, body: bytes, request_id: str, environ: Mapping[str, Any]
    ) -> ApiResponse | None:
        """The error Lambda gives for this request before running anything, or None."""
        if invocation_type not in ("RequestResponse", "Event"):
            return lambda_error(
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type!r}: use RequestResponse, Event or DryRun",
                request_id,
            )
        limit = SYNC_PAYLOAD_LIMIT if invocation_type == "RequestResponse" else ASYNC_PAYLOAD_LIMIT
        if len(body) > limit:
            return lambda_error(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
                request_id,
            )
        try:
            _client_context(environ)
        except ValueError:
            return lambda_error(
                400,
                "InvalidRequestContentException",
                "Client context must be a valid Base64-encoded JSON object.",
                request_id,
            )
        if body and not _is_json(body):
            return lambda_error(
                400, "InvalidRequestContentException", "Could not parse request body into json", request_id
            )
        if self.handler is None:
            return lambda_error(
                503, "ServiceException", "samlite: no Lambda runtime is attached to this endpoint", request_id
            )
        return None

    @staticmethod
    def _sync_response(result: InvocationResult, tail: bool) -> ApiResponse:
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", result.request_id),
            ("X-Amz-Executed-Version", LATEST),
        ]
        if result.failed:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if tail:
            log = "\n".join(result.log_lines).encode()
            if result.log_lines:
                log += b"\n"
            headers.append(("X-Amz-Log-Result", base64.b64encode(log[-LOG_TAIL_BYTES:]).decode()))
        return ApiResponse(200, headers, result.payload)


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _client_context(environ: Mapping[str, Any]) -> str | None:
    """`X-Amz-Client-Context` (base64 of a JSON object, at most 3583 bytes) as the JSON text the Runtime
    API hands the function; ValueError when it is not that."""
    encoded = environ.get("HTTP_X_AMZ_CLIENT_CONTEXT")
    if not encoded:
        return None
    if len(encoded) > 3583:
        raise ValueError("client context too long")
    try:
        text = base64.b64decode(encoded, validate=True).decode()
        if not isinstance(json.loads(text), dict):
            raise ValueError("client context is not a JSON object")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(str(error)) from error
    return text
