"""moto runs state machines: its Amazon States Language interpreter, switched on, with the type kept.

moto ships an interpreter of the Amazon States Language (`moto.stepfunctions.parser`, from LocalStack)
but uses it only when its user configuration says `stepfunctions.execute_state_machine: true`
(what `mock_aws(config=...)` sets); otherwise StartExecution returns canned data and nothing runs.
This change sets that switch while samlite runs, and puts moto's configuration back afterwards.

It also keeps a state machine's type: moto 5.2.5's `StateMachineInstance.__init__` stores the type
given to CreateStateMachine in `type` but sets `sm_type`, which the interpreter reads, to STANDARD
for every state machine, so an EXPRESS workflow would run as a STANDARD one (execution ARNs,
history, the APIs it may call). Here `sm_type` follows `type`.

And it keeps workflow errors out of the terminal: moto's interpreter logs every error a state raises
(a task that fails and is then retried or caught included) at ERROR level, with the state's whole
parse tree; the error is in the execution's history and in samlite's log line for it, so the
interpreter's logger (`moto.stepfunctions.parser`) is set to CRITICAL while the change is applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target, UserConfig


def _typed(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.sm_type = self.type

    return init


_INTERPRETER_LOGGER = "moto.stepfunctions.parser"
_saved_level: list[int] = []


def _quiet() -> None:
    logger = logging.getLogger(_INTERPRETER_LOGGER)
    _saved_level.append(logger.level)
    logger.setLevel(logging.CRITICAL)


def _loud_again() -> None:
    if _saved_level:
        logging.getLogger(_INTERPRETER_LOGGER).setLevel(_saved_level.pop())


CHANGE = MotoChange(
    name="stepfunctions-interpreter",
    reason="moto only runs state machines with its execute_state_machine switch, and runs all as STANDARD",
    settings=(UserConfig("stepfunctions", "execute_state_machine", True),),
    patches=(
        Patch(
            Target(
                "moto.stepfunctions.models:StateMachineInstance.__init__",
                "(self, arn, name, definition, roleArn, encryptionConfiguration=None, "
                "loggingConfiguration=None, tracingConfiguration=None, sm_type=None)",
            ),
            _typed,
        ),
    ),
    service="stepfunctions",
    on_apply=_quiet,
    on_restore=_loud_again,
)


def states_backend(account_id: str, region: str) -> Any:
    """The backend that serves Step Functions while the switch is on (moto's interpreter backend)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return stepfunctions_parser_backends[account_id][region]
