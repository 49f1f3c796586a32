"""What an EventBridge Scheduler schedule does when it fires: its templated target.

"Using templated targets" and "Adding context attributes" (EventBridge Scheduler User Guide):
- the target receives the schedule's `Input` as is (no event envelope, unlike a scheduled rule), after
  the context attributes `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`,
  `<aws.scheduler.execution-id>` and `<aws.scheduler.attempt-number>` are replaced; without `Input`,
  a function receives `{}`;
- Lambda targets are invoked asynchronously (recorded as delivered by the schedule); SQS targets get
  the input as the message body (`SqsParameters.MessageGroupId` for FIFO queues); SNS targets publish
  it; EventBridge bus targets put an event with `EventBridgeParameters` `Source` and `DetailType` and
  the input as its detail;
- universal targets (`arn:aws:scheduler:::aws-sdk:...`) and other templated ones are not emulated,
  said once; a delivery that fails goes to the target's `DeadLetterConfig` queue when set.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from samlite.events._ids import iso_seconds
from samlite.events.eventbridge import eventbridge_event
from samlite.model import FunctionSpec
from samlite.services.said_once import SaidOnce
from samlite.services.targets import MessageAttribute, OutboundMessage, SendToTarget, start_state_machine

Submit = Callable[..., str]
Backend = Callable[[str, str, str], Any]  # (service, account, region) -> moto's backend
PutEvent = Callable[..., int]  # EventBridgeRouter.put_event


@dataclass(frozen=True)
class Firing:
    """One run of one schedule."""

    schedule_arn: str
    target: Mapping[str, Any]
    scheduled_time: datetime
    execution_id: str
    attempt: int = 1


def new_execution_id() -> str:
    return secrets.token_hex(8)


def scheduler_input(firing: Firing) -> str:
    text = firing.target.get("Input")
    if text is None:
        return "{}"
    if not isinstance(text, str):
        text = json.dumps(text)
    context = {
        "<aws.scheduler.schedule-arn>": firing.schedule_arn,
        "<aws.scheduler.scheduled-time>": iso_seconds(firing.scheduled_time),
        "<aws.scheduler.execution-id>": firing.execution_id,
        "<aws.scheduler.attempt-number>": str(firing.attempt),
    }
    for placeholder, value in context.items():
        text = text.replace(placeholder, value)
    return text


class SchedulerTargets:
    """Delivers a schedule's firing to its target (see the module doc); never raises."""

    def __init__(
        self,
        *,
        backend: Backend,
        resolve_function: Callable[[str], FunctionSpec | None],
        submit: Submit,
        put_event: PutEvent,
        send_to_target: SendToTarget,
        log: Callable[[str], None],
        function_log: Callable[[str, str], None],
    ) -> None:
        self._backend = backend
        self._resolve_function = resolve_function
        self._submit = submit
        self._put_event = put_event
        self._send_to_target = send_to_target
        self._log = log
        self._function_log = function_log
        self._say_once = SaidOnce(log)

    def deliver(self, firing: Firing) -> None:
        arn = str(firing.target.get("Arn", ""))
        try:
            self._send(arn, scheduler_input(firing), firing)
        except Exception as error:
            self._failed(firing, arn, error)

    def _send(self, arn: str, payload: str, firing: Firing) -> None:
        parts = arn.split(":")
        service = parts[2] if len(parts) > 5 else ""
        if service == "lambda":
            spec = self._resolve_function(arn)
            if spec is None:
                raise LookupError(f"Function not found: {arn}")
            json.loads(payload)  # Lambda takes JSON only: a ValueError goes to the DLQ
            self._submit(spec, payload.encode("utf-8"), source="schedule", trigger=firing.schedule_arn)
        elif service == "sqs":
            group_id = (firing.target.get("SqsParameters") or {}).get("MessageGroupId")
            self._backend("sqs", parts[4], parts[3]).send_message(
                queue_name=parts[5], message_body=payload, group_id=group_id
            )
        elif service == "sns":
            self._backend("sns", parts[4], parts[3]).publish(message=payload, arn=arn)
        elif service == "events" and parts[5].startswith("event-bus/"):
            parameters = firing.target.get("EventBridgeParameters") or {}
            schedule = firing.schedule_arn.split(":")
            event = eventbridge_event(
                source=str(parameters.get("Source") or "aws.scheduler"),
                detail_type=str(parameters.get("DetailType") or "Scheduled Event"),
                detail=json.loads(payload),
                account=schedule[4],
                region=schedule[3],
                resources=[firing.schedule_arn],
            )
            self._put_event(event, arn, depth=1)
        elif service == "states" and parts[5] == "stateMachine":
            start_state_machine(arn, payload)  # its input is the target's Input, as Scheduler sends it
        else:
            self._say_once(
                arn,
                f"samlite: schedule {firing.schedule_arn}: target {arn} is not emulated; it is not invoked "
                "(samlite emulates Lambda, SQS, SNS, EventBridge and Step Functions templated targets)",
            )

    def _failed(self, firing: Firing, arn: str, error: Exception) -> None:
        message = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"
        dead_letter = (firing.target.get("DeadLetterConfig") or {}).get("Arn")
        where = (
            f"sent to its dead-letter queue {dead_letter}"
            if dead_letter
            else "discarded (no DeadLetterConfig)"
        )
        line = f"samlite: schedule {firing.schedule_arn} could not invoke {arn} ({message}): {where}"
        self._log(line)
        spec = self._resolve_function(arn) if ":lambda:" in arn else None
        if spec is not None:
            self._function_log(spec.logical_id, line)
        if dead_letter:
            attributes = {
                "ERROR_CODE": MessageAttribute("String", type(error).__name__),
                "ERROR_MESSAGE": MessageAttribute("String", message[:1024]),
                "TARGET_ARN": MessageAttribute("String", arn),
                "EXECUTION_ID": MessageAttribute("String", firing.execution_id),
            }
            self._send_to_target(
                dead_letter, OutboundMessage(body=scheduler_input(firing), attributes=attributes)
            )
