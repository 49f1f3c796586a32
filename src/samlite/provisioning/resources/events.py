"""EventBridge buses and rules of the template (`AWS::Events::EventBus`, `AWS::Events::Rule`).

SAM's `EventBridgeRule`, `CloudWatchEvent` and `Schedule` events become such rules. A rule is checked
as PutRule and PutTargets check it ("AWS::Events::Rule"; EventBridge API reference): an event pattern
in EventBridge's grammar (`samlite.events.patterns`, the field named) or a schedule expression
(`rate()` / `cron()`, only on the default bus), `State`, and targets with at most one of `Input`,
`InputPath` and `InputTransformer`. A bad one fails here, naming the resource and property.
"""

from __future__ import annotations

import json
from typing import Any

from samlite.errors import ProvisionError
from samlite.events.patterns import PatternError, compile_pattern
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_list
from samlite.services.eventbridge.input_transform import InputTransformError, check_target_input
from samlite.services.schedules.expressions import ScheduleExpressionError, parse_schedule

_STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


def _bus_name(value: Any) -> str:
    return str(value or "default").rsplit("/", 1)[-1]


def _event_bus(context: Provisioning, resource: Resource) -> None:
    name = resource.ref
    try:
        context.aws.backend("events").create_event_bus(
            name=name, tags=tag_list(resource.properties.get("Tags"))
        )
    except Exception as error:
        raise fail(resource, f"cannot create event bus {name!r}", error) from error


def _remove_bus(aws: AwsApi, resource: Resource) -> None:
    aws.backend("events").event_buses.pop(resource.ref, None)


def _rule(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    where = f"{resource.logical_id} (AWS::Events::Rule)"
    pattern, schedule = props.get("EventPattern"), props.get("ScheduleExpression")
    bus = _bus_name(props.get("EventBusName"))
    if pattern is None and not schedule:
        raise ProvisionError(f"{where}: give an 'EventPattern' or a 'ScheduleExpression'")
    pattern_text = None
    if pattern is not None:
        pattern_text = pattern if isinstance(pattern, str) else json.dumps(pattern)
        try:
            compile_pattern(pattern_text)
        except PatternError as error:
            raise ProvisionError(f"{where}: property 'EventPattern': {error}") from None
    if schedule:
        if bus != "default":
            raise ProvisionError(
                f"{where}: property 'ScheduleExpression': only rules of the default bus have one"
            )
        try:
            parse_schedule(str(schedule))
        except ScheduleExpressionError as error:
            raise ProvisionError(f"{where}: property 'ScheduleExpression': {error}") from None
    state = str(props.get("State") or "ENABLED")
    if state not in _STATES:
        raise ProvisionError(f"{where}: property 'State': {state!r} is not one of {', '.join(_STATES)}")
    targets = [dict(target) for target in props.get("Targets") or []]
    for index, target in enumerate(targets):
        if not target.get("Arn") or not target.get("Id"):
            raise ProvisionError(f"{where}: property 'Targets[{index}]': 'Arn' and 'Id' are required")
        try:
            check_target_input(target)
        except InputTransformError as error:
            raise ProvisionError(f"{where}: property 'Targets[{index}]': {error}") from None
    events = context.aws.backend("events")
    try:
        events.put_rule(
            resource.ref,
            description=props.get("Description"),
            event_bus_arn=bus,
            event_pattern=pattern_text,
            role_arn=props.get("RoleArn"),
            scheduled_expression=str(schedule) if schedule else None,
            state=state,
        )
        if targets:
            events.put_targets(resource.ref, bus, targets)
    except Exception as error:
        raise fail(resource, f"cannot create rule {resource.ref!r} on bus {bus!r}", error) from error


def _remove_rule(aws: AwsApi, resource: Resource) -> None:
    bus = aws.backend("events").event_buses.get(_bus_name(resource.properties.get("EventBusName")))
    if bus is not None:
        bus.rules.pop(resource.ref, None)


KINDS = (
    ResourceKind("AWS::Events::EventBus", _event_bus, rank=5, remove=_remove_bus),
    ResourceKind("AWS::Events::Rule", _rule, rank=8, remove=_remove_rule),
)
