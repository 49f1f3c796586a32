"""Flow control: an S3 write from outside the functions waits while their event queue is long.

On AWS, S3 and Lambda scale apart: 8 clients uploading as fast as they can get their events processed
by as many concurrent executions as it takes, and an upload is catalogued within about a second. On
one machine the embedded S3 and the functions share the same CPU and the same endpoint: every event
costs the function three calls to that endpoint while each upload costs one, so clients writing
without pause take the endpoint from the functions, the queue of events grows without bound, and an
upload waits ever longer to be processed (issue 12 measured 40 s behind after a minute).

So a write of an object (PUT, POST, DELETE) to a bucket whose notifications go to functions, made from
outside any running function, waits before moto stores it while one of those functions has `limit` or
more events queued or running, until the function has brought its queue under the limit again (or
`max_wait_s` passed: then it goes ahead). Writers slow to the pace the functions keep up with; what
they write is processed within about `limit` events of delay, and the queue (and its memory) stays
bounded. Reads are never held, nor writes to other buckets, nor a request signed with a function's
credentials or made from a running invocation (its trace header's Lineage: `ChainTracker`): the queue
may be waiting for that function, and a synchronous caller (API Gateway) for its answer. It is logged
once, the first time it engages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from samlite.model import AwsError
from samlite.services.awslambda.async_queue import AsyncInvoker
from samlite.services.awslambda.recursion import ChainTracker
from samlite.wire.s3_request import S3Request
from samlite.wire.signing import signer_of

DEFAULT_LIMIT = 16
DEFAULT_MAX_WAIT_S = 30.0
_WRITES = frozenset({"PUT", "POST", "DELETE"})


class S3FlowControl:
    """An S3 check (`EmbeddedAws.add_s3_check`) that holds writers back; it never refuses anything."""

    def __init__(
        self,
        invoker: AsyncInvoker,
        chain: ChainTracker,
        log: Callable[[str], None],
        notified: Callable[[str], list[str]],
        is_function_key: Callable[[str], bool] = lambda access_key_id: False,
        *,
        limit: int = DEFAULT_LIMIT,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
    ) -> None:
        self._invoker = invoker
        self._chain = chain
        self._log = log
        self._notified = notified  # bucket name -> names of the functions its notifications invoke
        self._is_function_key = is_function_key  # an access key of a function's role session
        self.limit = max(1, limit)
        self._max_wait_s = max_wait_s
        self._engaged = False
        self.held = 0  # writes that had to wait (for benchmarks and tests)

    def __call__(self, environ: Mapping[str, Any], request: S3Request) -> AwsError | None:
        if request.method not in _WRITES or not request.address.bucket:
            return None
        limit = max(1, self.limit)
        if self._invoker.backlog < limit:
            return None  # no function can have `limit` events: nothing to look up
        functions = self._notified(request.address.bucket)
        if not any(self._invoker.backlog_of(name) >= limit for name in functions):
            return None
        signer = signer_of(str(environ.get("HTTP_AUTHORIZATION", "")), str(environ.get("QUERY_STRING", "")))
        trace = {"X-Amzn-Trace-Id": str(environ.get("HTTP_X_AMZN_TRACE_ID", ""))}
        if signer.access_key_id and self._is_function_key(signer.access_key_id):
            return None  # a function's own write: the queue, or a caller, may be waiting for it
        if self._chain.caller_depth(signer.access_key_id, trace) > 0:
            return None  # made from inside a running invocation
        if not self._engaged:
            self._engaged = True
            self._log(
                f"samlite: flow control: S3 writes to {request.address.bucket} wait while {limit} or more "
                f"events are queued for {', '.join(functions)}, so that the function keeps up (one machine "
                "runs both S3 and the functions)"
            )
        self.held += 1
        self._invoker.wait_below(functions, limit, self._max_wait_s)
        return None
