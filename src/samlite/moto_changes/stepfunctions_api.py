"""The Step Functions API of moto's interpreter backend, answering as Step Functions does.

What moto 5.2.5 gets wrong, each fixed here (API reference pages in brackets):
- StartExecution without `name` names the execution "None" (its ARN ends in `:None`): Step Functions
  generates a UUID [StartExecution: "If you don't provide a name for the execution, Step Functions
  automatically generates a universally unique identifier (UUID)"];
- an EXPRESS execution's ARN is `...:express:<state machine>:<name>:<id>`, not `...:execution:...`;
  DescribeExecution, GetExecutionHistory and StopExecution do not serve EXPRESS executions
  (`InvalidArn`), nor ListExecutions EXPRESS state machines (`StateMachineTypeNotSupported`)
  [DescribeExecution, GetExecutionHistory: "not supported by EXPRESS state machines"];
- StartSyncExecution does not exist; here it runs an EXPRESS execution to its end on the caller's
  request and answers with its status, output or error and cause (a STANDARD state machine gets
  `StateMachineTypeNotSupported`) [StartSyncExecution];
- DescribeExecution re-encodes the output with spaces (`{"a": 1}`) and leaves out `inputDetails`;
  the interpreter's own description (the output as the workflow produced it) is used instead;
- GetExecutionHistory ignores `reverseOrder`, `maxResults` (100 by default, at most 1000, then a
  `nextToken`) and `includeExecutionData` [GetExecutionHistory];
- StopExecution drops `error` and `cause`, answers without `stopDate`, and leaves a task waiting for
  a callback waiting (until its timeout): here the stop wakes every callback of the execution, and
  the error the woken task then raises does not turn the stopped execution into a FAILED one: it is
  ABORTED at once [StopExecution];
- SendTaskFailure drops `cause` [SendTaskFailure];
- StartExecution's input that is not JSON, and the interpreter's other errors (InvalidDefinition,
  TaskDoesNotExist, TaskTimedOut...), come back without an error code: each gets its name.
"""

from __future__ import annotations

import base64
import datetime
import inspect
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

EXPRESS = "EXPRESS"
_sync = threading.local()


def _express_refused() -> Exception:
    from moto.stepfunctions.exceptions import InvalidArn

    return InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")


def _type_not_supported() -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(
        "This operation is not supported by this type of state machine", "StateMachineTypeNotSupported"
    )


def is_express_arn(execution_arn: str) -> bool:
    return execution_arn.split(":")[5:6] == ["express"]


