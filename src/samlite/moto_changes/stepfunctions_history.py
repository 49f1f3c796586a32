"""Every history event of every execution, as moto's interpreter records it, handed to observers.

samlite prints an execution's steps in its log stream as they happen (`samlite.services.stepfunctions`),
which needs each event with the execution it belongs to. moto keeps the events in one `EventManager`
per execution (shared by its Map and Parallel branches) that knows nothing of the execution, so:
- `ExecutionWorker._get_evaluation_environment` tags the execution's event manager with an
  `ExecutionRef` (execution ARN and name, state machine ARN) when the execution starts;
- `EventManager._publish_history_event` hands each event, once recorded, to the observers (`observe`).

Observers run on the execution's thread while moto holds the event manager's lock: they must be quick
and must not read the execution's history themselves. An observer's exception is logged and dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExecutionRef:
    execution_arn: str
    name: str
    state_machine_arn: str


HistoryObserver = Callable[[ExecutionRef, Mapping[str, Any]], None]
_ATTRIBUTE = "samlite_execution"
_lock = threading.Lock()
_observers: list[HistoryObserver] = []


def observe(observer: HistoryObserver) -> None:
    with _lock:
        _observers.append(observer)


def unobserve(observer: HistoryObserver) -> None:
    with _lock:
        if observer in _observers:
            _observers.remove(observer)


def _tagged(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get_evaluation_environment(self: Any) -> Any:
        env = original(self)
        details = self._evaluation_details
        ref = ExecutionRef(
            details.execution_details.arn,
            details.execution_details.name,
            details.state_machine_details.arn,
        )
        setattr(env.event_manager, _ATTRIBUTE, ref)
        return env

    return get_evaluation_environment


def _observed(original: Callable[..., None]) -> Callable[..., None]:
    def publish_history_event(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        ref = getattr(self, _ATTRIBUTE, None)
        with _lock:
            observers = list(_observers)
        if ref is None or not observers:
            return
        event = self._history_event_list[-1]
        for observer in observers:
            try:
                observer(ref, event)
            except Exception:  # an observer's bug must not fail the execution
                log.exception("history observer %r failed on %s", observer, event.get("type"))

    return publish_history_event


CHANGE = MotoChange(
    name="stepfunctions-history",
    reason="samlite logs each execution's steps as they happen; moto's events do not name their execution",
    patches=(
        Patch(
            Target(
                "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment",
                "(self)",
            ),
            _tagged,
        ),
        Patch(
            Target(
                "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager._publish_history_event",
                "(self, event_id, source_event_id, event_type, timestamp, event_details)",
            ),
            _observed,
        ),
    ),
    service="stepfunctions",
)
