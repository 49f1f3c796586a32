"""Where Lambda sends what became of an asynchronous invocation, in the shapes AWS writes.

Two mechanisms, both from the Lambda developer guide ("Capturing records of Lambda asynchronous
invocations"):
- a dead-letter queue (DeadLetterConfig.TargetArn, SQS or SNS) receives the *original event* as the
  message body, with message attributes `RequestID` (String), `ErrorCode` (Number, the 3-digit HTTP
  status code) and `ErrorMessage` (String, truncated to 1 KB);
- destinations (EventInvokeConfig.DestinationConfig OnSuccess / OnFailure: SQS, SNS, Lambda,
  EventBridge) receive an *invocation record*: `version`, `timestamp`, `requestContext` (`requestId`,
  `functionArn`, `condition` = Success | RetriesExhausted | EventAgeExceeded, `approximateInvokeCount`),
  `requestPayload`, `responseContext` (`statusCode`, `executedVersion`, `functionError`) and
  `responsePayload`.

The messages go out through `samlite.services.targets` (moto's backends in-process: Lambda itself,
not the function, writes to these targets).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from samlite.model import InvocationResult
from samlite.services.targets import MessageAttribute, OutboundMessage

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
# Not documented for destinations; samlite's name for an event stopped by the recursion guard
# (Lambda raises RecursiveInvocationException for such invocations).
RECURSIVE_INVOCATION = "RecursiveInvocationException"
DLQ_ERROR_MESSAGE_LIMIT = 1024
LATEST = "$LATEST"


def dlq_message(event: bytes, request_id: str, error_code: int, error_message: str) -> OutboundMessage:
    """The dead-letter message: the event itself, the failure in three message attributes."""
    return OutboundMessage(
        body=event.decode("utf-8", errors="replace"),
        attributes={
            "RequestID": MessageAttribute("String", request_id),
            "ErrorCode": MessageAttribute("Number", str(error_code)),
            "ErrorMessage": MessageAttribute("String", _truncate(error_message, DLQ_ERROR_MESSAGE_LIMIT)),
        },
    )


def invocation_record(
    *,
    function_arn: str,
    request_id: str,
    condition: str,
    invoke_count: int,
    event: bytes,
    result: InvocationResult | None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """The record a destination receives; without an attempt (event too old) it has no response."""
    when = timestamp or datetime.now(UTC)
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:{LATEST}",
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": _json_or_text(event),
    }
    if result is not None:
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": LATEST}
        if result.failed:
            response_context["functionError"] = "Unhandled"
        record["responseContext"] = response_context
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def record_message(record: Mapping[str, Any]) -> OutboundMessage:
    success = record["requestContext"]["condition"] == SUCCESS
    suffix = "Success" if success else "Failure"
    return OutboundMessage(
        body=json.dumps(record), detail_type=f"Lambda Function Invocation Result - {suffix}"
    )


def error_message_of(result: InvocationResult) -> str:
    """Lambda's `errorMessage` from an error payload, or the payload itself when it is not one."""
    payload = _json_or_text(result.payload)
    if isinstance(payload, dict) and "errorMessage" in payload:
        return str(payload["errorMessage"])
    return result.payload.decode("utf-8", errors="replace")


def _json_or_text(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", errors="replace")


def _truncate(text: str, limit_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit_bytes:
        return text
    return encoded[:limit_bytes].decode("utf-8", errors="ignore")
