"""Resource-level IAM for EventBridge in moto: policies scoped to a bus's or rule's ARN work.

moto checks EventBridge calls against the resource "*" (its EventsHandler has no
`_determine_resource`), so a policy allowing `events:PutEvents` on one event bus, what SAM's
EventBridgePutEventsPolicy template expands to, would deny every PutEvents: a function's, or a state
machine's `events:putEvents` task. This gives the handler the resource EventBridge authorizes
("Actions, resources, and condition keys for Amazon EventBridge"): for PutEvents the bus of the
first entry (`default` when it names none; several buses in one call are checked as the first, a
documented gap), for rule calls the rule (`rule/<name>` on the default bus, `rule/<bus>/<name>` on
another), for bus calls the bus, "*" otherwise.
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_RULE_ACTIONS = frozenset(
    {
        "PutRule",
        "DeleteRule",
        "DescribeRule",
        "EnableRule",
        "DisableRule",
        "PutTargets",
        "RemoveTargets",
        "ListTargetsByRule",
    }
)
_BUS_ACTIONS = frozenset(
    {"CreateEventBus", "DeleteEventBus", "DescribeEventBus", "PutPermission", "RemovePermission"}
)


def _determine_resource(self: Any) -> str:
    target = str((self.headers or {}).get("X-Amz-Target") or "")  # AWSEvents.PutEvents
    action = target.rsplit(".", 1)[-1]
    if action == "PutEvents":
        entries = self._get_param("Entries") or [{}]
        return _bus_arn(self, (entries[0] or {}).get("EventBusName"))
    if action in _RULE_ACTIONS:
        rule = self._get_param("Name") or self._get_param("Rule")
        if isinstance(rule, str) and rule:
            if rule.startswith("arn:"):
                return rule
            bus = _bus_name(self._get_param("EventBusName"))
            path = f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}"
            return f"arn:aws:events:{self.region}:{self.current_account}:{path}"
    if action in _BUS_ACTIONS:
        return _bus_arn(self, self._get_param("Name") or self._get_param("EventBusName"))
    return "*"


def _bus_name(bus: Any) -> str:
    if not isinstance(bus, str) or not bus:
        return "default"
    return bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus


def _bus_arn(self: Any, bus: Any) -> str:
    if isinstance(bus, str) and bus.startswith("arn:"):
        return bus
    return f"arn:aws:events:{self.region}:{self.current_account}:event-bus/{_bus_name(bus)}"


CHANGE = MotoChange(
    name="events-iam-resource",
    reason="moto checks every EventBridge call against resource '*', so scoped policies deny all",
    patches=(
        Patch(
            Target("moto.events.responses:EventsHandler._determine_resource", None),
            lambda _: _determine_resource,
        ),
    ),
    service="events",
)
