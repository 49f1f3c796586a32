"""Every event-source mapping of the template, polled: one poller per mapping, started and stopped together.

`EventSources` builds the poller of each registered mapping (`SqsPoller` over a queue, `StreamPoller`
over a table's stream or a Kinesis stream), lists them in samlite's log at start (a disabled mapping
says so), and answers whether they are all idle (`wait_idle`: what the pytest plugin's `wait()` and
`LocalCloud.wait_idle` wait for), resets them with the resources (test isolation) and stops them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from samlite.model import AwsApi, FunctionSpec, InvocationResult
from samlite.services.awslambda.event_sources.config import (
    DYNAMODB,
    KINESIS,
    SQS,
    MappingConfig,
    function_qualifier,
)
from samlite.services.awslambda.event_sources.delivery import FunctionLog
from samlite.services.awslambda.event_sources.registry import MappingRegistry
from samlite.services.awslambda.event_sources.sqs_poller import SqsPoller, concurrency_of
from samlite.services.awslambda.event_sources.stream_poller import Keep, StreamPoller, StreamTimings
from samlite.services.awslambda.registry import FunctionRegistry
from samlite.services.chaos import Chaos
from samlite.services.dynamodb.stream_reads import TableStream
from samlite.services.kinesis.stream_reads import DataStream
from samlite.services.sqs.lambda_reads import QueueReader
from samlite.services.targets import SendToTarget

DEFAULT_INVOKE_IDENTITY = "arn:aws:iam::123456789012:role/lambda-role"
_IDLE_CHECK_S = 0.02

# Runs the function with a batch's event, and records the invocation (source kind, mapping ARN).
# Invoke a function's configuration with an event, under the ARN the mapping names (`invoked_arn`).
Invoke = Callable[..., InvocationResult]
Record = Callable[[FunctionSpec, bytes, InvocationResult, str, str | None], None]


class Poller(Protocol):
    config: MappingConfig

    def start(self) -> None: ...
    def stop(self, timeout: float) -> None: ...
    def reset(self) -> None: ...
    def idle(self) -> bool: ...


class EventSources:
    """The pollers of every mapping in `mappings` (see module doc)."""

    def __init__(
        self,
        aws: AwsApi,
        mappings: MappingRegistry,
        *,
        invoke: Invoke,
        record: Record | None = None,
        function_log: FunctionLog,
        log: Callable[[str], None],
        send_to_target: SendToTarget,
        functions: FunctionRegistry,
        timings: StreamTimings | None = None,
        keep: Keep | None = None,
        chaos: Chaos | None = None,
    ) -> None:
        self._aws = aws
        self._mappings = mappings
        self._invoke = invoke
        self._record = record
        self._function_log = function_log
        self._log = log
        self._send = send_to_target
        self._functions = functions
        self._timings = timings
        self._keep = keep
        self._chaos = chaos
        self.pollers: list[Poller] = [self._poller(config) for config in mappings]
        self._closed = False

    def _deliver(self, config: MappingConfig, payload: bytes) -> InvocationResult:
        # The function as it is configured now (UpdateFunctionConfiguration), not as it was at start.
        spec = self._functions.current(config.function)
        result = self._invoke(spec, payload, invoked_arn=invoked_function_arn(self._functions, config))
        self._mappings.note_result(config.uuid, result.failed)
        if self._record is not None:
            self._record(spec, payload, result, config.kind, config.arn)
        return result

    def _poller(self, config: MappingConfig) -> Poller:
        source = config.source
        if config.kind == SQS:
            poller: SqsPoller | None = None

            def dead_lettered(moved: object) -> None:
                if poller is not None:
                    poller.dead_lettered(moved)  # type: ignore[arg-type]

            reader = QueueReader(self._aws, source.name, on_dead_letter=dead_lettered)
            poller = SqsPoller(
                config,
                reader,
                self._deliver,
                log=self._function_log,
                region=self._aws.region,
                chaos=self._chaos,
            )
            return poller
        if config.kind == DYNAMODB:
            stream: TableStream | DataStream = TableStream(self._aws, source.name, source.arn)
        elif config.kind == KINESIS:
            identity = config.function.role_arn or DEFAULT_INVOKE_IDENTITY
            stream = DataStream(self._aws, source.name, source.arn, invoke_identity_arn=identity)
        else:  # pragma: no cover - provisioning registers no other kind
            raise ValueError(f"{config.logical_id}: no poller for {config.kind!r}")
        extra = {"keep": self._keep} if self._keep is not None else {}
        return StreamPoller(
            config,
            stream,
            self._deliver,
            log=self._function_log,
            send_to_target=self._send,
            function_arn=invoked_function_arn(self._functions, config),
            timings=self._timings,
            chaos=self._chaos,
            **extra,
        )

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> EventSources:
        for poller in self.pollers:
            self._log(_listing(poller.config))
            for warning in poller.config.warnings:
                self._log(f"samlite: warning: {warning}")
            poller.start()
        return self

    def idle(self) -> bool:
        return all(poller.idle() for poller in self.pollers)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every mapping is idle: nothing in flight, no message a mapping would take or that
        will come back, every stream record delivered or given up; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.idle():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(_IDLE_CHECK_S)
        return True

    def reset(self) -> None:
        for poller in self.pollers:
            poller.reset()

    def close(self, timeout: float = 5.0) -> None:
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout
        for poller in self.pollers:
            poller.stop(max(0.0, deadline - time.monotonic()))


def invoked_function_arn(functions: FunctionRegistry, config: MappingConfig) -> str:
    """The ARN the mapping's FunctionName designates, qualifier kept (an alias ARN, say): Lambda
    invokes that, so the function reads it as `context.invoked_function_arn` ("Lambda function
    aliases"); the on-failure record and ListEventSourceMappings name it too."""
    return functions.arn(config.function.function_name, function_qualifier(config))


def wait_all_idle(waits: Sequence[Callable[[float | None], bool]], timeout: float | None) -> bool:
    """True once every `wait(timeout)` answers idle in one pass (work handed from one part to another,
    an async invocation sending to a queue a mapping reads, is waited for too); False on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        for wait in waits:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not wait(remaining):
                return False
        if all(wait(0) for wait in waits):
            return True


def _listing(config: MappingConfig) -> str:
    """One line per mapping at start: what reads what, with the settings that change behaviour."""
    settings = [f"batch {config.batch_size}"]
    if config.batching_window_s:
        settings.append(f"window {config.batching_window_s} s")
    if config.kind == SQS:
        settings.append(f"concurrency {concurrency_of(config)}")
    else:
        settings.append(str(config.starting_position))
        if config.parallelization_factor > 1:
            settings.append(f"parallelization {config.parallelization_factor}")
        if config.tumbling_window_s:
            settings.append(f"tumbling window {config.tumbling_window_s} s")
    if config.report_batch_item_failures:
        settings.append("ReportBatchItemFailures")
    if config.filter_patterns:
        settings.append(f"{len(config.filter_patterns)} filter(s)")
    state = "event source" if config.enabled else "event source disabled (Enabled: false)"
    return f"samlite: {state} {config.logical_id}: {config.describe()} ({', '.join(settings)})"
