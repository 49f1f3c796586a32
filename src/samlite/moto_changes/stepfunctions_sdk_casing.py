"""Task parameters and results in the casing Step Functions uses, whatever the service's API uses.

Integrations take PascalCase parameters and give PascalCase results ("Integrating services with
Step Functions": `StateMachineArn` and `Input` for `states:startExecution`, `ExecutionArn` and
`StartDate` back), while some APIs are camelCase (Step Functions' own `stateMachineArn`, ECS, Batch).
moto's interpreter has the code that maps one to the other over the service's botocore model
(`StateTaskService._to_boto_request` / `_from_boto_response`) but calls it from
`_normalise_parameters` / `_normalise_response`, which moto 5.2.5 leaves empty: a nested execution
task fails with `States.Runtime` (botocore finds no member `Input`). Here both run over the
operation's input and output shapes; timestamps in results become epoch milliseconds, as
Step Functions gives them (`"StartDate": 1700000000000`).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_lock = threading.Lock()
_session: Any = None


@lru_cache(maxsize=256)
def operation_model(service_name: str, action: str) -> Any | None:
    """botocore's model of `service_name`'s operation `action` (snake_case: `start_execution`)."""
    global _session  # noqa: PLW0603 (one botocore session for the models, loaded once)
    import botocore.session
    from botocore import xform_name

    with _lock:
        if _session is None:
            _session = botocore.session.get_session()
        try:
            model = _session.get_service_model(service_name)
        except Exception:  # an unknown service: nothing to map, the call itself will say why
            return None
    for name in model.operation_names:
        if xform_name(name) == action:
            return model.operation_model(name)
    return None


def _model_of(task: Any, boto_service_name: str | None, service_action_name: str | None) -> Any | None:
    return operation_model(
        task._get_boto_service_name(boto_service_name), task._get_boto_service_action(service_action_name)
    )


def _to_api_casing(_original: Callable[..., None]) -> Callable[..., None]:
    def normalise_parameters(
        self: Any,
        parameters: dict,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        operation = _model_of(self, boto_service_name, service_action_name)
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    return normalise_parameters


def _to_sfn_casing(_original: Callable[..., None]) -> Callable[..., None]:
    def normalise_response(
        self: Any, response: Any, boto_service_name: str | None = None, service_action_name: str | None = None
    ) -> None:
        operation = _model_of(self, boto_service_name, service_action_name)
        if operation is not None and operation.output_shape is not None and isinstance(response, dict):
            response.pop("ResponseMetadata", None)
            self._from_boto_response(response, operation.output_shape)
            _epoch_millis(response)

    return normalise_response


def _epoch_millis(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
        return int(moment.timestamp() * 1000)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _epoch_millis(item)
    elif isinstance(value, list):
        value[:] = [_epoch_millis(item) for item in value]
    return value


_SERVICE = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"
CHANGE = MotoChange(
    name="stepfunctions-sdk-casing",
    reason="moto never maps task parameters and results between Step Functions' and the API's casing",
    patches=(
        Patch(
            Target(
                f"{_SERVICE}:StateTaskService._normalise_parameters",
                "(self, parameters, boto_service_name=None, service_action_name=None)",
            ),
            _to_api_casing,
        ),
        Patch(
            Target(
                f"{_SERVICE}:StateTaskService._normalise_response",
                "(self, response, boto_service_name=None, service_action_name=None)",
            ),
            _to_sfn_casing,
        ),
    ),
    service="stepfunctions",
)
