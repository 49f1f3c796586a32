"""One invocation in flight: what the Runtime API hands to a worker, and what the worker answered.

The invoking thread creates an `Invocation`, queues it on a worker's channel and waits on `done`;
the Runtime API server thread fills in the outcome when the worker posts `/response`, `/error` or
`/init/error`. Keeping this state in one small object makes the hand-over between the two threads
explicit: every field is written before `done` is set and read after it.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

RESPONSE = "response"
ERROR = "error"
INIT_ERROR = "init_error"


def new_request_id() -> str:
    """A request id shaped like Lambda's (a random UUID)."""
    return str(uuid.uuid4())


def new_trace_id() -> str:
    """An X-Ray trace header value (`Root=1-<8 hex epoch>-<24 hex>;Parent=<16 hex>;Sampled=0`)."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0;Lineage=1:{secrets.token_hex(4)}:0"


@dataclass(eq=False)
class Invocation:
    """An event on its way through a worker, and the worker's answer once `done` is set."""

    request_id: str
    event: bytes
    function_arn: str
    timeout_s: float | None
    client_context: str | None = None
    trace_id: str = field(default_factory=new_trace_id)
    done: threading.Event = field(default_factory=threading.Event)
    # Set when the invocation is handed to a worker's channel: the invoke phase's deadline counts
    # from here on a warm worker, whether or not its runtime has asked for the event yet.
    handed_ns: int | None = None
    # Filled by the Runtime API server thread.
    delivered_ns: int | None = None
    deadline_ms: int = 0
    finished_ns: int | None = None
    outcome: str | None = None
    body: bytes = b""
    error_type: str | None = None

    def deliver(self) -> None:
        """Mark the hand-over to the worker (`/next` answered): the invoke phase starts now."""
        self.delivered_ns = time.monotonic_ns()
        budget_s = self.timeout_s if self.timeout_s is not None else 365 * 24 * 3600
        self.deadline_ms = int((time.time() + budget_s) * 1000)

    def finish(self, outcome: str, body: bytes, error_type: str | None = None) -> None:
        """Record the worker's answer; only the first answer counts (Lambda rejects a second one)."""
        if self.done.is_set():
            return
        self.finished_ns = time.monotonic_ns()
        self.outcome = outcome
        self.body = body
        self.error_type = error_type
        self.done.set()
