"""Recursion guard bookkeeping: trace-header lineage and running invocations per function."""

from __future__ import annotations

import threading

from samlite.services.awslambda.recursion import (
    MAX_CHAIN_DEPTH,
    ChainTracker,
    current_depth,
    lineage_depth,
    trace_header,
)


def test_lineage_counter_is_read_from_the_trace_header_in_any_case() -> None:
    assert lineage_depth({"X-Amzn-Trace-Id": "Root=1-5e-ab;Parent=cd;Sampled=0;Lineage=1:a87bd80c:7"}) == 7
    assert lineage_depth({"x-amzn-trace-id": "Lineage=a87bd80c:3;Root=1-5e-ab"}) == 3
    assert lineage_depth({"X-Amzn-Trace-Id": "Root=1-5e-ab;Parent=cd;Sampled=0"}) == 0
    assert lineage_depth({}) == 0


def test_trace_header_round_trips_its_depth() -> None:
    header = trace_header(12)
    assert header.startswith("Root=1-")
    assert lineage_depth({"X-Amzn-Trace-Id": header}) == 12


def test_caller_depth_comes_from_the_deepest_running_invocation_of_the_signing_function() -> None:
    tracker = ChainTracker({"AKFN": "fn", "AKUSER": None}.get)
    assert tracker.caller_depth("AKFN", {}) == 0
    with tracker.running("fn", 2), tracker.running("fn", 4):
        assert tracker.caller_depth("AKFN", {}) == 4
        assert tracker.caller_depth("AKUSER", {}) == 0
        assert tracker.caller_depth(None, {"X-Amzn-Trace-Id": "Lineage=1:x:9"}) == 9
    assert tracker.caller_depth("AKFN", {}) == 0


def test_current_depth_is_per_thread_and_restored() -> None:
    tracker = ChainTracker()
    seen: list[int] = []
    with tracker.running("fn", 3):
        other = threading.Thread(target=lambda: seen.append(current_depth()))
        other.start()
        other.join()
        assert current_depth() == 3
    assert seen == [0]
    assert current_depth() == 0


def test_the_limit_is_sixteen_invocations() -> None:
    assert MAX_CHAIN_DEPTH == 16
    assert not ChainTracker.stops(16)
    assert ChainTracker.stops(17)