def _named(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        if name:
            self._validate_name(name)
        if execution_input is not None:
            try:
                json.loads(execution_input)
            except ValueError as error:
                from moto.stepfunctions.exceptions import InvalidExecutionInput

                raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from error
        return original(
            self,
            state_machine_arn,
            name=name or str(uuid.uuid4()),
            execution_input=execution_input,
            trace_header=trace_header,
        )

    return start_execution


def _express_arn(original: Callable[..., None]) -> Callable[..., None]:
    signature = inspect.signature(original)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        bound = signature.bind(self, *args, **kwargs)
        if str(bound.arguments.get("sm_type")) in (EXPRESS, "StateMachineType.EXPRESS"):
            parts = str(bound.arguments["exec_arn"]).split(":")
            bound.arguments["exec_arn"] = ":".join([*parts[:5], "express", *parts[6:], str(uuid.uuid4())])
        original(*bound.args, **bound.kwargs)

    return init


def _standard_only(
    original: Callable[..., Any] | None, base_name: str, *, by_state_machine: bool = False
) -> Callable[..., Any]:
    """`base_name` of the parser backend, refused for EXPRESS executions (or state machines)."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        arn = str(args[0] if args else next(iter(kwargs.values()), ""))  # the ARN comes first
        if by_state_machine:
            if self.describe_state_machine(arn).type == EXPRESS:
                raise _type_not_supported()
        elif is_express_arn(arn):
            raise _express_refused()
        if original is not None:
            return original(self, *args, **kwargs)
        from moto.stepfunctions.models import StepFunctionBackend

        return getattr(StepFunctionBackend, base_name)(self, *args, **kwargs)

    return call


def _sync_factory(original: type) -> Callable[..., Any]:
    """moto builds its `Execution` by this name; during StartSyncExecution it is a SyncExecution,
    whose worker runs the workflow on the calling thread."""

    def execution(**kwargs: Any) -> Any:
        if getattr(_sync, "active", False):
            from moto.stepfunctions.parser.backend.execution import SyncExecution

            return SyncExecution(**kwargs)
        return original(**kwargs)

    return execution


def _start_sync_execution(_original: Any) -> Callable[..., Any]:
    def start_sync_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        if self.describe_state_machine(state_machine_arn).type != EXPRESS:
            raise _type_not_supported()
        _sync.active = True
        try:
            return self.start_execution(state_machine_arn, name, execution_input, trace_header)
        finally:
            _sync.active = False

    return start_sync_execution


def _start_sync_response(_original: Any) -> Callable[[Any], Any]:
    def start_sync_execution(self: Any) -> Any:
        from moto.core.responses import ActionResult

        execution = self.stepfunction_backend.start_sync_execution(
            self._get_param("stateMachineArn"),
            self._get_param("name"),
            self._get_param("input", if_none="{}"),
            self._get_param("traceHeader"),
        )
        output = execution.to_start_sync_execution_output()
        return ActionResult({key: value for key, value in output.items() if value is not None})

    return start_sync_execution


def _interpreter_description(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def describe_execution(self: Any) -> Any:
        from moto.core.responses import ActionResult

        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        describe = getattr(execution, "to_describe_output", None)
        if describe is None:  # moto's canned executions (interpreter off)
            return original(self)
        output = {key: value for key, value in describe().items() if value is not None}
        return ActionResult(output)

    return describe_execution


def _with_cause(_original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def send_task_failure(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return EmptyResult()

    return send_task_failure


def _paged_history(_original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get_execution_history(self: Any) -> Any:
        from moto.core.responses import ActionResult

        events = self.stepfunction_backend.get_execution_history(self._get_param("executionArn"))["events"]
        if self._get_param("reverseOrder"):
            events = events[::-1]
        if self._get_param("includeExecutionData") is False:
            events = [_without_data(event) for event in events]
        size = min(int(self._get_param("maxResults") or HISTORY_PAGE), HISTORY_PAGE_MAX)
        start = _page_start(self._get_param("nextToken"))
        page: dict[str, Any] = {"events": events[start : start + size]}
        if start + size < len(events):
            page["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
        return ActionResult(page)

    return get_execution_history


HISTORY_PAGE = 100  # GetExecutionHistory's default page size
HISTORY_PAGE_MAX = 1000


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.b64decode(token, validate=True).decode())
    except ValueError as error:
        from moto.stepfunctions.exceptions import InvalidToken

        raise InvalidToken("Invalid token") from error


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    data = ("input", "output", "inputDetails", "outputDetails")
    return {
        key: ({k: v for k, v in value.items() if k not in data} if key.endswith("EventDetails") else value)
        for key, value in event.items()
    }


def _stopped(_original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def stop_execution(self: Any) -> Any:
        from moto.core.responses import ActionResult

        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        stop_date = execution.stop_date or datetime.datetime.now(datetime.UTC)
        execution.stop(stop_date=stop_date, error=self._get_param("error"), cause=self._get_param("cause"))
        return ActionResult({"stopDate": stop_date})

    return stop_execution


def _interrupting(original: Callable[..., None]) -> Callable[..., None]:
    def set_stop(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        pool = getattr(self.callback_pool_manager, "_pool", {})
        for endpoint in list(pool.values()):
            endpoint.interrupt_all()

    return set_stop


def _stop_stands(original: Callable[..., None]) -> Callable[..., None]:
    def set_error(self: Any, error: Any) -> None:
        from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

        if isinstance(self._program_state, ProgramStopped):
            return
        original(self, error)

    return set_error


# Exceptions of moto's interpreter that name no error type (their `code` is not read by moto's
# renderer), and the message to give those raised without one.
UNNAMED_ERRORS = (
    "InvalidDefinition",
    "InvalidExecutionInput",
    "MissingRequiredParameter",
    "ResourceNotFound",
    "TaskDoesNotExist",
    "TaskTimedOut",
)
DEFAULT_MESSAGES = {"TaskDoesNotExist": "Task Does Not Exist", "TaskTimedOut": "Task Timed Out"}


def _with_default_message(name: str) -> Callable[[Any], Callable[..., None]]:
    def make(_original: Any) -> Callable[..., None]:
        def init(self: Any, message: str = DEFAULT_MESSAGES[name], *args: Any, **kwargs: Any) -> None:
            from moto.core.exceptions import AWSError

            AWSError.__init__(self, message, *args, **kwargs)

        return init

    return make


_API = "moto.stepfunctions.parser.api"
_PARSER = "moto.stepfunctions.parser.models:StepFunctionsParserBackend"
_RESPONSES = "moto.stepfunctions.responses:StepFunctionResponse"

CHANGE = MotoChange(
    name="stepfunctions-api",
    reason="moto's Step Functions API names executions None, lacks StartSyncExecution and EXPRESS rules",
    patches=(
        Patch(
            Target(
                f"{_PARSER}.start_execution",
                "(self, state_machine_arn, name=None, execution_input=None, trace_header=None)",
            ),
            _named,
        ),
        Patch(
            Target(
                "moto.stepfunctions.parser.backend.execution:Execution.__init__",
                "(self, name, sm_type, role_arn, exec_arn, account_id, region_name, state_machine, "
                "start_date, cloud_watch_logging_session, activity_store, input_data, trace_header=None)",
            ),
            _express_arn,
        ),
        Patch(
            Target(
                "moto.stepfunctions.parser.models:Execution",
                "(name, sm_type, role_arn, exec_arn, account_id, region_name, state_machine, start_date, "
                "cloud_watch_logging_session, activity_store, input_data, trace_header=None)",
            ),
            _sync_factory,
        ),
        Patch(
            Target(f"{_PARSER}.describe_execution", None), lambda o: _standard_only(o, "describe_execution")
        ),
        Patch(Target(f"{_PARSER}.stop_execution", None), lambda o: _standard_only(o, "stop_execution")),
        Patch(
            Target(f"{_PARSER}.get_execution_history", "(self, execution_arn)"),
            lambda o: _standard_only(o, "get_execution_history"),
        ),
        Patch(
            Target(f"{_PARSER}.list_executions", None),
            lambda o: _standard_only(o, "list_executions", by_state_machine=True),
        ),
        Patch(Target(f"{_PARSER}.start_sync_execution", None), _start_sync_execution),
        Patch(Target(f"{_RESPONSES}.start_sync_execution", None), _start_sync_response),
        Patch(Target(f"{_RESPONSES}.describe_execution", "(self)"), _interpreter_description),
        Patch(Target(f"{_RESPONSES}.send_task_failure", "(self)"), _with_cause),
        Patch(Target(f"{_RESPONSES}.get_execution_history", "(self)"), _paged_history),
        Patch(Target(f"{_RESPONSES}.stop_execution", "(self)"), _stopped),
        Patch(
            Target(
                "moto.stepfunctions.parser.asl.eval.environment:Environment.set_stop",
                "(self, stop_date, cause, error)",
            ),
            _interrupting,
        ),
        Patch(
            Target("moto.stepfunctions.parser.asl.eval.environment:Environment.set_error", "(self, error)"),
            _stop_stands,
        ),
        *(Patch(Target(f"{_API}:{name}.TYPE", None), lambda _, name=name: name) for name in UNNAMED_ERRORS),
        *(
            Patch(Target(f"{_API}:{name}.__init__", None), _with_default_message(name))
            for name in DEFAULT_MESSAGES
        ),
    ),
    service="stepfunctions",
)
