"""EventBridge events are routed by samlite, not by moto; rule patterns are checked as AWS checks them.

moto matches PutEvents entries against rules with its own pattern matcher and delivers to a few target
types (SQS, logs, buses) while refusing Lambda targets (`NotImplementedError`, a 500); on CreateBucket
it runs matching functions in Docker. samlite routes events itself (`samlite.services.eventbridge`):
every rule of the bus, the full pattern grammar (`samlite.events.patterns`), Lambda, SQS and SNS
targets with Input, InputPath and InputTransformer. So:
- `EventsBackend.put_events` hands each accepted entry, with the EventId moto gave it, to the handler
  samlite registered (`route_events_to`);
- `Rule.send_to_targets` delivers nothing (moto's own routing, also used by replays);
- `moto.events.notifications._send_safe_notification` sends nothing (CloudTrail-style events for
  CreateBucket, which samlite does not emulate);
- `EventsBackend.put_rule` refuses a pattern AWS would refuse (`InvalidEventPatternException`, naming
  the field) instead of moto's few checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samlite.events.patterns import PatternError, compile_pattern
from samlite.moto_changes.handlers import HandlerStack
from samlite.moto_changes.seam import MotoChange, Patch, Target

# handler(events_backend, entry, event_id): must only enqueue (it runs inside PutEvents).
EventHandler = Callable[[Any, dict[str, Any], str], None]
_handlers: HandlerStack[EventHandler] = HandlerStack()


def route_events_to(handler: EventHandler) -> Callable[[], None]:
    """Send every accepted PutEvents entry to `handler`; returns the function that stops it."""
    return _handlers.register(handler)


def _routed_by_samlite(original: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries = original(self, events)
        handler = _handlers.current()
        if handler is not None:
            for event, entry in zip(events, entries, strict=False):
                if "EventId" in entry:
                    handler(self, event, entry["EventId"])
        return entries

    return put_events


def _no_delivery(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for moto's own delivery while samlite routes events."""


def _checked_pattern(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_rule(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        pattern = (
            kwargs["event_pattern"] if "event_pattern" in kwargs else (args[2] if len(args) > 2 else None)
        )
        if pattern:
            try:
                compile_pattern(pattern)
            except PatternError as error:
                from moto.events.exceptions import InvalidEventPatternException

                where = f"{error.field}: " if error.field else ""
                raise InvalidEventPatternException(reason=f"{where}{error.problem}") from None
        return original(self, name, *args, **kwargs)

    return put_rule


CHANGE = MotoChange(
    name="events-routing-by-samlite",
    reason="moto's EventBridge refuses Lambda targets, runs functions in Docker and matches few operators",
    patches=(
        Patch(Target("moto.events.models:EventsBackend.put_events", "(self, events)"), _routed_by_samlite),
        Patch(
            Target("moto.events.models:Rule.send_to_targets", "(self, original_event, transform_input=True)"),
            lambda _: _no_delivery,
        ),
        Patch(
            Target(
                "moto.events.notifications:_send_safe_notification",
                "(source, event_name, region, resources, detail)",
            ),
            lambda _: _no_delivery,
        ),
        Patch(
            Target(
                "moto.events.models:EventsBackend.put_rule",
                "(self, name, description=None, event_bus_arn=None, event_pattern=None, role_arn=None, "
                "scheduled_expression=None, state=None, managed_by=None, tags=None)",
            ),
            _checked_pattern,
        ),
    ),
    service="events",
)
