"""Triggers page: every event source of the stack, and "fire now" for its schedules.

- Event-source mappings (SQS, DynamoDB streams, Kinesis) as ListEventSourceMappings describes them:
  state, batch size and window, the function, the last processing result; for a queue, what is in
  flight (received by the mapping, not yet deleted) and what waits, from the queue's own counts.
- SNS subscriptions (protocol, endpoint, filter policy), EventBridge rules with an event pattern
  (the bus, the pattern, the targets), and schedules: scheduled rules and EventBridge Scheduler
  schedules, with their expression, state and the next run the schedule clock computed.

Everything is read through the endpoint's APIs as the administrator. "Fire now" goes where
`samlite trigger` goes: `POST /_samlite/trigger/{id}`, SigV4-signed with the administrator's
credentials and IAM-checked by the trigger API itself (the console never answers that route), so
the run is the usual one: the schedule's event, delivered to its targets and recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleError, ConsoleRequest, bad_request, json_response
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse

_SCHEDULE_TYPES = ("AWS::Events::Rule", "AWS::Scheduler::Schedule")


def _source_kind(arn: str) -> str:
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    return {"sqs": "SQS", "dynamodb": "DynamoDB stream", "kinesis": "Kinesis"}.get(service, service or "?")


class _Names:
    """Template names of what the APIs list by ARN: functions, rules, schedules, queues."""

    def __init__(self, context: ConsoleContext) -> None:
        sources = context.sources
        self.functions = {arn: logical for logical, arn in sources.provisioned.function_arns.items()}
        self.resources: dict[str, str] = {}
        for resource in sources.stack.resources.values():
            attributes = resource.attributes
            for value in (attributes.get("Arn"), attributes.get("StreamArn"), resource.ref):
                if isinstance(value, str) and value:
                    self.resources[value] = resource.logical_id

    def function(self, arn: str) -> str | None:
        base = arn if arn.count(":") <= 6 else arn.rsplit(":", 1)[0]  # an alias or version qualifier
        return self.functions.get(arn) or self.functions.get(base)

    def target(self, arn: str) -> dict[str, Any]:
        function = self.function(arn)
        return {"arn": arn, "function": function, "logicalId": function or self.resources.get(arn)}


def mapping_rows(context: ConsoleContext, names: _Names) -> list[dict[str, Any]]:
    clients = context.clients
    listed = clients.call("lambda", "list_event_source_mappings", MaxItems=10_000)
    rows = []
    for mapping in listed.get("EventSourceMappings", []):
        source = str(mapping.get("EventSourceArn", ""))
        row: dict[str, Any] = {
            "uuid": mapping.get("UUID"),
            "kind": _source_kind(source),
            "source": source,
            "sourceLogicalId": names.resources.get(source),
            "function": names.function(str(mapping.get("FunctionArn", ""))),
            "functionArn": mapping.get("FunctionArn"),
            "state": mapping.get("State"),
            "batchSize": mapping.get("BatchSize"),
            "batchingWindowS": mapping.get("MaximumBatchingWindowInSeconds"),
            "startingPosition": mapping.get("StartingPosition"),
            "lastResult": mapping.get("LastProcessingResult"),
            "filters": [f.get("Pattern") for f in (mapping.get("FilterCriteria") or {}).get("Filters", [])],
            "reportBatchItemFailures": "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []),
            "queue": None,
        }
        if row["kind"] == "SQS":
            row["queue"] = _queue_counts(context, source)
        rows.append(row)
    return sorted(rows, key=lambda r: (str(r["function"]), r["source"]))


def _queue_counts(context: ConsoleContext, queue_arn: str) -> dict[str, int] | None:
    """What a queue holds: `inFlight` is what was received (by the mapping) and not deleted yet."""
    parts = queue_arn.split(":")
    try:
        url = context.clients.call(
            "sqs", "get_queue_url", QueueName=parts[5], QueueOwnerAWSAccountId=parts[4]
        )
        attributes = context.clients.call(
            "sqs",
            "get_queue_attributes",
            QueueUrl=url["QueueUrl"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        ).get("Attributes", {})
    except (ConsoleError, IndexError):
        return None  # the queue is gone: the mapping says so by its last result
    return {
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "inFlight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
    }


def subscription_rows(context: ConsoleContext, names: _Names) -> list[dict[str, Any]]:
    clients = context.clients
    rows = []
    token: str | None = None
    while True:
        page = clients.call("sns", "list_subscriptions", **({"NextToken": token} if token else {}))
        for sub in page.get("Subscriptions", []):
            arn = str(sub.get("SubscriptionArn", ""))
            try:
                attributes = clients.call("sns", "get_subscription_attributes", SubscriptionArn=arn)
            except ConsoleError:
                attributes = {}
            details = attributes.get("Attributes", {})
            endpoint = str(sub.get("Endpoint", ""))
            rows.append(
                {
                    "arn": arn,
                    "topic": sub.get("TopicArn"),
                    "topicLogicalId": names.resources.get(str(sub.get("TopicArn", ""))),
                    "protocol": sub.get("Protocol"),
                    "endpoint": endpoint,
                    "target": names.target(endpoint),
                    "filterPolicy": details.get("FilterPolicy"),
                    "filterPolicyScope": details.get("FilterPolicyScope") or "MessageAttributes",
                    "rawMessageDelivery": details.get("RawMessageDelivery") == "true",
                }
            )
        token = page.get("NextToken")
        if not token:
            return rows


def _rules(context: ConsoleContext) -> list[tuple[str, dict[str, Any]]]:
    clients = context.clients
    found = []
    for bus in clients.call("events", "list_event_buses").get("EventBuses", []):
        bus_name = str(bus.get("Name"))
        for rule in clients.call("events", "list_rules", EventBusName=bus_name).get("Rules", []):
            found.append((bus_name, rule))
    return found


def _targets(context: ConsoleContext, bus: str, rule: str, names: _Names) -> list[dict[str, Any]]:
    listed = context.clients.call("events", "list_targets_by_rule", Rule=rule, EventBusName=bus)
    return [
        {**names.target(str(t.get("Arn", ""))), "id": t.get("Id"), "input": t.get("Input")}
        for t in listed.get("Targets", [])
    ]


def _iso(moment: datetime | None) -> str | None:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if moment is not None else None


def rule_and_schedule_rows(
    context: ConsoleContext, names: _Names
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    runs: Mapping[str, datetime | None] = context.sources.schedule_runs()
    rules, schedules = [], []
    for bus, rule in _rules(context):
        arn, name = str(rule.get("Arn")), str(rule.get("Name"))
        row = {
            "arn": arn,
            "name": name,
            "logicalId": names.resources.get(arn),
            "bus": bus,
            "state": rule.get("State"),
            "enabled": rule.get("State") == "ENABLED",
            "targets": _targets(context, bus, name, names),
        }
        if rule.get("ScheduleExpression"):
            schedules.append(
                {
                    **row,
                    "kind": "rule",
                    "expression": rule.get("ScheduleExpression"),
                    "timezone": None,
                    "nextRun": _iso(runs.get(arn)),
                    "triggerId": row["logicalId"] or name,
                }
            )
        else:
            pattern = rule.get("EventPattern")
            rules.append({**row, "pattern": json.loads(pattern) if pattern else None})
    schedules.extend(_scheduler_rows(context, names, runs))
    return rules, sorted(schedules, key=lambda s: str(s["logicalId"] or s["name"]))


def _all_schedules(context: ConsoleContext) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = context.clients.call(
            "scheduler", "list_schedules", MaxResults=100, **({"NextToken": token} if token else {})
        )
        found.extend(page.get("Schedules", []))
        token = page.get("NextToken")
        if not token:
            return found


def _scheduler_rows(
    context: ConsoleContext, names: _Names, runs: Mapping[str, datetime | None]
) -> list[dict[str, Any]]:
    clients = context.clients
    rows = []
    for listed in _all_schedules(context):
        group, name = str(listed.get("GroupName") or "default"), str(listed.get("Name"))
        schedule = clients.call("scheduler", "get_schedule", Name=name, GroupName=group)
        arn = str(schedule.get("Arn"))
        target = schedule.get("Target") or {}
        window = schedule.get("FlexibleTimeWindow") or {}
        rows.append(
            {
                "arn": arn,
                "name": name,
                "logicalId": names.resources.get(arn),
                "kind": "schedule",
                "group": group,
                "expression": schedule.get("ScheduleExpression"),
                "timezone": schedule.get("ScheduleExpressionTimezone"),
                "state": schedule.get("State"),
                "enabled": str(schedule.get("State") or "ENABLED") == "ENABLED",
                "flexibleWindowMinutes": window.get("MaximumWindowInMinutes")
                if window.get("Mode") == "FLEXIBLE"
                else None,
                "targets": [{**names.target(str(target.get("Arn", ""))), "input": target.get("Input")}],
                "nextRun": _iso(runs.get(arn)),
                "triggerId": names.resources.get(arn) or name,
            }
        )
    return rows


def triggers_view(context: ConsoleContext) -> dict[str, Any]:
    names = _Names(context)
    rules, schedules = rule_and_schedule_rows(context, names)
    return {
        "mappings": mapping_rows(context, names),
        "subscriptions": subscription_rows(context, names),
        "rules": rules,
        "schedules": schedules,
    }


def fire(context: ConsoleContext, trigger_id: str) -> dict[str, Any]:
    """Fire a schedule through the trigger API (signed, IAM-checked), as `samlite trigger` does."""
    path = f"/_samlite/trigger/{quote(trigger_id, safe='')}"
    status, code, body = context.clients.signed_post(path, "samlite")
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {"Message": body.decode("utf-8", "replace")}
    if not isinstance(answer, dict):
        answer = {"Message": str(answer)}
    if status != 200:
        message = str(answer.get("Message") or answer.get("message") or f"the trigger API answered {status}")
        raise ConsoleError(status if 400 <= status < 600 else 502, code or "TriggerRefused", message)
    return answer


def register(router: Router, context: ConsoleContext) -> None:
    def listing(_request: ConsoleRequest) -> ApiResponse:
        return json_response(triggers_view(context))

    def fire_now(request: ConsoleRequest) -> ApiResponse:
        trigger_id = request.json().get("id")
        if not isinstance(trigger_id, str) or not trigger_id:
            raise bad_request("the request body needs an 'id': the schedule's logical id or name")
        return json_response(fire(context, trigger_id))

    router.add("GET", "/api/triggers", listing)
    router.add("POST", "/api/triggers/fire", fire_now)
