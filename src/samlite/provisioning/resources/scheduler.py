"""EventBridge Scheduler schedules of the template (`AWS::Scheduler::Schedule`, `ScheduleGroup`).

SAM's `ScheduleV2` events become such schedules. A schedule is checked as CreateSchedule checks it
("AWS::Scheduler::Schedule"; EventBridge Scheduler API reference): `ScheduleExpression` (`rate()`,
`cron()` or `at()`), `ScheduleExpressionTimezone` (an IANA zone), `FlexibleTimeWindow` (`Mode` OFF or
FLEXIBLE with `MaximumWindowInMinutes` 1-1440), `State`, `StartDate` / `EndDate` (ISO 8601) and a
`Target` with an `Arn`. A bad one fails here, naming the resource and property.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_list
from samlite.services.schedules.expressions import ScheduleExpressionError, parse_schedule, zone_of


def _group(context: Provisioning, resource: Resource) -> None:
    try:
        context.aws.backend("scheduler").create_schedule_group(
            name=resource.ref, tags=tag_list(resource.properties.get("Tags"))
        )
    except Exception as error:
        raise fail(resource, f"cannot create schedule group {resource.ref!r}", error) from error


def _remove_group(aws: AwsApi, resource: Resource) -> None:
    aws.backend("scheduler").schedule_groups.pop(resource.ref, None)


def _epoch(value: Any, where: str, prop: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ProvisionError(
            f"{where}: property '{prop}': {value!r} is not an ISO 8601 date and time"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _check(props: Any, where: str) -> None:
    expression = props.get("ScheduleExpression")
    if not expression:
        raise ProvisionError(f"{where}: property 'ScheduleExpression' is required")
    try:
        parse_schedule(str(expression), allow_at=True)
        zone_of(props.get("ScheduleExpressionTimezone"))
    except ScheduleExpressionError as error:
        prop = "ScheduleExpressionTimezone" if "Timezone" in str(error) else "ScheduleExpression"
        raise ProvisionError(f"{where}: property '{prop}': {error}") from None
    window = props.get("FlexibleTimeWindow")
    if not isinstance(window, dict) or str(window.get("Mode", "")).upper() not in ("OFF", "FLEXIBLE"):
        raise ProvisionError(f"{where}: property 'FlexibleTimeWindow': needs Mode OFF or FLEXIBLE")
    if str(window["Mode"]).upper() == "FLEXIBLE":
        minutes = window.get("MaximumWindowInMinutes")
        if not str(minutes or "").isdigit() or not 1 <= int(minutes) <= 1440:
            raise ProvisionError(
                f"{where}: property 'FlexibleTimeWindow.MaximumWindowInMinutes': a FLEXIBLE window needs "
                "1 to 1440 minutes"
            )
    target = props.get("Target")
    if not isinstance(target, dict) or not target.get("Arn"):
        raise ProvisionError(f"{where}: property 'Target': needs an 'Arn'")
    state = str(props.get("State") or "ENABLED")
    if state not in ("ENABLED", "DISABLED"):
        raise ProvisionError(f"{where}: property 'State': {state!r} is not ENABLED or DISABLED")


def _schedule(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    where = f"{resource.logical_id} (AWS::Scheduler::Schedule)"
    _check(props, where)
    start = _epoch(props.get("StartDate"), where, "StartDate")
    end = _epoch(props.get("EndDate"), where, "EndDate")
    window = dict(props["FlexibleTimeWindow"])
    if "MaximumWindowInMinutes" in window:
        window["MaximumWindowInMinutes"] = int(window["MaximumWindowInMinutes"])
    try:
        schedule = context.aws.backend("scheduler").create_schedule(
            description=props.get("Description"),
            end_date=None,
            flexible_time_window=window,
            group_name=str(props.get("GroupName") or "default"),
            kms_key_arn=props.get("KmsKeyArn"),
            name=resource.ref,
            schedule_expression=str(props["ScheduleExpression"]),
            schedule_expression_timezone=props.get("ScheduleExpressionTimezone"),
            start_date=None,  # set below: moto reads a start date as epoch seconds only
            state=str(props.get("State") or "ENABLED"),
            target=dict(props["Target"]),
            action_after_completion=None,  # an API-only setting: CloudFormation has no such property
        )
    except Exception as error:
        raise fail(resource, f"cannot create schedule {resource.ref!r}", error) from error
    schedule.start_date, schedule.end_date = start, end


def _remove_schedule(aws: AwsApi, resource: Resource) -> None:
    group = aws.backend("scheduler").schedule_groups.get(
        str(resource.properties.get("GroupName") or "default")
    )
    if group is not None:
        group.schedules.pop(resource.ref, None)


KINDS = (
    ResourceKind("AWS::Scheduler::ScheduleGroup", _group, rank=5, remove=_remove_group),
    ResourceKind("AWS::Scheduler::Schedule", _schedule, rank=8, remove=_remove_schedule),
)
