"""Lambda's asynchronous invocation, locally: S3 notifications and `InvocationType=Event` go through here.

What Lambda does ("Invoking a Lambda function asynchronously" and "Configuring error handling for
asynchronous invocation" in the Lambda developer guide), and what this module does the same way:
- events wait in a queue per function and run with at most the function's reserved concurrency
  (`ReservedConcurrentExecutions`), otherwise a shared default pool size per function;
- a function error is retried `MaximumRetryAttempts` times (default 2). Lambda waits about 1 minute
  before the first retry and 2 minutes before the second; samlite's delays are `retry_delays`, short by
  default (0.05 s, 0.1 s) so that a test of the failure path takes milliseconds, not minutes;
- an event older than `MaximumEventAgeInSeconds` when its turn comes is not run again but discarded
  to the failure targets (condition `EventAgeExceeded`);
- after the last attempt the event goes to the dead-letter queue (the event, with RequestID /
  ErrorCode / ErrorMessage attributes) and/or the on-failure destination (an invocation record); a
  success goes to the on-success destination;
- a chain deeper than 16 invocations is stopped (see `async_recursion`) and its event goes to the
  failure targets.
Every event that ends without success and without a target, or is dropped because samlite stops,
gets a log line saying so: nothing disappears silently.

Simplifications, stated: a reserved concurrency of 0 (a throttled function) discards the event at once
as `EventAgeExceeded` instead of retrying throttles for up to 6 hours; the request id of each attempt
in the function's own log is the runtime's, while records and the DLQ carry the async request id
(the one `Invoke` returned with its 202).
"""

from __future__ import annotations

import heapq
import inspect
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.destinations import (
    EVENT_AGE_EXCEEDED,
    RECURSIVE_INVOCATION,
    RETRIES_EXHAUSTED,
    SUCCESS,
    dlq_message,
    error_message_of,
    invocation_record,
    record_message,
)
from samlite.services.awslambda.recursion import MAX_CHAIN_DEPTH, ChainTracker
from samlite.services.targets import SendToTarget

DEFAULT_RETRY_DELAYS = (0.05, 0.1)
DEFAULT_CONCURRENCY = 4
# A worker thread with nothing to do waits this long for the next event before it exits, so a burst
# of events reuses threads instead of starting one per event (thread start-up is on the S3 response path).
WORKER_LINGER_S = 2.0
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account
# DLQ ErrorCode: Lambda documents "the 3-digit HTTP status code". A function error is a 200 Invoke
# with X-Amz-Function-Error; the other two are samlite's choice (RecursiveInvocationException is a 400
# in the Lambda API, a throttle/expiry a 429).
ERROR_CODE_FUNCTION = 200
ERROR_CODE_RECURSION = 400
ERROR_CODE_NOT_RUN = 429

# An invoke callback may also take keyword arguments `source` and `trigger`: it then receives the
# event's source ("s3", "lambda-api", "destination", "sns", "eventbridge", "schedule") and the trigger
# that delivered it (a subscription, rule or schedule ARN, or None), as given to `submit()`.
Invoke = Callable[[FunctionSpec, bytes], InvocationResult]
Log = Callable[[str], None]
# function_log(logical_id, line): a line for that function's own log (what ended in a DLQ, given up).
FunctionLog = Callable[[str, str], None]


def _takes(invoke: Invoke, keyword: str) -> bool:
    try:
        return keyword in inspect.signature(invoke).parameters
    except (TypeError, ValueError):  # a callable without a signature: called the plain way
        return False


@dataclass(eq=False)
class AsyncEvent:
    """One queued event and what happened to it so far."""

    spec: FunctionSpec
    payload: bytes
    request_id: str
    source: str
    depth: int
    enqueued_at: float
    trigger: str | None = None
    attempts: int = 0
    last_result: InvocationResult | None = None
    stop_reason: str | None = None  # set when the event must not run (recursion, throttled)


@dataclass(eq=False)
class _Lane:
    """The queue of one function and its worker threads (`workers` alive, `idle` of them waiting)."""

    limit: int
    wakeup: threading.Condition
    pending: deque[AsyncEvent] = field(default_factory=deque)
    workers: int = 0
    idle: int = 0
    active: int = 0  # events taken from `pending` and not finished yet


