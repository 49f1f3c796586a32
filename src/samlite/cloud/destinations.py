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

`MotoTargets` delivers such messages through moto's backends in-process (no HTTP, no credentials:
Lambda itself, not the function, writes to these targets). A delivery that fails is logged, never
raised: the invocation it reports on is already over.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from samlite.model import FunctionSpec, InvocationResult

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
# Not documented for destinations; samlite's name for an event stopped by the recursion guard
# (Lambda raises RecursiveInvocationException for such invocations).
RECURSIVE_INVOCATION = "RecursiveInvocationException"
DLQ_ERROR_MESSAGE_LIMIT = 1024
LATEST = "$LATEST"


@dataclass(frozen=True)
class MessageAttribute:
    data_type: str  # "String" or "Number", as SQS and SNS name them
    value: str


@dataclass(frozen=True)
class OutboundMessage:
    """A message for an SQS queue, SNS topic, Lambda function or EventBridge bus."""

    body: str
    attributes: Mapping[str, MessageAttribute] = field(default_factory=dict)
    # EventBridge's detail-type for invocation records ("Lambda Function Invocation Result - ...").
    detail_type: str | None = None


SendToTarget = Callable[[str, OutboundMessage], None]


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


class MotoTargets:
    """Send `OutboundMessage`s to SQS / SNS / EventBridge through moto's in-process backends, and to
    Lambda functions through `invoke_function` (an async submit). Callable as a `SendToTarget`."""

    def __init__(
        self,
        *,
        account_id: str,
        log: Callable[[str], None],
        invoke_function: Callable[[FunctionSpec, bytes], object] | None = None,
        function_for_arn: Callable[[str], FunctionSpec | None] | None = None,
    ) -> None:
        self._account_id = account_id
        self._log = log
        self._invoke_function = invoke_function
        self._function_for_arn = function_for_arn

    def __call__(self, arn: str, message: OutboundMessage) -> None:
        try:
            self._send(arn, message)
        except Exception as error:  # delivery is best effort, but never silent
            self._log(f"samlite: could not deliver a message to {arn}: {type(error).__name__}: {error}")

    def _send(self, arn: str, message: OutboundMessage) -> None:
        parts = arn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            raise ValueError(f"not an ARN: {arn!r}")
        service, region = parts[2], parts[3]
        if service == "sqs":
            self._send_sqs(region, parts[5], message)
        elif service == "sns":
            self._send_sns(region, arn, message)
        elif service == "lambda":
            self._send_lambda(arn, message)
        elif service == "events":
            self._send_events(region, arn, message)
        else:
            raise ValueError(f"unsupported target service {service!r} (SQS, SNS, Lambda or EventBridge)")

    def _send_sqs(self, region: str, queue_name: str, message: OutboundMessage) -> None:
        from moto.sqs.models import sqs_backends

        attributes = {
            name: {"DataType": attribute.data_type, "StringValue": attribute.value}
            for name, attribute in message.attributes.items()
        }
        sqs_backends[self._account_id][region].send_message(
            queue_name=queue_name, message_body=message.body, message_attributes=attributes
        )

    def _send_sns(self, region: str, topic_arn: str, message: OutboundMessage) -> None:
        from moto.sns.models import sns_backends

        attributes = {
            name: {"Type": attribute.data_type, "Value": attribute.value}
            for name, attribute in message.attributes.items()
        }
        sns_backends[self._account_id][region].publish(
            message=message.body, arn=topic_arn, message_attributes=attributes
        )

    def _send_lambda(self, arn: str, message: OutboundMessage) -> None:
        if self._invoke_function is None or self._function_for_arn is None:
            raise ValueError("Lambda targets are not wired in this samlite session")
        spec = self._function_for_arn(arn)
        if spec is None:
            raise ValueError(f"no function of the template has the ARN {arn}")
        self._invoke_function(spec, message.body.encode("utf-8"))

    def _send_events(self, region: str, bus_arn: str, message: OutboundMessage) -> None:
        from moto.events.models import events_backends

        entry = {
            "Source": "lambda",
            "DetailType": message.detail_type or "Lambda Function Invocation Result",
            "Detail": message.body,
            "EventBusName": bus_arn,
        }
        events_backends[self._account_id][region].put_events([entry])


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
