"""The Lambda Invoke API on the embedded endpoint, answered by samlite's runtime instead of moto.

`POST /2015-03-31/functions/{FunctionName}/invocations` (API reference: "Invoke"):
- `X-Amz-Invocation-Type: RequestResponse` (default): 200, the function's response as the body;
  a function error adds `X-Amz-Function-Error: Unhandled` (still 200, as Lambda does);
  `X-Amz-Log-Type: Tail` adds `X-Amz-Log-Result`, the last 4 KB of the log, base64-encoded.
- `Event`: queued for asynchronous invocation, 202 with an empty body.
- `DryRun`: only checks the function exists and the caller may invoke it, 204.
- An unknown function: 404 `ResourceNotFoundException`, body `{"Message": "Function not found: <arn>",
  "Type": "User"}` (the shape Lambda returns, e.g. aarondfrancis/sidecar#23).

FunctionName may be a name, a full ARN, a partial ARN (`123456789012:function:name`) or, as with SAM's
local endpoint, the function's logical id, optionally with a `:qualifier`; a `Qualifier` (version or
alias) runs that version, and `X-Amz-Executed-Version` says which ran (`registry.py`). With IAM on, the
caller needs `lambda:InvokeFunction` on the ARN it named: a qualified ARN for a version or alias, as
Lambda authorizes it ("Resources and conditions for Lambda actions"). The other calls tools make
(ListFunctions, GetFunction...) are `functions_api.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.model import AwsError, FunctionSpec, InvocationResult
from samlite.services.awslambda.lambda_auth import authorize
from samlite.services.awslambda.registry import FunctionNotFound, FunctionRegistry, QualifierConflict, Target

log = logging.getLogger(__name__)

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
# Lambda's payload quotas: 6 MB for synchronous requests, 1 MB for asynchronous ones
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
LOG_TAIL_BYTES = 4096


class LambdaInvokeHandler(Protocol):
    """What the endpoint calls to run a function; the `samlite start` wiring provides it.

    `invoke` runs synchronously and returns the result; its keywords are those of the runtime's
    `LambdaRuntime.invoke`: the request id to use, the caller's client context (the decoded JSON of
    `X-Amz-Client-Context`), its `X-Amzn-Trace-Id` (which carries the recursion lineage) and the ARN
    it invoked (an alias ARN, say: the function's `context.invoked_function_arn`).
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
        invoked_arn: str | None = None,
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
        invoked_arn: str | None = None,
    ) -> InvocationResult:
        return self.run(
            spec,
            payload,
            request_id=request_id,
            client_context=client_context,
            trace_id=trace_id,
            invoked_arn=invoked_arn,
        )

    def invoke_async(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None:
        self.enqueue(spec, payload, request_id)


class LambdaInvokeApi:
    """Serves the Invoke route from a FunctionRegistry and a LambdaInvokeHandler (a `LocalApi`).

    With `iam_account_id` set (IAM on), the caller must be allowed `lambda:InvokeFunction` on the
    function, checked by moto's IAM engine as moto checks the calls it serves itself.
    """

    protocol = REST_JSON

    def __init__(self, registry: FunctionRegistry, iam_account_id: str | None = None) -> None:
        self.registry = registry
        self.handler: LambdaInvokeHandler | None = None
        self._iam_account_id = iam_account_id

    def match(self, environ: Mapping[str, Any], body: bytes) -> str | None:
        """The FunctionName of an Invoke call, else None."""
        if environ.get("REQUEST_METHOD") != "POST":
            return None
        found = INVOKE_PATH.match(str(environ.get("PATH_INFO", "")))
        return unquote(found["name"]) if found else None

    def handle(self, environ: Mapping[str, Any], body: bytes, name: str) -> ApiResponse | AwsError:
        request_id = str(uuid.uuid4())
        query = parse_qs(environ.get("QUERY_STRING", ""))
        qualifier = query.get("Qualifier", [None])[0]
        try:
            target = self.registry.find(name, qualifier)
        except FunctionNotFound as missing:
            return AwsError(404, "ResourceNotFoundException", str(missing))
        except QualifierConflict as conflict:
            return AwsError(400, "InvalidParameterValueException", str(conflict))
        invoked_arn = self.registry.arn(target.entry.name, target.qualifier)
        if self._iam_account_id is not None:
            denied = authorize(self._iam_account_id, environ, body, "lambda:InvokeFunction", invoked_arn)
            if denied is not None:
                return denied
        invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse"
        if invocation_type == "DryRun":
            return ApiResponse(204, [("x-amzn-RequestId", request_id)], b"")
        return self._invalid(invocation_type, body, environ) or self._run(
            target, invocation_type, body, request_id, environ
        )

    def _run(
        self,
        target: Target,
        invocation_type: str,
        body: bytes,
        request_id: str,
        environ: Mapping[str, Any],
    ) -> ApiResponse | AwsError:
        assert self.handler is not None
        payload = body or b"{}"
        spec = target.spec
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
                invoked_arn=self.registry.arn(target.entry.name, target.qualifier),
            )
        except Exception as error:  # samlite's own failure, not the function's: Lambda's 500
            log.exception("invoking %s failed", spec.function_name)
            return AwsError(500, "ServiceException", f"samlite could not invoke the function: {error}")
        return self._sync_response(result, spec.version, environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail")

    def _invalid(self, invocation_type: str, body: bytes, environ: Mapping[str, Any]) -> AwsError | None:
        """The error Lambda gives for this request before running anything, or None."""
        if invocation_type not in ("RequestResponse", "Event"):
            return AwsError(
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type!r}: use RequestResponse, Event or DryRun",
            )
        limit = SYNC_PAYLOAD_LIMIT if invocation_type == "RequestResponse" else ASYNC_PAYLOAD_LIMIT
        if len(body) > limit:
            return AwsError(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
            )
        try:
            _client_context(environ)
        except ValueError:
            return AwsError(
                400,
                "InvalidRequestContentException",
                "Client context must be a valid Base64-encoded JSON object.",
            )
        if body and not _is_json(body):
            return AwsError(400, "InvalidRequestContentException", "Could not parse request body into json")
        if self.handler is None:
            return AwsError(
                503, "ServiceException", "samlite: no Lambda runtime is attached to this endpoint"
            )
        return None

    @staticmethod
    def _sync_response(result: InvocationResult, version: str, tail: bool) -> ApiResponse:
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", result.request_id),
            ("X-Amz-Executed-Version", version),
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
