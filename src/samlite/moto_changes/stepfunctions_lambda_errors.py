"""Errors of Lambda tasks named by their function ARN, as Step Functions names them.

A Task whose `Resource` is a function's ARN (the form SAM's examples and `${FnArn}` substitutions
use) fails with `Lambda.<exception>` when Lambda refuses the invocation: the exception Lambda's
Invoke API models (`Lambda.ResourceNotFoundException`, `Lambda.TooManyRequestsException`,
`Lambda.ServiceException`...), and `Lambda.AWSLambdaException` for one it does not model, such as
`AccessDeniedException` when the state machine's role may not call `lambda:InvokeFunction`; the cause
is Lambda's message followed by `(Service: AWSLambda; Status Code: 403; Error Code:
AccessDeniedException; Request ID: ...; Proxy: null)`. (Seen on AWS, e.g. the history quoted in
awslabs/aws-deployment-framework#460; "Handling errors in Step Functions workflows" lists
`Lambda.AWSLambdaException` and `Lambda.ServiceException` among the errors to retry.) moto 5.2.5
names all of them "Exception" with the bare message, so a Retrier or Catcher on those names never
matches locally. A function's own error (`errorType` of its response) is left as moto reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

UNMODELED = "Lambda.AWSLambdaException"


@lru_cache(maxsize=1)
def modeled_invoke_errors() -> frozenset[str]:
    """The exceptions Lambda's Invoke operation declares (botocore's service model)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("lambda").operation_model("Invoke")
    return frozenset(shape.name for shape in model.error_shapes)


def error_and_cause(response: dict[str, Any]) -> tuple[str, str]:
    """Step Functions' error name and cause for Lambda's error response (botocore's parsed form)."""
    error = response.get("Error", {})
    metadata = response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "ServiceException")
    name = f"Lambda.{code}" if code in modeled_invoke_errors() else UNMODELED
    details = "; ".join(
        (
            "Service: AWSLambda",
            f"Status Code: {metadata.get('HTTPStatusCode', 500)}",
            f"Error Code: {code}",
            f"Request ID: {metadata.get('RequestId', '')}",
            "Proxy: null",
        )
    )
    return name, f"{error.get('Message', '')} ({details})"


def _named_errors(original: Callable[[Any, Any, Exception], Any]) -> Callable[[Any, Any, Exception], Any]:
    def from_error(self: Any, env: Any, ex: Exception) -> Any:
        from botocore.exceptions import ClientError

        if not isinstance(ex, ClientError):
            return original(self, env, ex)
        from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
        from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
            CustomErrorName,
        )
        from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
        from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

        name, cause = error_and_cause(ex.response)  # type: ignore[arg-type]
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(name),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(
                lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(error=name, cause=cause)
            ),
        )

    return from_error


CHANGE = MotoChange(
    name="stepfunctions-lambda-errors",
    reason="moto names every refused Lambda task invocation 'Exception', not Lambda's exception",
    patches=(
        Patch(
            Target(
                "moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda:"
                "StateTaskLambda._from_error",
                "(self, env, ex)",
            ),
            _named_errors,
        ),
    ),
    service="stepfunctions",
)
