"""Recursion guard: stop a chain of event-driven invocations after 16 hops, as Lambda does.

Lambda's "recursive loop detection" (Lambda developer guide, "Use Lambda recursive loop detection to
prevent infinite loops") counts how many times one triggering event has led to an invocation, using
the `Lineage` field of the X-Ray trace header that the AWS SDKs forward from `_X_AMZN_TRACE_ID`
(botocore's `add_recursion_detection_header`). When a chain goes beyond 16 invocations, Lambda stops
the next invocation and sends the event to the DLQ / on-failure destination.

samlite traces a chain two ways, and takes the deeper of the two:
1. the trace header: a request carrying `X-Amzn-Trace-Id: ...;Lineage=1:<hash>:<n>` was made by an
   invocation at depth n (the runtime puts `trace_header(depth)` in its Runtime API
   `Lambda-Runtime-Trace-Id`, the SDK does the rest, exactly as on AWS);
2. the caller's credentials: a request signed with the credentials of function F while invocations
   of F are running comes from the deepest of those invocations. Each function's workers get their
   own role's credentials, so this works even when the trace header is absent; with `--no-iam` all
   functions share one key and only (1) applies.
Depth 1 is an invocation caused by something outside any function (a user's upload).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

MAX_CHAIN_DEPTH = 16
_LINEAGE = re.compile(r"(?:^|;)\s*Lineage=(?:[^;]*:)?(?P<count>\d+)\s*(?:;|$)")
_local = threading.local()


def lineage_depth(headers: Mapping[str, str]) -> int:
    """The invocation depth a request's `X-Amzn-Trace-Id` Lineage says it comes from (0 if none)."""
    for name, value in headers.items():
        if name.lower() == "x-amzn-trace-id":
            match = _LINEAGE.search(value)
            return int(match["count"]) if match else 0
    return 0


def trace_header(depth: int) -> str:
    """An X-Ray trace header whose Lineage records `depth`, for the runtime to hand to a worker."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0;Lineage=1:{secrets.token_hex(4)}:{depth}"


def current_depth() -> int:
    """Depth of the invocation running on this thread (0 outside `ChainTracker.running`).

    The async invoker calls the runtime on the thread that holds the invocation, so the runtime can
    read this to build the worker's trace header with `trace_header(current_depth())`.
    """
    return int(getattr(_local, "depth", 0))


class ChainTracker:
    """Knows which functions are running at which depth, and so how deep a new event is."""

    def __init__(self, function_of_access_key: Callable[[str], str | None] | None = None) -> None:
        self._function_of_access_key = function_of_access_key
        self._running: dict[str, Counter[int]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def running(self, function_name: str, depth: int) -> Iterator[None]:
        """Mark one invocation of `function_name` at `depth` as running for the duration of the block."""
        with self._lock:
            self._running.setdefault(function_name, Counter())[depth] += 1
        previous = getattr(_local, "depth", 0)
        _local.depth = depth
        try:
            yield
        finally:
            _local.depth = previous
            with self._lock:
                depths = self._running[function_name]
                depths[depth] -= 1
                if depths[depth] <= 0:
                    del depths[depth]

    def caller_depth(self, access_key_id: str | None, headers: Mapping[str, str]) -> int:
        """Depth of the invocation that made a request (0: not made from inside a function)."""
        depth = lineage_depth(headers)
        if access_key_id and self._function_of_access_key is not None:
            function_name = self._function_of_access_key(access_key_id)
            if function_name:
                with self._lock:
                    depths = self._running.get(function_name)
                    if depths:
                        depth = max(depth, *depths)
        return depth

    @staticmethod
    def stops(depth: int) -> bool:
        """True when an invocation at `depth` would exceed Lambda's limit and must be stopped."""
        return depth > MAX_CHAIN_DEPTH
