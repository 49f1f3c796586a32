"""Messages to any target ARN (SQS queue, SNS topic, Lambda function, EventBridge bus, Step Functions
state machine), written by samlite itself on AWS's behalf: dead-letter and destination records, S3
notifications to queues and topics, rule and schedule targets (a state machine target starts an
execution with the message as its input, as EventBridge does).

`MotoTargets` delivers through moto's backends in-process (no HTTP, no credentials: the service, not
the function, writes to these targets). A delivery that fails is logged, never raised: what it
reports on is already over.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from samlite.model import FunctionSpec


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
        elif service == "states":
            self._send_states(region, arn, message)
        else:
            raise ValueError(
                f"unsupported target service {service!r} (SQS, SNS, Lambda, EventBridge or Step Functions)"
            )

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

    def _send_states(self, region: str, state_machine_arn: str, message: OutboundMessage) -> None:
        start_state_machine(state_machine_arn, message.body)


def start_state_machine(arn: str, payload: str) -> str:
    """Start an execution of the state machine `arn` with `payload` as its input, as an EventBridge rule
    or Scheduler target does (a generated name; "Amazon EventBridge targets": Step Functions); the
    execution's ARN. moto's error (StateMachineDoesNotExist, InvalidExecutionInput, ...) is raised."""
    from samlite.moto_changes.stepfunctions_interpreter import states_backend

    parts = arn.split(":")
    execution = states_backend(parts[4], parts[3]).start_execution(arn, str(uuid.uuid4()), payload)
    return str(execution.execution_arn)
