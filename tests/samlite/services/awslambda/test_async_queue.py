"""AsyncInvoker: Lambda's async semantics with fake invokers (no runtime, no AWS)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.model import EventInvokeConfig, FunctionSpec, InvocationResult
from samlite.services.awslambda.async_queue import AsyncInvoker
from samlite.services.awslambda.recursion import MAX_CHAIN_DEPTH, ChainTracker, current_depth
from samlite.services.targets import OutboundMessage

DLQ = "arn:aws:sqs:us-east-1:123456789012:dlq"
ON_FAILURE = "arn:aws:sqs:us-east-1:123456789012:failures"
ON_SUCCESS = "arn:aws:sns:us-east-1:123456789012:successes"


def spec(**overrides: object) -> FunctionSpec:
    base = FunctionSpec(
        logical_id="Fn",
        function_name="stack-Fn-ABC",
        handler="app.handler",
        runtime="python3.11",
        code_uri=Path("."),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def ok(payload: bytes = b'"done"') -> InvocationResult:
    return InvocationResult(request_id="r", payload=payload)


def error(message: str = "boom") -> InvocationResult:
    body = {"errorMessage": message, "errorType": "ValueError", "requestId": "r", "stackTrace": []}
    return InvocationResult(request_id="r", payload=json.dumps(body).encode(), error_type="ValueError")


class Harness:
    """An AsyncInvoker whose targets and log lines are recorded."""

    def __init__(self, invoke, **kwargs: object) -> None:
        self.sent: list[tuple[str, OutboundMessage]] = []
        self.logs: list[str] = []
        kwargs.setdefault("retry_delays", (0.01, 0.02))
        self.invoker = AsyncInvoker(
            invoke,
            send_to_target=lambda arn, msg: self.sent.append((arn, msg)),
            log=self.logs.append,
            **kwargs,  # type: ignore[arg-type]
        )

    def close(self) -> None:
        self.invoker.close()


@pytest.fixture
def harness_factory():
    made: list[Harness] = []

    def make(invoke, **kwargs: object) -> Harness:
        harness = Harness(invoke, **kwargs)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


def test_success_runs_once_and_writes_the_on_success_record(harness_factory) -> None:
    calls: list[bytes] = []

    def invoke(_spec: FunctionSpec, payload: bytes) -> InvocationResult:
        calls.append(payload)
        return ok(b'{"n": 1}')

    h = harness_factory(invoke)
    fn = spec(event_invoke_config=EventInvokeConfig(on_success_arn=ON_SUCCESS))
    request_id = h.invoker.submit(fn, b'{"k": "v"}', source="s3")
    assert h.invoker.wait_idle(5)
    assert calls == [b'{"k": "v"}']
    [(arn, message)] = h.sent
    record = json.loads(message.body)
    assert arn == ON_SUCCESS
    assert message.detail_type == "Lambda Function Invocation Result - Success"
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:stack-Fn-ABC:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"k": "v"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"n": 1}


def test_error_is_retried_twice_then_goes_to_dlq_and_on_failure_destination(harness_factory) -> None:
    attempts: list[float] = []

    def invoke(_spec: FunctionSpec, _payload: bytes) -> InvocationResult:
        attempts.append(time.monotonic())
        return error("bad object")

    h = harness_factory(invoke, retry_delays=(0.05, 0.1))
    fn = spec(dead_letter_target_arn=DLQ, event_invoke_config=EventInvokeConfig(on_failure_arn=ON_FAILURE))
    request_id = h.invoker.submit(fn, b'{"Records": []}', source="s3")
    assert h.invoker.wait_idle(5)
    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 0.05
    assert attempts[2] - attempts[1] >= 0.1
    by_arn = dict(h.sent)
    dlq = by_arn[DLQ]
    assert dlq.body == '{"Records": []}'
    assert {name: (a.data_type, a.value) for name, a in dlq.attributes.items()} == {
        "RequestID": ("String", request_id),
        "ErrorCode": ("Number", "200"),
        "ErrorMessage": ("String", "bad object"),
    }
    record = json.loads(by_arn[ON_FAILURE].body)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "bad object"
    assert sum("retrying in" in line for line in h.logs) == 2
    assert any("RetriesExhausted, 3 attempt(s)" in line and DLQ in line for line in h.logs)


def test_maximum_retry_attempts_zero_means_one_attempt(harness_factory) -> None:
    count = []
    h = harness_factory(lambda _s, _p: count.append(1) or error())
    h.invoker.submit(spec(event_invoke_config=EventInvokeConfig(maximum_retry_attempts=0)), b"{}")
    assert h.invoker.wait_idle(5)
    assert len(count) == 1


def test_success_on_a_retry_stops_retrying(harness_factory) -> None:
    results = [error(), ok()]
    h = harness_factory(lambda _s, _p: results.pop(0))
    h.invoker.submit(spec(dead_letter_target_arn=DLQ), b"{}")
    assert h.invoker.wait_idle(5)
    assert results == []
    assert h.sent == []


def test_failure_without_any_target_is_logged_as_discarded(harness_factory) -> None:
    h = harness_factory(lambda _s, _p: error())
    h.invoker.submit(spec(), b"{}")
    assert h.invoker.wait_idle(5)
    assert any("discarded (no DeadLetterQueue or OnFailure destination)" in line for line in h.logs)


def test_runtime_exception_counts_as_a_failed_attempt(harness_factory) -> None:
    def invoke(_spec: FunctionSpec, _payload: bytes) -> InvocationResult:
        raise RuntimeError("worker died")

    h = harness_factory(invoke)
    h.invoker.submit(spec(dead_letter_target_arn=DLQ), b"{}")
    assert h.invoker.wait_idle(5)
    [(_, message)] = h.sent
    assert message.attributes["ErrorMessage"].value == "worker died"
    assert any("could not run async invocation" in line for line in h.logs)


def test_event_older_than_maximum_event_age_is_not_retried(harness_factory) -> None:
    skew = [0.0]  # the injected clock runs on real time (retries come due on it) plus this jump
    attempts = []

    def invoke(_spec: FunctionSpec, _payload: bytes) -> InvocationResult:
        attempts.append(1)
        skew[0] += 61  # the attempt itself took past the 60 s maximum age
        return error()

    h = harness_factory(invoke, clock=lambda: time.monotonic() + skew[0])
    fn = spec(
        dead_letter_target_arn=DLQ,
        event_invoke_config=EventInvokeConfig(maximum_event_age_seconds=60, on_failure_arn=ON_FAILURE),
    )
    h.invoker.submit(fn, b"{}")
    assert h.invoker.wait_idle(5)
    assert len(attempts) == 1
    record = json.loads(dict(h.sent)[ON_FAILURE].body)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert any("older than MaximumEventAgeInSeconds (60)" in line for line in h.logs)


def test_retry_delays_are_measured_on_the_injected_clock(harness_factory) -> None:
    """The same clock times event age and retries: a retry 500 s away is due once that clock says so."""
    now = [1000.0]

    def clock() -> float:
        now[0] += 1000  # every reading is 1000 s later: a 500 s retry delay is over at the next one
        return now[0]

    outcomes = iter([error(), ok()])
    h = harness_factory(lambda _s, _p: next(outcomes), retry_delays=(500.0,), clock=clock)
    h.invoker.submit(spec(event_invoke_config=EventInvokeConfig(on_success_arn=ON_SUCCESS)), b"{}")
    assert h.invoker.wait_idle(5), "the retry waited for real time instead of the injected clock"
    [(arn, message)] = h.sent
    assert arn == ON_SUCCESS
    assert json.loads(message.body)["requestContext"]["approximateInvokeCount"] == 2


def test_reserved_concurrency_bounds_parallel_invocations(harness_factory) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def invoke(_spec: FunctionSpec, _payload: bytes) -> InvocationResult:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return ok()

    h = harness_factory(invoke, default_concurrency=8)
    for _ in range(12):
        h.invoker.submit(spec(reserved_concurrency=2), b"{}")
    assert h.invoker.wait_idle(10)
    assert peak == 2


def test_default_pool_runs_events_in_parallel(harness_factory) -> None:
    barrier = threading.Barrier(3, timeout=5)

    def invoke(_spec: FunctionSpec, _payload: bytes) -> InvocationResult:
        barrier.wait()  # only passes if three invocations run at the same time
        return ok()

    h = harness_factory(invoke, default_concurrency=3)
    for _ in range(3):
        h.invoker.submit(spec(), b"{}")
    assert h.invoker.wait_idle(10)
    assert not barrier.broken


def test_reserved_concurrency_zero_never_runs_and_says_so(harness_factory) -> None:
    h = harness_factory(lambda _s, _p: pytest.fail("a throttled function must not run"))
    h.invoker.submit(spec(reserved_concurrency=0, dead_letter_target_arn=DLQ), b"{}")
    assert h.invoker.wait_idle(5)
    [(arn, message)] = h.sent
    assert arn == DLQ
    assert message.attributes["ErrorCode"].value == "429"
    assert any("reserved concurrency is 0" in line for line in h.logs)


def test_submit_returns_before_the_function_runs(harness_factory) -> None:
    release = threading.Event()
    h = harness_factory(lambda _s, _p: ok() if release.wait(5) else error())
    h.invoker.submit(spec(), b"{}")
    assert not h.invoker.wait_idle(0.05)
    release.set()
    assert h.invoker.wait_idle(5)


def test_recursion_guard_stops_hop_17_with_a_clear_line(harness_factory) -> None:
    h = harness_factory(lambda _s, _p: pytest.fail("a stopped invocation must not run"))
    fn = spec(dead_letter_target_arn=DLQ, event_invoke_config=EventInvokeConfig(on_failure_arn=ON_FAILURE))
    request_id = h.invoker.submit(fn, b"{}", source="s3", depth=MAX_CHAIN_DEPTH + 1)
    assert h.invoker.wait_idle(5)
    assert any(
        "recursive loop detected" in line and request_id in line and "hop 17" in line for line in h.logs
    )
    by_arn = dict(h.sent)
    assert by_arn[DLQ].attributes["ErrorMessage"].value.startswith("RecursiveInvocationException")
    record = json.loads(by_arn[ON_FAILURE].body)
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record


def test_a_loop_through_the_invoker_stops_after_16_invocations(harness_factory) -> None:
    """A function whose every run causes a new event for itself: 16 runs, then the guard."""
    chain = ChainTracker()
    depths: list[int] = []
    holder: dict[str, AsyncInvoker] = {}

    def invoke(fn: FunctionSpec, _payload: bytes) -> InvocationResult:
        depths.append(current_depth())
        # What the S3 notifier does for a write made by this invocation: caller depth + 1.
        holder["invoker"].submit(fn, b"{}", source="s3", depth=current_depth() + 1)
        return ok()

    h = harness_factory(invoke, chain=chain)
    holder["invoker"] = h.invoker
    h.invoker.submit(spec(), b"{}", source="s3")
    assert h.invoker.wait_idle(10)
    assert depths == list(range(1, MAX_CHAIN_DEPTH + 1))
    assert sum("recursive loop detected" in line for line in h.logs) == 1


def test_close_drops_waiting_events_with_a_log_line_each(harness_factory) -> None:
    release = threading.Event()
    running = threading.Event()

    def invoke(_s: FunctionSpec, _p: bytes) -> InvocationResult:
        running.set()
        return ok() if release.wait(5) else error()

    h = harness_factory(invoke)
    fn = spec(reserved_concurrency=1)
    for _ in range(3):
        h.invoker.submit(fn, b"{}")
    assert running.wait(5)  # the first event runs, the other two wait behind it
    closer = threading.Thread(target=h.invoker.close)
    closer.start()
    assert _eventually(lambda: sum("dropped after 0 attempt(s)" in line for line in h.logs) == 2)
    release.set()
    closer.join(5)
    assert sum("dropped after 0 attempt(s): samlite is stopping" in line for line in h.logs) == 2
    h.invoker.submit(fn, b"{}")
    assert any("dropped: samlite is stopping" in line for line in h.logs)
    assert h.invoker.wait_idle(1)


def test_invoke_async_uses_the_given_request_id(harness_factory) -> None:
    h = harness_factory(lambda _s, _p: error())
    h.invoker.invoke_async(spec(dead_letter_target_arn=DLQ), b"{}", "req-123")
    assert h.invoker.wait_idle(5)
    assert h.sent[0][1].attributes["RequestID"].value == "req-123"


def test_bad_settings_are_refused_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match="default_concurrency"):
        AsyncInvoker(
            lambda _s, _p: ok(), send_to_target=lambda _a, _m: None, log=print, default_concurrency=0
        )
    with pytest.raises(ValueError, match="retry_delays"):
        AsyncInvoker(lambda _s, _p: ok(), send_to_target=lambda _a, _m: None, log=print, retry_delays=(-1,))


def _eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """True as soon as `condition()` holds, False if it still does not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
