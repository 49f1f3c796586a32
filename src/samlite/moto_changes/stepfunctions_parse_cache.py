"""A state machine's definition is parsed once, not at every execution.

moto's interpreter parses the definition with its ANTLR parser each time an execution starts
(`ExecutionWorker._get_evaluation_entrypoint`): about 10-20 ms for a few states on this machine, most
of what a short workflow costs (bench/bench_stepfunctions.py). The parsed program keeps no state of
an execution: everything an evaluation changes lives in its `Environment` (stack, heap, frames), which
is why moto runs one parsed Map iterator for every item at once. So the program is kept per
definition text and shared by the executions of that definition; a new definition (another state
machine, an UpdateStateMachine) is parsed anew.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


@lru_cache(maxsize=128)
def parsed(definition: str) -> Any:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    return AmazonStateLanguageParser.parse(definition)[0]


def _cached(_original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get_evaluation_entrypoint(self: Any) -> Any:
        return parsed(self._evaluation_details.state_machine_details.definition)

    return get_evaluation_entrypoint


CHANGE = MotoChange(
    name="stepfunctions-parse-cache",
    reason="moto parses a state machine's definition again at every execution (most of its cost)",
    patches=(
        Patch(
            Target(
                "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_entrypoint",
                "(self)",
            ),
            _cached,
        ),
    ),
    service="stepfunctions",
)
