"""Step Functions on one embedded AWS: what samlite adds beside moto's interpreter.

`StepFunctionsService` is attached with the endpoint (`samlite.services.wiring.attach`): from then on
moto's state machine tasks call this endpoint as their state machine's role (`TaskClients`). Once the
stack is provisioned, the local cloud `start`s it with the template's state machines and its log
stream: each execution's steps are written there under the state machine's logical id
(`ExecutionLog`), and Wait states and Retry intervals run at `time_scale`
(`DEFAULT_TIME_SCALE`: a 60 s Wait takes 60 ms; 1 is AWS's pace). `close()` stops both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.errors import CloudError
from samlite.model import AwsApi, Resource
from samlite.moto_changes import stepfunctions_history, stepfunctions_time_scale
from samlite.moto_changes.stepfunctions_interpreter import states_backend
from samlite.services.stepfunctions.execution_log import ExecutionLog, LogWrite
from samlite.services.stepfunctions.task_clients import TaskClients

# Wait states and Retry intervals take this fraction of their length (as async retries are shortened).
DEFAULT_TIME_SCALE = 0.001
STATE_MACHINE = "AWS::StepFunctions::StateMachine"


def state_machines_of(resources: Iterable[Resource]) -> dict[str, str]:
    """The template's state machines: ARN -> logical id."""
    return {resource.ref: resource.logical_id for resource in resources if resource.type == STATE_MACHINE}


def backend_of(aws: AwsApi) -> Any:
    """moto's interpreter backend for `aws`'s account and region, samlite's changes to moto's Step
    Functions applied first (`aws.backend()` counts as the service's first use). Not
    `aws.backend("stepfunctions")` itself: that is moto's other backend, which runs nothing."""
    aws.backend("stepfunctions")
    return states_backend(aws.account_id, aws.region)


class StepFunctionsService:
    def __init__(self, aws: EmbeddedAws) -> None:
        self._aws = aws
        self.task_clients = TaskClients(aws)
        self.task_clients.register()
        self._log: ExecutionLog | None = None

    def start(
        self,
        state_machines: Mapping[str, str],
        log: LogWrite,
        *,
        time_scale: float = DEFAULT_TIME_SCALE,
    ) -> None:
        """Log the executions of `state_machines` (ARN -> logical id) with `log(logical_id, line)`, and
        run Wait and Retry pauses at `time_scale` (process-wide, as moto's interpreter is)."""
        try:
            stepfunctions_time_scale.set_scale(time_scale)
        except ValueError as error:
            raise CloudError(f"states time scale: {error}") from error
        self.close_log()
        self._log = ExecutionLog(state_machines, log)
        stepfunctions_history.observe(self._log)

    def close_log(self) -> None:
        if self._log is not None:
            stepfunctions_history.unobserve(self._log)
            self._log = None

    def close(self) -> None:
        self.close_log()
        self.task_clients.release()
