"""Live updates without reloading: a long poll on the recorder.

`GET /api/changes?since=V&wait=S` answers at once when something was recorded after version `V`,
else when something is, or after `S` seconds (at most 25): the new version and, per function, how
many invocations and log lines it has, so the page fetches only what it lacks. No browser open, no
request, no work: nothing runs on a timer.
"""

from __future__ import annotations

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleRequest, json_response
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse

MAX_WAIT_S = 25


def register(router: Router, context: ConsoleContext) -> None:
    recorder = context.sources.recorder

    def changes(request: ConsoleRequest) -> ApiResponse:
        since = request.int_arg("since", -1, low=-1, high=2**62)
        wait = request.int_arg("wait", 0, high=MAX_WAIT_S)
        version = recorder.version
        if version == since and wait and not context.closed:
            version = recorder.wait_for_change(since, wait)
        counts = {source: list(pair) for source, pair in recorder.counts().items()}
        return json_response({"version": version, "counts": counts, "closed": context.closed})

    router.add("GET", "/api/changes", changes)
