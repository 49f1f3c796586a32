"""A warm worker's deadline starts when the invocation is handed to it, not when the worker started.

Lambda counts a function's Timeout from the start of the invoke phase ("Lambda execution environment
lifecycle" and "Configure Lambda function timeout" in the Lambda Developer Guide); the init phase's own
allowance (10 s) applies to a cold start only. Under load a warm worker's runtime can take a while to
ask for its next event (`/next`) after answering the previous one; the invocation then waits on the
channel, and its deadline must still count from that hand-over. The test holds back the runtime's
second `/next` and makes the worker look older than its init allowance plus its Timeout (as any
worker that has lived a while is), which is when a deadline counted from the worker's start fired.
"""

from __future__ import annotations

import json
import threading

import pytest

from samlite.runtime import LambdaRuntime, worker
from samlite.runtime.api_server import WorkerChannel
from tests.samlite.runtime.runtime_specs import make_spec


def _hold_second_next(monkeypatch: pytest.MonkeyPatch, release: threading.Event) -> None:
    """The runtime's first `/next` (the cold start's) goes through; the next ones wait for `release`.
    Installed before the cold start, so the worker's second `/next` cannot slip past it."""
    original_take = WorkerChannel.take
    calls: dict[int, int] = {}

    def held_take(self: WorkerChannel) -> object:
        calls[id(self)] = calls.get(id(self), 0) + 1
        if calls[id(self)] > 1:
            release.wait(10)
        return original_take(self)

    monkeypatch.setattr(WorkerChannel, "take", held_take)


def test_event_reaching_a_warm_worker_late_is_not_a_timeout(
    runtime: LambdaRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec("app.echo", logical_id="LateDelivery", timeout=3)
    release = threading.Event()
    _hold_second_next(monkeypatch, release)
    assert runtime.invoke(spec, b"{}").error_type is None  # cold start: the worker is warm now
    # Every worker started more than INIT_LIMIT_S + Timeout ago looks like this one now.
    monkeypatch.setattr(worker, "INIT_LIMIT_S", -10.0)
    timer = threading.Timer(0.2, release.set)  # the event reaches the worker 200 ms after hand-over
    timer.start()
    try:
        result = runtime.invoke(spec, b'{"late": true}')
    finally:
        release.set()
        timer.cancel()
    assert result.error_type is None, result.payload
    assert json.loads(result.payload)["event"] == {"late": True}
    assert not any("Task timed out" in line for line in result.log_lines)


def test_a_warm_worker_that_never_asks_for_its_event_times_out_after_timeout(
    runtime: LambdaRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec("app.echo", logical_id="NeverAsks", timeout=1)
    release = threading.Event()
    _hold_second_next(monkeypatch, release)
    assert runtime.invoke(spec, b"{}").error_type is None
    try:
        result = runtime.invoke(spec, b"{}")
    finally:
        release.set()
    assert result.error_type == "Sandbox.Timedout"
    assert any("Task timed out after 1.00 seconds" in line for line in result.log_lines)
