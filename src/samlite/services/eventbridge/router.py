"""EventBridge routing: every event reaches the targets of every enabled rule whose pattern matches.

Events come from PutEvents on the endpoint (handed over by `moto_changes.events_delivery` with the
EventId moto returned), from AWS services samlite emulates (S3's "Object Created" / "Object Deleted"
for buckets with EventBridge enabled) and from schedules (`fire_rule`). What AWS documents and this
follows ("Amazon EventBridge rules", "Event bus targets", "Transforming target input", "Using
dead-letter queues to process undelivered events"):
- the rules of the event's bus (the default bus, or a custom one by name or ARN), enabled ones only,
  matched with the full pattern grammar (`samlite.events.patterns`);
- targets: Lambda (invoked asynchronously: Lambda's retries, DLQ and destinations apply; recorded as
  delivered by the rule), SQS (with `SqsParameters.MessageGroupId` for FIFO queues), SNS, and other
  event buses; with `Input`, `InputPath` or `InputTransformer` (`input_transform`);
- a delivery that fails (no such function or queue, a FIFO queue without content-based
  deduplication, a payload Lambda cannot take) goes to the target's `DeadLetterConfig` queue with the
  `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE` and `ERROR_MESSAGE` attributes, and is logged either way;
- targets samlite does not emulate (Step Functions, Kinesis, logs, API destinations...) are said once.
Deliveries go through chaos when it is on (EventBridge delivers at least once, in no set order).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from samlite.events._ids import iso_seconds, utc_now
from samlite.events.eventbridge import eventbridge_event
from samlite.events.patterns import CompiledPattern, PatternError, compile_pattern
from samlite.model import FunctionSpec
from samlite.services.awslambda.recursion import MAX_CHAIN_DEPTH, ChainTracker
from samlite.services.chain_depth import depth_of_new_event
from samlite.services.chaos import UNORDERED_AT_LEAST_ONCE, Chaos
from samlite.services.eventbridge.input_transform import InputTransformError, RuleContext, target_input
from samlite.services.said_once import SaidOnce
from samlite.services.targets import MessageAttribute, OutboundMessage, SendToTarget, start_state_machine

Submit = Callable[..., str]
Backend = Callable[[str, str, str], Any]  # (service, account, region) -> moto's backend
ENABLED_STATES = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


class DeliveryFailed(Exception):
    """A target could not take the event; `code` is EventBridge's ERROR_CODE for the DLQ."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Routed:
    """One delivery: the rule, the target, the event and where it came from."""

    rule: Any  # moto's Rule
    target: Mapping[str, Any]
    event: Mapping[str, Any]
    source: str  # "eventbridge" or "schedule", as recorded
    depth: int


