"""State machines page: each state machine, its recent executions (status, start and stop, input and
output), one execution's history events, and "start execution" with an input of the user's own.

All through the endpoint's Step Functions API as the administrator: an execution started here is a
StartExecution like any other (its tasks run as the state machine's role, its steps go to the log
stream). Inputs and outputs are JSON text as the API gives them; the page parses them for display
and shows what does not parse as text.
"""

from __future__ import annotations

import json
from typing import Any

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleRequest, bad_request, json_response, not_found
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse

RECENT = 25  # executions a state machine's page shows, newest first, each with its input and output
HISTORY_LIMIT = 1000
STATE_MACHINE = "AWS::StepFunctions::StateMachine"


def _logical_ids(context: ConsoleContext) -> dict[str, str]:
    return {
        str(resource.ref): resource.logical_id
        for resource in context.sources.stack.resources.values()
        if resource.type == STATE_MACHINE
    }


def _machines(context: ConsoleContext) -> list[dict[str, Any]]:
    listed = context.clients.call("stepfunctions", "list_state_machines", maxResults=1000)
    return list(listed.get("stateMachines", []))


def _arn_of(context: ConsoleContext, name: str) -> str:
    for machine in _machines(context):
        if name in (machine.get("name"), machine.get("stateMachineArn")):
            return str(machine["stateMachineArn"])
    for arn, logical_id in _logical_ids(context).items():
        if logical_id == name:
            return arn
    raise not_found(f"there is no state machine {name!r}")


def _json_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def machine_list(context: ConsoleContext) -> list[dict[str, Any]]:
    logical = _logical_ids(context)
    rows = []
    for machine in sorted(_machines(context), key=lambda m: str(m.get("name"))):
        arn = str(machine["stateMachineArn"])
        latest = context.clients.call("stepfunctions", "list_executions", stateMachineArn=arn, maxResults=1)
        last = (latest.get("executions") or [None])[0]
        rows.append(
            {
                "name": machine.get("name"),
                "arn": arn,
                "logicalId": logical.get(arn),
                "type": machine.get("type"),
                "created": machine.get("creationDate"),
                "last": _summary(last) if last else None,
            }
        )
    return rows


def _summary(execution: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": execution.get("name"),
        "arn": execution.get("executionArn"),
        "status": execution.get("status"),
        "startDate": execution.get("startDate"),
        "stopDate": execution.get("stopDate"),
    }


def describe_execution(context: ConsoleContext, arn: str) -> dict[str, Any]:
    described = context.clients.call("stepfunctions", "describe_execution", executionArn=arn)
    view = _summary(described)
    view.update(
        {
            "stateMachineArn": described.get("stateMachineArn"),
            "input": _json_text(described.get("input")),
            "output": _json_text(described.get("output")),
            "error": described.get("error"),
            "cause": _json_text(described.get("cause")),
        }
    )
    return view


def machine_view(context: ConsoleContext, name: str, limit: int) -> dict[str, Any]:
    arn = _arn_of(context, name)
    clients = context.clients
    described = clients.call("stepfunctions", "describe_state_machine", stateMachineArn=arn)
    listed = clients.call("stepfunctions", "list_executions", stateMachineArn=arn, maxResults=limit)
    executions = [describe_execution(context, str(e["executionArn"])) for e in listed.get("executions", [])]
    return {
        "name": described.get("name"),
        "arn": arn,
        "logicalId": _logical_ids(context).get(arn),
        "type": described.get("type"),
        "status": described.get("status"),
        "roleArn": described.get("roleArn"),
        "created": described.get("creationDate"),
        "definition": _json_text(described.get("definition")),
        "executions": executions,
    }


def _event_details(event: dict[str, Any]) -> dict[str, Any]:
    """The one `...EventDetails` of a history event, its JSON texts parsed."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return {
                name: _json_text(item) if name in ("input", "output", "cause") else item
                for name, item in value.items()
            }
    return {}


def execution_view(context: ConsoleContext, arn: str) -> dict[str, Any]:
    view = describe_execution(context, arn)
    history = context.clients.call(
        "stepfunctions", "get_execution_history", executionArn=arn, maxResults=HISTORY_LIMIT
    )
    view["events"] = [
        {
            "id": event.get("id"),
            "previousId": event.get("previousEventId"),
            "timestamp": event.get("timestamp"),
            "type": event.get("type"),
            "details": _event_details(event),
        }
        for event in history.get("events", [])
    ]
    view["moreEvents"] = bool(history.get("nextToken"))
    return view


def register(router: Router, context: ConsoleContext) -> None:
    def listing(_request: ConsoleRequest) -> ApiResponse:
        return json_response({"stateMachines": machine_list(context)})

    def one(request: ConsoleRequest) -> ApiResponse:
        limit = request.int_arg("limit", RECENT, low=1, high=100)
        return json_response(machine_view(context, request.params["name"], limit))

    def execution(request: ConsoleRequest) -> ApiResponse:
        return json_response(execution_view(context, request.required_arg("arn")))

    def start(request: ConsoleRequest) -> ApiResponse:
        arn = _arn_of(context, request.params["name"])
        body = request.json()
        if "input" not in body:
            raise bad_request("the request body needs an 'input' (any JSON value)")
        params: dict[str, Any] = {"stateMachineArn": arn, "input": json.dumps(body["input"])}
        name = body.get("name")
        if name not in (None, ""):
            if not isinstance(name, str):
                raise bad_request("the execution's 'name' must be text")
            params["name"] = name
        started = context.clients.call("stepfunctions", "start_execution", **params)
        return json_response(
            {"executionArn": started.get("executionArn"), "startDate": started.get("startDate")}
        )

    router.add("GET", "/api/state-machines", listing)
    router.add("GET", "/api/state-machines/{name}", one)
    router.add("POST", "/api/state-machines/{name}/executions", start)
    router.add("GET", "/api/executions", execution)
