"""How deep in a chain of invocations a new event is, whoever caused it.

An event pushed to a function (an SNS message, an EventBridge event) is one hop further than what
caused it: a request served by the endpoint (its caller's credentials and trace header say which
invocation made it, see `awslambda.recursion`), or samlite's own work on an invocation's thread.
"""

from __future__ import annotations

from samlite.endpoint.middleware import serving_environ
from samlite.services.awslambda.recursion import ChainTracker, current_depth
from samlite.wire.signing import signer_of


def depth_of_new_event(chain: ChainTracker) -> int:
    """The depth (1 for an event from outside any function) of an event caused by this thread."""
    depth = current_depth()
    environ = serving_environ()
    if environ is not None:
        signer = signer_of(str(environ.get("HTTP_AUTHORIZATION", "")), str(environ.get("QUERY_STRING", "")))
        trace = environ.get("HTTP_X_AMZN_TRACE_ID")
        headers = {"X-Amzn-Trace-Id": str(trace)} if trace else {}
        depth = max(depth, chain.caller_depth(signer.access_key_id, headers))
    return depth + 1