class EventBridgeRouter:
    """Routes AWS-shaped events to rules and their targets (see the module doc); never raises."""

    def __init__(
        self,
        *,
        backend: Backend,
        resolve_function: Callable[[str], FunctionSpec | None],
        submit: Submit,
        send_to_target: SendToTarget,
        chain: ChainTracker,
        log: Callable[[str], None],
        function_log: Callable[[str, str], None],
        chaos: Chaos | None = None,
    ) -> None:
        self._backend = backend
        self._resolve_function = resolve_function
        self._submit = submit
        self._send_to_target = send_to_target
        self._chain = chain
        self._log = log
        self._function_log = function_log
        self._chaos = chaos
        self._lock = threading.Lock()
        self._patterns: dict[str, CompiledPattern | PatternError] = {}
        self._say_once = SaidOnce(log)

    # -- events in ------------------------------------------------------------------------------------

    def on_put_events(self, backend: Any, entry: Mapping[str, Any], event_id: str) -> None:
        """The hook of `moto_changes.events_delivery`: one accepted PutEvents entry."""
        try:
            event = eventbridge_event(
                source=str(entry["Source"]),
                detail_type=str(entry["DetailType"]),
                detail=json.loads(entry["Detail"]),
                account=backend.account_id,
                region=backend.region_name,
                resources=list(entry.get("Resources") or ()),
                time=_time(entry.get("Time")),
                event_id=event_id,
            )
            self.put_event(event, str(entry.get("EventBusName") or "default"))
        except Exception as error:  # inside PutEvents: never fail the caller's request
            self._log(
                f"samlite: EventBridge event {event_id} not routed: internal error "
                f"{type(error).__name__}: {error}"
            )

    def put_event(self, event: Mapping[str, Any], bus: str = "default", *, depth: int | None = None) -> int:
        """Route an event to the matching rules of `bus` (a name or ARN); returns how many rules matched."""
        depth = depth_of_new_event(self._chain) if depth is None else depth
        account, region = str(event["account"]), str(event["region"])
        backend = self._backend("events", account, region)
        bus_name = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
        found = backend.event_buses.get(bus_name)
        if found is None:
            self._log(f"samlite: EventBridge event {event.get('id')} not routed: no event bus {bus_name!r}")
            return 0
        matched = 0
        for rule in list(found.rules.values()):
            if rule.state not in ENABLED_STATES or not self._matches(rule, event):
                continue
            matched += 1
            self.fire_rule(rule, event, source="eventbridge", depth=depth)
        return matched

    def _matches(self, rule: Any, event: Mapping[str, Any]) -> bool:
        text = rule.event_pattern.dump() if rule.event_pattern is not None else None
        if not text:
            return False  # a schedule-only rule
        with self._lock:
            compiled = self._patterns.get(text)
        if compiled is None:
            try:
                compiled = compile_pattern(text)
            except PatternError as error:
                compiled = error
            with self._lock:
                self._patterns[text] = compiled
        if isinstance(compiled, PatternError):
            self._say_once(rule.arn, f"samlite: EventBridge rule {rule.arn} matches nothing: its {compiled}")
            return False
        return compiled.matches(event)

    def fire_rule(self, rule: Any, event: Mapping[str, Any], *, source: str, depth: int = 1) -> int:
        """Deliver `event` to every target of `rule` (matched already, or fired by its schedule)."""
        for target in list(rule.targets):
            routed = Routed(rule=rule, target=target, event=event, source=source, depth=depth)
            self._through_chaos(routed)
        return len(rule.targets)

    # -- targets --------------------------------------------------------------------------------------

    def _through_chaos(self, routed: Routed) -> None:
        if self._chaos is None:
            self._deliver(routed)
            return
        event_id, target_arn = routed.event.get("id"), routed.target["Arn"]
        what = f"EventBridge event {event_id} of rule {routed.rule.name} for {target_arn}"
        channel = f"{routed.rule.arn}>{routed.target.get('Id')}"
        self._chaos.deliver(channel, UNORDERED_AT_LEAST_ONCE, what, lambda: self._deliver(routed))

    def _deliver(self, routed: Routed) -> None:
        rule, target = routed.rule, routed.target
        arn = str(target["Arn"])
        context = RuleContext(rule.arn, rule.name, iso_seconds(utc_now()))
        try:
            payload = target_input(target, routed.event, context)
            self._send(arn, payload, routed)
        except (DeliveryFailed, InputTransformError) as error:
            code = error.code if isinstance(error, DeliveryFailed) else "InvalidInput"
            self._failed(routed, code, str(error))
        except Exception as error:
            self._failed(routed, "SamliteError", f"{type(error).__name__}: {error}")

    def _send(self, arn: str, payload: str, routed: Routed) -> None:
        parts = arn.split(":")
        service = parts[2] if len(parts) > 5 else ""
        if service == "lambda":
            self._to_function(arn, payload, routed)
        elif service == "sqs":
            self._to_queue(parts, payload, routed.target)
        elif service == "sns":
            self._backend("sns", parts[4], parts[3]).publish(message=payload, arn=arn)
        elif service == "events" and parts[5].startswith("event-bus/"):
            if routed.depth >= MAX_CHAIN_DEPTH:
                raise DeliveryFailed("RecursiveLoop", f"the event crossed {MAX_CHAIN_DEPTH} event buses")
            self.put_event(routed.event, arn, depth=routed.depth + 1)
        elif service == "states" and parts[5] == "stateMachine":
            self._to_state_machine(arn, payload)
        else:
            self._say_once(
                f"{routed.rule.arn}>{arn}",
                f"samlite: EventBridge rule {routed.rule.arn}: target {arn} is not emulated; its events are "
                "not delivered (samlite delivers to Lambda, SQS, SNS, event buses and state machines)",
            )

    def _to_function(self, arn: str, payload: str, routed: Routed) -> None:
        spec = self._resolve_function(arn)
        if spec is None:
            raise DeliveryFailed("ResourceNotFoundException", f"Function not found: {arn}")
        try:
            json.loads(payload)
        except ValueError:
            raise DeliveryFailed(
                "InvalidRequestContentException", "Could not parse request body into json (the target input)"
            ) from None
        self._submit(
            spec, payload.encode("utf-8"), source=routed.source, depth=routed.depth, trigger=routed.rule.arn
        )

    def _to_state_machine(self, arn: str, payload: str) -> None:
        try:
            start_state_machine(arn, payload)
        except Exception as error:  # moto's StateMachineDoesNotExist, InvalidExecutionInput, ...
            code = str(getattr(error, "code", None) or type(error).__name__)
            raise DeliveryFailed(code, str(getattr(error, "message", None) or error)) from None

    def _to_queue(self, parts: list[str], payload: str, target: Mapping[str, Any]) -> None:
        sqs = self._backend("sqs", parts[4], parts[3])
        queue_name = parts[5]
        group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
        queue = sqs.queues.get(queue_name)
        if queue is None:
            raise DeliveryFailed("SQS.NonExistentQueue", f"The specified queue does not exist: {queue_name}")
        if getattr(queue, "fifo_queue", False) and not getattr(queue, "content_based_deduplication", False):
            raise DeliveryFailed(
                "SQS.InvalidParameterValue",
                "EventBridge sends to a FIFO queue only when content-based deduplication is enabled on it",
            )
        try:
            sqs.send_message(queue_name=queue_name, message_body=payload, group_id=group_id)
        except Exception as error:
            raise DeliveryFailed(
                "SQS.SendMessageFailed", str(getattr(error, "message", None) or error)
            ) from None

    def _failed(self, routed: Routed, code: str, message: str) -> None:
        rule, target = routed.rule, routed.target
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        where = (
            f"sent to its dead-letter queue {dead_letter}"
            if dead_letter
            else "discarded (no DeadLetterConfig)"
        )
        line = (
            f"samlite: EventBridge event {routed.event.get('id')} of rule {rule.arn} could not be delivered "
            f"to {target['Arn']} ({code}: {message}): {where}"
        )
        self._log(line)
        spec = self._resolve_function(str(target["Arn"])) if ":lambda:" in str(target["Arn"]) else None
        if spec is not None:
            self._function_log(spec.logical_id, line)
        if dead_letter:
            attributes = {
                "RULE_ARN": MessageAttribute("String", rule.arn),
                "TARGET_ARN": MessageAttribute("String", str(target["Arn"])),
                "ERROR_CODE": MessageAttribute("String", code),
                "ERROR_MESSAGE": MessageAttribute("String", message[:1024]),
            }
            self._send_to_target(
                dead_letter, OutboundMessage(body=json.dumps(routed.event), attributes=attributes)
            )


def _time(value: Any) -> datetime | None:
    """PutEvents' `Time`: epoch seconds (the JSON protocol), a datetime, or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
