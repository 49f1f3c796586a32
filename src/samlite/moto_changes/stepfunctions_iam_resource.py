"""Resource-level IAM for Step Functions in moto: policies scoped to a state machine's ARN work.

moto checks Step Functions calls against the resource "*" (its StepFunctionResponse has no
`_determine_resource`), so a policy allowing `states:StartExecution` on one state machine, which is
what SAM's StepFunctionsExecutionPolicy template and the roles SAM generates for a state machine's
Api, Schedule and EventBridgeRule events expand to, would be denied everything. This gives the
handler the resource Step Functions authorizes ("Actions, resources, and condition keys for AWS Step
Functions"): the state machine, execution, activity, alias or map run the call names; for
SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, the state machine whose running execution
issued the task token (SAM's StepFunctionsCallbackPolicy is scoped to it); "*" otherwise.
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target
from samlite.moto_changes.stepfunctions_interpreter import states_backend

_NAMED_RESOURCES = (
    "stateMachineArn",
    "executionArn",
    "activityArn",
    "stateMachineAliasArn",
    "stateMachineVersionArn",
    "mapRunArn",
    "resourceArn",
)


def _determine_resource(self: Any) -> str:
    for key in _NAMED_RESOURCES:
        value = self._get_param(key)
        if isinstance(value, str) and value:
            return value
    token = self._get_param("taskToken")
    if isinstance(token, str) and token:
        return token_owner(states_backend(self.current_account, self.region), token) or "*"
    return "*"


def token_owner(backend: Any, token: str) -> str | None:
    """The ARN of the state machine whose running execution waits on `token`, or None."""
    for state_machine in list(backend.state_machines):
        for execution in list(state_machine.executions):
            worker = getattr(execution, "exec_worker", None)
            env = getattr(worker, "env", None)
            pool = getattr(env, "callback_pool_manager", None)
            if pool is not None and pool.get(token) is not None:
                return str(state_machine.arn)
    return None


CHANGE = MotoChange(
    name="stepfunctions-iam-resource",
    reason="moto checks every Step Functions call against resource '*', so ARN-scoped policies deny all",
    patches=(
        Patch(
            Target("moto.stepfunctions.responses:StepFunctionResponse._determine_resource", None),
            lambda _: _determine_resource,
        ),
    ),
    service="stepfunctions",
)
