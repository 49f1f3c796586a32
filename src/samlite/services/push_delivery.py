"""The pushed event sources of one local cloud: SNS subscriptions, EventBridge rules, schedules, trigger.

`PushDelivery` is assembled on top of `EventDelivery` (its async invoker, recursion guard, targets and
chaos) and plugs in:
- SNS: moto's subscription deliveries come to `SnsDelivery` (`moto_changes.sns_delivery`);
- EventBridge: PutEvents entries come to `EventBridgeRouter` (`moto_changes.events_delivery`), and the
  S3 notifier sends S3's EventBridge events to it;
- schedules: a `ScheduleClock` fires scheduled rules and EventBridge Scheduler schedules while the
  cloud runs, and lists them (disabled ones as such) when it starts;
- `trigger(id)`: fires one now, also served on the endpoint (`POST /_samlite/trigger/{id}`);
- PutEvents itself is answered in front of moto's dispatch (`eventbridge.put_events_api`).
Invocations are recorded with their source (`sns`, `eventbridge`, `schedule`) and the ARN of the
subscription, rule or schedule that delivered them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.events.eventbridge import scheduled_event
from samlite.model import FunctionSpec, Resource
from samlite.moto_changes.events_delivery import route_events_to
from samlite.moto_changes.sns_delivery import deliver_subscriptions_to
from samlite.services.awslambda.registry import FunctionRegistry
from samlite.services.chaos import UNORDERED_AT_LEAST_ONCE
from samlite.services.event_delivery import EventDelivery
from samlite.services.eventbridge.put_events_api import PutEventsApi
from samlite.services.eventbridge.router import ENABLED_STATES, EventBridgeRouter
from samlite.services.schedules.clock import ScheduleClock, ScheduleEntry
from samlite.services.schedules.scheduler_targets import Firing, SchedulerTargets, new_execution_id
from samlite.services.schedules.trigger import TriggerApi, TriggerError, TriggerResult
from samlite.services.sns.delivery import SnsDelivery

SCHEDULE_EVENT_TYPES = ("Schedule", "ScheduleV2")
_SCHEDULE_TYPES = ("AWS::Events::Rule", "AWS::Scheduler::Schedule")


class PushDelivery:
    """SNS, EventBridge, schedules and trigger for one embedded AWS (see the module doc)."""

    def __init__(
        self,
        aws: EmbeddedAws,
        delivery: EventDelivery,
        functions: FunctionRegistry,
        *,
        resources: Iterable[Resource] = (),
        function_specs: Mapping[str, FunctionSpec] | None = None,
        log: Callable[[str], None],
        function_log: Callable[[str, str], None],
    ) -> None:
        self._aws = aws
        self._delivery = delivery
        self._log = log
        self._function_specs = dict(function_specs or {})
        # Logical id -> (type, ARN, is a schedule) of the template's rules and schedules.
        self._catalog: dict[str, tuple[str, str, bool]] = {
            resource.logical_id: (
                resource.type,
                str(resource.attributes.get("Arn") or resource.ref),
                resource.type == "AWS::Scheduler::Schedule"
                or bool(resource.properties.get("ScheduleExpression")),
            )
            for resource in resources
            if resource.type in _SCHEDULE_TYPES
        }
        self._labels = {arn: logical_id for logical_id, (_, arn, _) in self._catalog.items()}
        invoker, chain, chaos = delivery.invoker, delivery.chain, delivery.chaos
        self.sns = SnsDelivery(
            resolve_function=functions.resolve,
            submit=invoker.submit,
            sqs_backend=lambda account, region: self._backend("sqs", account, region),
            log=log,
            function_log=function_log,
            chain=chain,
            chaos=chaos,
        )
        self.router = EventBridgeRouter(
            backend=self._backend,
            resolve_function=functions.resolve,
            submit=invoker.submit,
            send_to_target=delivery.targets,
            chain=chain,
            log=log,
            function_log=function_log,
            chaos=chaos,
        )
        self.scheduler_targets = SchedulerTargets(
            backend=self._backend,
            resolve_function=functions.resolve,
            submit=invoker.submit,
            put_event=self.router.put_event,
            send_to_target=delivery.targets,
            log=log,
            function_log=function_log,
        )
        self.clock = ScheduleClock(scan=self._scan, fire=self._fire, log=log, label=self._label)
        self._unhook: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._started = False

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> PushDelivery:
        """Take over SNS and EventBridge deliveries, start the schedule clock, serve the trigger API."""
        with self._lock:
            if self._started:
                return self
            self._started = True
        self._unhook.append(deliver_subscriptions_to(self.sns))
        self._unhook.append(route_events_to(self.router.on_put_events))
        self._delivery.notifier.send_to_eventbridge = lambda event, depth: self.router.put_event(
            event, "default", depth=depth
        )
        aws = self._aws
        iam_account = aws.account_id if aws.iam_enabled else None
        aws.add_local_api(TriggerApi(self.trigger, self._arn_for, iam_account))
        aws.add_local_api(
            PutEventsApi(
                lambda: aws.backend("events"),
                region=aws.region,
                account_id=aws.account_id,
                iam=aws.iam_enabled,
            )
        )
        self.clock.start()
        return self

    def close(self) -> None:
        """Stop the clock and give SNS / EventBridge back (to the next cloud, or to moto)."""
        self.clock.stop()
        self._delivery.notifier.send_to_eventbridge = None
        while self._unhook:
            self._unhook.pop()()

    # -- trigger --------------------------------------------------------------------------------------

    def trigger(self, trigger_id: str) -> TriggerResult:
        """Fire the rule or schedule `trigger_id` names now (see `schedules.trigger`)."""
        entry = self._find(trigger_id)
        when = self.clock.fire_now(entry)
        if entry.kind == "rule":
            targets = tuple(str(target["Arn"]) for target in entry.source.targets)
        else:
            targets = (str(entry.source.target.get("Arn", "")),)
        self._log(f"samlite: schedule {self._label(entry)} fired now (samlite trigger)")
        return TriggerResult(
            id=trigger_id,
            kind=entry.kind,
            name=entry.name,
            arn=entry.arn,
            time=f"{when:%Y-%m-%dT%H:%M:%SZ}",
            targets=targets,
        )

    def _arn_for(self, trigger_id: str) -> str:
        return self._find(trigger_id).arn

    def _find(self, trigger_id: str) -> ScheduleEntry:
        entries = self._scan()
        by_arn = {entry.arn: entry for entry in entries}
        arn = self._arn_of_id(trigger_id)
        if arn is None:
            arn = next((entry.arn for entry in entries if trigger_id in (entry.arn, entry.name)), None)
        if arn is None or arn not in by_arn:
            known = ", ".join(sorted({self._label(entry) for entry in entries})) or "none"
            raise TriggerError(
                f"no schedule {trigger_id!r}: give a scheduled rule or schedule's logical id, a function "
                f"with one Schedule or ScheduleV2 event, or Function.Event (schedules: {known})"
            )
        return by_arn[arn]

    def _arn_of_id(self, trigger_id: str) -> str | None:
        """The ARN a template id names: a rule / schedule logical id, `Function` or `Function.Event`."""
        logical_id = trigger_id
        if trigger_id in self._function_specs:
            names = [
                name
                for name, event in self._function_specs[trigger_id].events.items()
                if event.get("Type") in SCHEDULE_EVENT_TYPES
            ]
            if len(names) != 1:
                listed = ", ".join(f"{trigger_id}.{name}" for name in names)
                raise TriggerError(
                    f"function {trigger_id} has {len(names)} Schedule / ScheduleV2 events"
                    + (f": name one ({listed})" if names else ""),
                    status=400,
                )
            logical_id = trigger_id + names[0]
        elif "." in trigger_id:
            function_id, _, event_name = trigger_id.partition(".")
            if function_id in self._function_specs:
                logical_id = function_id + event_name
        found = self._catalog.get(logical_id)
        if found is None:
            return None
        _type, arn, is_schedule = found
        if not is_schedule:
            raise TriggerError(
                f"{logical_id} is an event-pattern rule, not a schedule: put an event that matches it "
                "(events put-events) to run its targets",
                status=400,
            )
        return arn

    # -- the clock's view of the embedded AWS ---------------------------------------------------------

    def _backend(self, service: str, account: str, region: str) -> Any:
        if (account, region) == (self._aws.account_id, self._aws.region):
            return self._aws.backend(service)
        from moto.backends import get_backend

        return get_backend(service)[account][region]  # type: ignore[call-overload]

    def _scan(self) -> list[ScheduleEntry]:
        entries: list[ScheduleEntry] = []
        events = self._aws.backend("events")
        for bus in list(events.event_buses.values()):
            for rule in list(bus.rules.values()):
                if rule.scheduled_expression:
                    entries.append(
                        ScheduleEntry(
                            arn=rule.arn,
                            kind="rule",
                            name=rule.name,
                            expression=str(rule.scheduled_expression),
                            enabled=rule.state in ENABLED_STATES,
                            source=rule,
                        )
                    )
        scheduler = self._aws.backend("scheduler")
        for group in list(scheduler.schedule_groups.values()):
            for schedule in list(group.schedules.values()):
                window = schedule.flexible_time_window or {}
                flexible = str(window.get("Mode", "OFF")).upper() == "FLEXIBLE"
                entries.append(
                    ScheduleEntry(
                        arn=schedule.arn,
                        kind="schedule",
                        name=schedule.name,
                        expression=str(schedule.schedule_expression),
                        enabled=str(schedule.state or "ENABLED").upper() == "ENABLED",
                        timezone=schedule.schedule_expression_timezone,
                        start=_moment(schedule.start_date),
                        end=_moment(schedule.end_date),
                        window_minutes=int(window.get("MaximumWindowInMinutes") or 0) if flexible else 0,
                        source=schedule,
                    )
                )
        return entries

    def _label(self, entry: ScheduleEntry) -> str:
        return self._labels.get(entry.arn, entry.name)

    def _fire(self, entry: ScheduleEntry, when: datetime) -> None:
        if entry.kind == "rule":
            self.router.fire_rule(
                entry.source, scheduled_event(entry.arn, time=when), source="schedule", depth=1
            )
            return
        schedule = entry.source
        firing = Firing(entry.arn, dict(schedule.target or {}), when, new_execution_id())
        chaos = self._delivery.chaos
        if chaos is None:
            self.scheduler_targets.deliver(firing)
        else:
            chaos.deliver(
                entry.arn,
                UNORDERED_AT_LEAST_ONCE,
                f"schedule {self._label(entry)} run of {when:%Y-%m-%dT%H:%M:%SZ}",
                lambda: self.scheduler_targets.deliver(firing),
            )
        if (
            str(entry.expression).startswith("at(")
            and str(schedule.action_after_completion or "") == "DELETE"
        ):
            try:
                self._aws.backend("scheduler").delete_schedule(schedule.group_name, schedule.name)
                label = self._label(entry)
                self._log(f"samlite: schedule {label} deleted after its one run (ActionAfterCompletion)")
            except Exception as error:
                self._log(
                    f"samlite: schedule {self._label(entry)} could not be deleted after its run: {error}"
                )


def _moment(value: Any) -> datetime | None:
    """A schedule's StartDate / EndDate as moto holds it (epoch seconds, ISO text or datetime)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
