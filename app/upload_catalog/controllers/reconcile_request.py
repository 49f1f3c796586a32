"""What an invocation of the reconcile function asks for, from its event.

- EventBridge's ``Scheduled Event`` (the template's ``Schedule``; ``samlite trigger ReconcileFunction``)
  and an empty event (``{}``, what ``samlite invoke`` or a Scheduler target without input sends): resume
  the bucket's unfinished run or start a new one, and chain continuations until it is complete.
- ``{"reconcile": {"action": ..., ...}}``, from ``scripts/reconcile.py``, ``make reconcile`` or the
  function's own continuations:

  ``action``: ``start`` (a new run from the first key), ``resume`` (the unfinished run, else a new one),
  ``continue`` (one run's next step: needs that run's ``run_id`` and ``token``), ``status`` (report,
  do nothing); ``budget_seconds``: stop after that long (at most the function's own time left);
  ``chain``: start the next step asynchronously when out of time (default: only for continuations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

START = "start"
RESUME = "resume"
CONTINUE = "continue"
STATUS = "status"
SCHEDULED = "scheduled"
ACTIONS = (START, RESUME, CONTINUE, STATUS)
#: Lambda's longest timeout: no budget can be longer.
MAX_BUDGET_SECONDS = 900.0


class ReconcileRequestError(ValueError):
    """The event is not a reconcile request; the message names the field at fault."""


@dataclass(frozen=True)
class RunRequest:
    action: str
    chain: bool
    budget_seconds: float | None = None
    run_id: str | None = None
    token: str | None = None


def parse_request(event: Any) -> RunRequest:
    """The request ``event`` makes; ReconcileRequestError names what is wrong."""
    if not isinstance(event, Mapping):
        raise ReconcileRequestError(f"event is a {type(event).__name__}, expected an object")
    if not event or event.get("detail-type") == "Scheduled Event":
        return RunRequest(SCHEDULED, chain=True)
    body = event.get("reconcile")
    if not isinstance(body, Mapping):
        raise ReconcileRequestError(
            'event is neither an EventBridge Scheduled Event nor {"reconcile": {"action": ...}}'
        )
    action = body.get("action", RESUME)
    if action not in ACTIONS:
        raise ReconcileRequestError(f"reconcile.action must be one of {', '.join(ACTIONS)}, got {action!r}")
    chain = body.get("chain", action == CONTINUE)
    if not isinstance(chain, bool):
        raise ReconcileRequestError(f"reconcile.chain must be true or false, got {chain!r}")
    budget = body.get("budget_seconds")
    if budget is not None:
        number = isinstance(budget, int | float) and not isinstance(budget, bool)
        if not number or not 0 < budget <= MAX_BUDGET_SECONDS:
            raise ReconcileRequestError(
                f"reconcile.budget_seconds must be a number above 0 and at most {MAX_BUDGET_SECONDS:g}, "
                f"got {budget!r}"
            )
        budget = float(budget)
    run_id, token = body.get("run_id"), body.get("token")
    if action == CONTINUE:
        for name, value in (("run_id", run_id), ("token", token)):
            if not isinstance(value, str) or not value:
                raise ReconcileRequestError(f"reconcile.{name} is required to continue a run")
    return RunRequest(action, chain, budget, run_id, token)