class AsyncInvoker:
    """Queues events per function and runs them with Lambda's async semantics (see module doc)."""

    def __init__(
        self,
        invoke: Invoke,
        *,
        send_to_target: SendToTarget,
        log: Log,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        default_concurrency: int = DEFAULT_CONCURRENCY,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        chain: ChainTracker | None = None,
        clock: Callable[[], float] = time.monotonic,
        function_log: FunctionLog | None = None,
    ) -> None:
        if default_concurrency < 1:
            raise ValueError(f"default_concurrency must be at least 1, got {default_concurrency}")
        if any(delay < 0 for delay in retry_delays):
            raise ValueError(f"retry_delays must not be negative, got {retry_delays}")
        self._invoke = invoke
        self._send = send_to_target
        self._log = log
        self._function_log = function_log
        self._retry_delays = retry_delays or (0.0,)
        self._default_concurrency = default_concurrency
        self._arn_prefix = f"arn:aws:lambda:{region}:{account_id}"
        self.chain = chain or ChainTracker()
        # One clock for event age and retry due times (seconds, monotonic). The retry thread sleeps
        # until the clock says a retry is due, so with an injected clock retries follow its time.
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._drained = threading.Condition(self._lock)  # notified whenever an event is done
        self._outstanding = 0
        self._closed = False
        self._threads: set[threading.Thread] = set()
        self._running: set[AsyncEvent] = set()  # events a worker is handling now
        self._retries: list[tuple[float, int, AsyncEvent]] = []
        self._retry_seq = itertools.count()
        self._retry_wakeup = threading.Condition(self._lock)
        self._retry_thread = threading.Thread(
            target=self._run_retries, name="samlite-async-retries", daemon=True
        )
        self._retry_thread.start()

    # -- public API ---------------------------------------------------------------------------------

    def submit(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        source: str = "lambda-api",
        request_id: str | None = None,
        depth: int = 1,
        trigger: str | None = None,
    ) -> str:
        """Queue one event and return its request id at once (Lambda's 202). Never runs the function
        on the caller's thread, so it is safe from the endpoint's request observers."""
        event = AsyncEvent(
            spec=spec,
            payload=payload,
            request_id=request_id or str(uuid.uuid4()),
            source=source,
            depth=depth,
            enqueued_at=self._clock(),
            trigger=trigger,
        )
        if ChainTracker.stops(depth):
            event.stop_reason = RECURSIVE_INVOCATION
            self._log(
                f"samlite: {spec.logical_id}: recursive loop detected, invocation {event.request_id} "
                f"stopped (its {source} event is hop {depth} of a chain; Lambda stops after "
                f"{MAX_CHAIN_DEPTH})"
            )
        with self._lock:
            if self._closed:
                self._log(
                    f"samlite: {spec.logical_id}: event {event.request_id} from {source} dropped: "
                    "samlite is stopping"
                )
                return event.request_id
            self._outstanding += 1
            lane = self._lane(spec)
            if lane.limit == 0 and event.stop_reason is None:
                event.stop_reason = EVENT_AGE_EXCEEDED
                self._log(
                    f"samlite: {spec.logical_id}: reserved concurrency is 0 (throttled): event "
                    f"{event.request_id} is not run"
                )
            lane.pending.append(event)
            self._pump(lane)
        return event.request_id

    def invoke_async(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None:
        """The Lambda Invoke API's `InvocationType=Event` hook (`LambdaInvokeHandler.invoke_async`)."""
        self.submit(spec, payload, source="lambda-api", request_id=request_id)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every queued event, retry and target delivery is done; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._outstanding, timeout)

    @property
    def backlog(self) -> int:
        """Events queued, running, waiting for a retry or being delivered to a target, now."""
        return self._outstanding

    def backlog_of(self, function_name: str) -> int:
        """Events of one function queued or running now (not those waiting for a retry)."""
        with self._lock:
            return self._lane_backlog(function_name)

    def wait_below(self, function_names: list[str], limit: int, timeout: float) -> bool:
        """Wait until each of the functions has fewer than `limit` events queued or running; False
        when `timeout` passed first."""
        with self._drained:
            return self._drained.wait_for(
                lambda: self._closed or all(self._lane_backlog(name) < limit for name in function_names),
                timeout,
            )

    def _lane_backlog(self, function_name: str) -> int:
        lane = self._lanes.get(function_name)
        return 0 if lane is None else len(lane.pending) + lane.active

    def outstanding(self) -> list[AsyncEvent]:
        """Every event not done yet: queued, running, waiting for a retry (for `--persist`, which keeps
        them so that a restart after a crash delivers them: at least once, as Lambda's async is)."""
        with self._lock:
            queued = [event for lane in self._lanes.values() for event in lane.pending]
            return [*self._running, *queued, *(event for _, _, event in sorted(self._retries))]

    def close(self, timeout: float = 10.0) -> list[AsyncEvent]:
        """Stop accepting events, log and drop what has not started, wait for running invocations;
        returns the dropped events (`--persist` keeps them for the next start)."""
        with self._lock:
            if self._closed:
                return []
            self._closed = True
            dropped = [event for lane in self._lanes.values() for event in lane.pending]
            dropped += [event for _, _, event in self._retries]
            for lane in self._lanes.values():
                lane.pending.clear()
            self._retries.clear()
            self._outstanding -= len(dropped)
            self._retry_wakeup.notify_all()
            for lane in self._lanes.values():
                lane.wakeup.notify_all()
            self._idle.notify_all()
            self._drained.notify_all()
            threads = list(self._threads)
        for event in dropped:
            self._log(
                f"samlite: {event.spec.logical_id}: event {event.request_id} from {event.source} dropped "
                f"after {event.attempts} attempt(s): samlite is stopping"
            )
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._retry_thread.join(max(0.0, deadline - time.monotonic()))
        return dropped

    def function_arn(self, spec: FunctionSpec) -> str:
        """The ARN of the version that ran (unqualified for $LATEST)."""
        return f"{self._arn_prefix}:{spec.qualified_arn_suffix}"

    # -- queueing (all called with self._lock held) ---------------------------------------------------

    def _lane(self, spec: FunctionSpec) -> _Lane:
        lane = self._lanes.get(spec.function_name)
        if lane is None:
            limit = spec.reserved_concurrency
            lane = _Lane(
                limit=self._default_concurrency if limit is None else max(0, limit),
                wakeup=threading.Condition(self._lock),
            )
            self._lanes[spec.function_name] = lane
        return lane

    def _pump(self, lane: _Lane) -> None:
        """Wake idle workers, then start new ones up to the concurrency limit, while events wait.
        Stopped events (recursion, throttled) need no real slot but still go through a worker, so that
        their targets are written off the caller's thread: hence at least one worker per lane."""
        waiting = len(lane.pending)
        if lane.idle and waiting:
            woken = min(waiting, lane.idle)
            lane.wakeup.notify(woken)
            waiting -= woken
        while waiting > 0 and lane.workers < max(lane.limit, 1):
            lane.workers += 1
            waiting -= 1
            thread = threading.Thread(target=self._work, args=(lane,), name="samlite-async", daemon=True)
            self._threads.add(thread)
            thread.start()

    def _finished_one(self) -> None:
        self._outstanding -= 1
        self._drained.notify_all()
        if self._outstanding <= 0:
            self._outstanding = 0
            self._idle.notify_all()

    # -- worker side --------------------------------------------------------------------------------

    def _work(self, lane: _Lane) -> None:
        try:
            while True:
                with self._lock:
                    while not lane.pending and not self._closed:
                        lane.idle += 1
                        woken = lane.wakeup.wait(WORKER_LINGER_S)
                        lane.idle -= 1
                        if not woken and not lane.pending:
                            return
                    if self._closed:
                        return
                    event = lane.pending.popleft()
                    lane.active += 1
                    self._running.add(event)
                try:
                    self._handle(event)
                finally:
                    with self._lock:
                        lane.active -= 1
                        self._drained.notify_all()
        finally:
            with self._lock:
                lane.workers -= 1
                self._threads.discard(threading.current_thread())
                if not self._closed:
                    self._pump(lane)

    def _handle(self, event: AsyncEvent) -> None:
        """One attempt (or the decision not to make one), then finish or schedule a retry."""
        retry_at: float | None = None
        try:
            if event.stop_reason is not None:
                self._fail(event, event.stop_reason)
                return
            config = event.spec.event_invoke_config
            if self._clock() - event.enqueued_at > config.maximum_event_age_seconds:
                self._log(
                    f"samlite: {event.spec.logical_id}: event {event.request_id} is older than "
                    f"MaximumEventAgeInSeconds ({config.maximum_event_age_seconds}); not run again"
                )
                self._fail(event, EVENT_AGE_EXCEEDED)
                return
            result = self._attempt(event)
            if not result.failed:
                self._succeed(event)
                return
            retries_left = config.maximum_retry_attempts - (event.attempts - 1)
            if retries_left <= 0:
                self._fail(event, RETRIES_EXHAUSTED)
                return
            delay = self._retry_delays[min(event.attempts - 1, len(self._retry_delays) - 1)]
            self._log(
                f"samlite: {event.spec.logical_id}: async invocation {event.request_id} failed "
                f"({result.error_type}), attempt {event.attempts} of "
                f"{config.maximum_retry_attempts + 1}; retrying in {delay:g} s"
            )
            retry_at = self._clock() + delay
        except Exception as error:  # a bug here must not lose the event without a word
            self._log(
                f"samlite: {event.spec.logical_id}: event {event.request_id} dropped: internal error "
                f"{type(error).__name__}: {error}"
            )
        finally:
            with self._lock:
                self._running.discard(event)
                if retry_at is not None and not self._closed:
                    heapq.heappush(self._retries, (retry_at, next(self._retry_seq), event))
                    self._retry_wakeup.notify_all()
                elif retry_at is not None:
                    self._log(
                        f"samlite: {event.spec.logical_id}: event {event.request_id} dropped before its "
                        "retry: samlite is stopping"
                    )
                    self._finished_one()
                else:
                    self._finished_one()

    def _attempt(self, event: AsyncEvent) -> InvocationResult:
        event.attempts += 1
        with self.chain.running(event.spec.function_name, event.depth):
            try:
                keywords: dict[str, object] = {}
                if _takes(self._invoke, "source"):
                    keywords["source"] = event.source
                if _takes(self._invoke, "trigger"):
                    keywords["trigger"] = event.trigger
                invoke: Callable[..., InvocationResult] = self._invoke
                result = invoke(event.spec, event.payload, **keywords)
            except Exception as error:
                self._log(
                    f"samlite: {event.spec.logical_id}: the runtime could not run async invocation "
                    f"{event.request_id}: {type(error).__name__}: {error}"
                )
                body = {"errorMessage": str(error), "errorType": type(error).__name__}
                result = InvocationResult(
                    request_id=event.request_id,
                    payload=json.dumps(body).encode(),
                    error_type=type(error).__name__,
                )
        event.last_result = result
        return result

    def _succeed(self, event: AsyncEvent) -> None:
        target = event.spec.event_invoke_config.on_success_arn
        if target:
            self._send(target, record_message(self._record(event, SUCCESS)))

    def _fail(self, event: AsyncEvent, condition: str) -> None:
        spec = event.spec
        sent_to = []
        on_failure = spec.event_invoke_config.on_failure_arn
        if on_failure:
            self._send(on_failure, record_message(self._record(event, condition)))
            sent_to.append(f"on-failure destination {on_failure}")
        if spec.dead_letter_target_arn:
            code, message = self._dlq_error(event, condition)
            message_out = dlq_message(event.payload, event.request_id, code, message)
            self._send(spec.dead_letter_target_arn, message_out)
            sent_to.append(f"dead-letter queue {spec.dead_letter_target_arn}")
        where = " and ".join(sent_to) or "discarded (no DeadLetterQueue or OnFailure destination)"
        line = (
            f"samlite: {spec.logical_id}: async invocation {event.request_id} from {event.source} "
            f"failed ({condition}, {event.attempts} attempt(s)): {where}"
        )
        self._log(line)
        if self._function_log is not None:
            self._function_log(spec.logical_id, line)

    def _record(self, event: AsyncEvent, condition: str) -> dict[str, object]:
        return invocation_record(
            function_arn=self.function_arn(event.spec),
            request_id=event.request_id,
            condition=condition,
            invoke_count=event.attempts,
            event=event.payload,
            result=event.last_result,
        )

    @staticmethod
    def _dlq_error(event: AsyncEvent, condition: str) -> tuple[int, str]:
        if condition == RECURSIVE_INVOCATION:
            return ERROR_CODE_RECURSION, (
                f"RecursiveInvocationException: the function was invoked more than {MAX_CHAIN_DEPTH} "
                "times in one chain of requests"
            )
        if event.last_result is not None:
            return ERROR_CODE_FUNCTION, error_message_of(event.last_result)
        return ERROR_CODE_NOT_RUN, f"{condition}: the event was not processed"

    # -- retry timer --------------------------------------------------------------------------------

    def _run_retries(self) -> None:
        """Move retries whose delay has passed back to the end of their function's queue."""
        with self._lock:
            while not self._closed:
                if not self._retries:
                    self._retry_wakeup.wait()
                    continue
                due = self._retries[0][0] - self._clock()
                if due > 0:
                    self._retry_wakeup.wait(due)
                    continue
                _, _, event = heapq.heappop(self._retries)
                lane = self._lane(event.spec)
                lane.pending.append(event)
                self._pump(lane)
