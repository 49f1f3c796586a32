"""Time in state machines, scaled: Wait states and Retry intervals take `scale` of their length.

A Wait state of 60 seconds, or a Retry with `IntervalSeconds: 30` and `BackoffRate: 2`, would make a
local run (and every test of it) as slow as on AWS. samlite multiplies those deliberate pauses by a
time scale (`set_scale`; samlite's default is 0.001, so a 60 s Wait takes 60 ms), as it shortens
Lambda's asynchronous retry delays; 1 restores real time. What a pause is *for* is unchanged: the
order of events, the number of attempts and the intervals between them relative to each other.
Timeouts (`TimeoutSeconds`, `HeartbeatSeconds`) are not scaled: they bound real work (a function, a
callback) that takes real time.

The changes to moto 5.2.5:
- `WaitFunction._wait_interval` waits `wait_seconds * scale` on the execution's state event, and
  stops early when the execution stops (moto's own version rounds what it waited down to whole
  seconds and waits again for the rest, so it could not wait a fraction of a second);
- `JitterStrategyDecl._eval_body` is the last step of a Retrier's interval computation (interval,
  backoff, MaxDelaySeconds, jitter) before moto sleeps on the result: the result is scaled there;
- `Timestamp._get_wait_seconds` (Timestamp and TimestampPath) compares the UTC timestamp with the
  UTC time, where moto compares it with the local time (a wait off by the machine's UTC offset).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

DEFAULT_SCALE = 1.0  # moto's own pace until samlite sets its own (samlite.services.stepfunctions)

_lock = threading.Lock()
_scale = DEFAULT_SCALE


def set_scale(scale: float) -> None:
    """Wait and Retry pauses take `scale` times their length (process-wide: moto is)."""
    global _scale  # noqa: PLW0603 (moto's interpreter is process-wide, and so is its clock)
    if not scale > 0:
        raise ValueError(f"the state machine time scale must be positive, not {scale!r}")
    with _lock:
        _scale = float(scale)


def scale() -> float:
    with _lock:
        return _scale


def _scaled_wait(_original: Callable[..., None]) -> Callable[..., None]:
    def wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        deadline = time.monotonic() + max(float(wait_seconds), 0.0) * scale()
        while env.is_running():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            env.program_state_event.wait(left)

    return wait_interval


def _scaled_interval(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def eval_body(self: Any, env: Any) -> None:
        original(self, env)
        env.stack.append(env.stack.pop() * scale())

    return eval_body


def _utc_delta(original: Callable[[Any, Any], int]) -> Callable[[Any, Any], int]:
    def get_wait_seconds(self: Any, env: Any) -> int:
        local_offset = datetime.now() - datetime.now(UTC).replace(tzinfo=None)
        return int(original(self, env) + round(local_offset.total_seconds()))

    return get_wait_seconds


_STATE = "moto.stepfunctions.parser.asl.component"
CHANGE = MotoChange(
    name="stepfunctions-time-scale",
    reason="Wait states and Retry intervals would make local runs as slow as AWS",
    patches=(
        Patch(
            Target(
                f"{_STATE}.state.wait.wait_function.wait_function:WaitFunction._wait_interval",
                "(self, env, wait_seconds)",
            ),
            _scaled_wait,
        ),
        Patch(
            Target(
                f"{_STATE}.common.retry.jitter_strategy_decl:JitterStrategyDecl._eval_body", "(self, env)"
            ),
            _scaled_interval,
        ),
        Patch(
            Target(f"{_STATE}.state.wait.wait_function.timestamp:Timestamp._get_wait_seconds", "(self, env)"),
            _utc_delta,
        ),
    ),
    service="stepfunctions",
)
