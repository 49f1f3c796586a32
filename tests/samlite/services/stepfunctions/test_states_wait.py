"""Wait states and Retry intervals keep their meaning at samlite's time scale.

A Wait state waits `Seconds`, `SecondsPath` seconds or until `Timestamp` / `TimestampPath` (Amazon
States Language, "Wait"); a Retrier waits `IntervalSeconds`, multiplied by `BackoffRate` at each
attempt, before retrying ("Handling errors in Step Functions workflows", "Retrying after an
error"). samlite runs these pauses at `states_time_scale` (0.001 by default: the fixture's 60 s
waits take 60 ms), so the lower bounds below are the scaled lengths: a pause never ends early, and
the whole execution still fits well inside the test's deadline.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from samlite.services.stepfunctions.service import DEFAULT_TIME_SCALE
from tests.samlite.services.stepfunctions.conftest import details, history, run


@pytest.fixture(scope="module")
def waited(states_cloud: LocalCloud, sfn: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=60)
    described = run(
        states_cloud, sfn, "Waits", {"seconds": 120, "until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    return described, history(sfn, described["executionArn"])


def _waited(events: list[dict[str, Any]], state: str) -> float:
    entered = next(e for e in events if e["type"] == "WaitStateEntered" and details(e)["name"] == state)
    exited = next(e for e in events if e["type"] == "WaitStateExited" and details(e)["name"] == state)
    return (exited["timestamp"] - entered["timestamp"]).total_seconds()


def test_the_execution_waits_through_every_wait_state(waited: Any) -> None:
    described, events = waited
    assert described["status"] == "SUCCEEDED"
    assert [details(e)["name"] for e in events if e["type"] == "WaitStateEntered"] == [
        "Fixed",
        "FromInput",
        "Until",
    ]


def test_seconds_and_seconds_path_are_waited_at_the_time_scale(waited: Any) -> None:
    _, events = waited
    # History timestamps have millisecond precision: allow one millisecond of rounding.
    assert _waited(events, "Fixed") >= 60 * DEFAULT_TIME_SCALE - 0.001
    assert _waited(events, "FromInput") >= 120 * DEFAULT_TIME_SCALE - 0.001


def test_a_timestamp_in_utc_is_waited_for_at_the_time_scale(waited: Any) -> None:
    _, events = waited
    # About 60 s ahead when the execution started (whole seconds: the timestamp has no fraction).
    assert _waited(events, "Until") >= 58 * DEFAULT_TIME_SCALE


def test_retry_intervals_grow_by_the_backoff_rate_at_the_time_scale(waited: Any) -> None:
    _, events = waited
    failed = [e["timestamp"] for e in events if e["type"] == "LambdaFunctionFailed"]
    scheduled = [e["timestamp"] for e in events if e["type"] == "LambdaFunctionScheduled"]
    assert len(failed) == len(scheduled) == 3  # IntervalSeconds 30, MaxAttempts 2, BackoffRate 2
    first_pause = (scheduled[1] - failed[0]).total_seconds()
    second_pause = (scheduled[2] - failed[1]).total_seconds()
    assert first_pause >= 30 * DEFAULT_TIME_SCALE - 0.001
    assert second_pause >= 60 * DEFAULT_TIME_SCALE - 0.001
    # After the last attempt the Catcher (States.ALL) goes on to the Succeed state.
    assert [e["type"] for e in events][-4:] == [
        "TaskStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
