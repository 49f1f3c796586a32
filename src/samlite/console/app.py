"""The console on the endpoint: a `LocalApi` answering everything under `/_samlite/` but the
trigger API (`/_samlite/trigger/`, served by the schedules), checked by the `Guard`.

`/_samlite/` is the page, `/_samlite/static/...` its assets, `/_samlite/api/...` the JSON API the
page calls (see `pages/`). A handler's `ConsoleError` becomes `{"error": {"code", "message"}}`; a bug
becomes a 500 whose message names it, with the traceback logged, never a dropped connection.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from samlite.console import static_files
from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleError, ConsoleRequest, error_response
from samlite.console.pages import cost, dynamodb, functions, live, queues, s3, stack, states, triggers
from samlite.console.router import Router
from samlite.console.security import PAGE_HEADERS, Guard
from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse

PREFIX = "/_samlite"
LEFT_ALONE = ("/_samlite/trigger/",)
PAGES = (stack, functions, live, s3, dynamodb, queues, triggers, states, cost)

log = logging.getLogger(__name__)


def build_router(context: ConsoleContext) -> Router:
    router = Router()
    for page in PAGES:
        page.register(router, context)
    return router


class ConsoleApi:
    """The console as one `LocalApi` of the endpoint."""

    protocol = REST_JSON

    def __init__(self, context: ConsoleContext, guard: Guard, report: Callable[[str], None] | None = None):
        self._context = context
        self._guard = guard
        self._router = build_router(context)
        self._report = report or (lambda line: None)

    def match(self, environ: Mapping[str, Any], body: bytes) -> str | None:
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(PREFIX):
            return None
        rest = path[len(PREFIX) :]
        if rest and not rest.startswith("/"):
            return None
        if path.startswith(LEFT_ALONE):
            return None
        return rest

    def handle(self, environ: Mapping[str, Any], body: bytes, rest: str) -> ApiResponse:
        request = ConsoleRequest.from_environ(environ, body, rest)
        try:
            return self._answer(request)
        except ConsoleError as error:
            return _secured(error_response(error))
        except Exception as error:
            self._report(
                f"console: internal error on {request.method} {PREFIX}{rest}:\n{traceback.format_exc()}"
            )
            log.exception("the console failed on %s %s", request.method, rest)
            failure = ConsoleError(
                500, "InternalError", f"the console failed: {type(error).__name__}: {error}"
            )
            return _secured(error_response(failure))

    def _answer(self, request: ConsoleRequest) -> ApiResponse:
        guard = self._guard
        guard.check_host(request)
        if request.path == "":
            return ApiResponse(308, [("Location", f"{PREFIX}/"), *PAGE_HEADERS], b"")
        if request.path == "/":
            if request.method not in ("GET", "HEAD"):
                raise ConsoleError(405, "MethodNotAllowed", "the console's page is read with GET")
            return static_files.page(guard.token if guard.token_in_page else None, PREFIX)
        if request.path.startswith("/static/"):
            return static_files.asset(request.path[len("/static/") :])
        if not request.path.startswith("/api/"):
            raise ConsoleError(404, "NotFound", f"the console has no page at {PREFIX}{request.path}")
        guard.check_api(request)
        handler, params = self._router.resolve(request.method, request.path)
        return _secured(handler(replace(request, params=params)))


def _secured(response: ApiResponse) -> ApiResponse:
    names = {name.lower() for name, _ in response.headers}
    extra = [(name, value) for name, value in PAGE_HEADERS if name.lower() not in names]
    return ApiResponse(response.status, [*response.headers, *extra], response.body)
