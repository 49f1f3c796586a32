"""An execution's steps in the log stream: one line per history event, under the state machine's id.

`samlite start` prints each function's lines with the function's logical id in front; a state
machine's executions get the same treatment, so a workflow can be followed as it runs:

    Machine | [order-42] ExecutionStarted input={"id":42}
    Machine | [order-42] TaskStateEntered Charge
    Machine | [order-42] LambdaFunctionScheduled resource=arn:aws:lambda:...:function:Charge
    Machine | [order-42] TaskStateExited Charge output={"charged":true}
    Machine | [order-42] ExecutionSucceeded output={"charged":true}

The events are GetExecutionHistory's, in its order (`samlite.moto_changes.stepfunctions_history`
hands them over as moto records them). Long inputs and outputs are cut at `MAX_VALUE` characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from samlite.moto_changes.stepfunctions_history import ExecutionRef

MAX_VALUE = 240
# Detail fields worth a line, in this order; the rest (input of every state, details flags) is in
# GetExecutionHistory for whoever needs it.
_FIELDS = ("resource", "error", "cause", "output")
_INPUT_SHOWN = frozenset({"ExecutionStarted"})

LogWrite = Callable[[str, str], None]


def history_line(ref: ExecutionRef, event: Mapping[str, Any]) -> str:
    """One log line for one history event of the execution `ref`."""
    kind = event.get("type", "?")
    event_type = str(getattr(kind, "value", kind))  # moto's HistoryEventType is a str Enum
    details = next(
        (
            value
            for key, value in event.items()
            if key.endswith("EventDetails") and isinstance(value, Mapping)
        ),
        {},
    )
    parts = [f"[{ref.name}]", event_type]
    if details.get("name"):
        index = details.get("index")
        parts.append(f"{details['name']}[{index}]" if index is not None else str(details["name"]))
    resource = details.get("resource")
    if resource and details.get("resourceType"):
        details = {**details, "resource": f"{details['resourceType']}:{resource}"}
    if event_type in _INPUT_SHOWN and "input" in details:
        parts.append(f"input={_short(details['input'])}")
    parts += [f"{field}={_short(details[field])}" for field in _FIELDS if details.get(field) is not None]
    return " ".join(parts)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def base_arn(state_machine_arn: str) -> str:
    """`...:stateMachine:Name` of a version or alias ARN (`...:stateMachine:Name:1`)."""
    return ":".join(state_machine_arn.split(":")[:7])


class ExecutionLog:
    """A history observer writing the lines of the state machines it knows (ARN -> logical id) to
    `write(logical_id, line)`; executions of other state machines (another cloud's) are ignored."""

    def __init__(self, state_machines: Mapping[str, str], write: LogWrite) -> None:
        self._sources = {base_arn(arn): logical_id for arn, logical_id in state_machines.items()}
        self._write = write

    def __call__(self, ref: ExecutionRef, event: Mapping[str, Any]) -> None:
        source = self._sources.get(base_arn(ref.state_machine_arn))
        if source is not None:
            self._write(source, history_line(ref, event))
