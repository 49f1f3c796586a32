"""The samlite console: see and drive the local cloud in a browser, and what it would cost on AWS.

Served on the embedded AWS endpoint at `/_samlite/` (no port of its own) by `samlite start`, unless
`--no-console`. Pages: the stack, functions (configuration, layers, invocations, invoke now, live
logs), S3, DynamoDB, queues and topics, triggers (event sources, schedules and "fire now"), state
machines (executions, their history, start one), and the cost of the work done since start. The
facade builds a `Console` from `ConsoleSources` once the stack is provisioned and calls `attach()`;
nothing of it runs unless a browser asks (the request meter that feeds the cost page is a few
counter updates per request). Safe by default: see `security`.
"""

from __future__ import annotations

from collections.abc import Callable

from samlite.console.app import PREFIX, ConsoleApi
from samlite.console.aws_clients import AdminClients
from samlite.console.context import ConsoleContext
from samlite.console.cost.meter import RequestMeter
from samlite.console.security import Guard, new_token
from samlite.console.sources import ConsoleSources

__all__ = ["PREFIX", "Console", "ConsoleSources"]


class Console:
    """The console of one running local cloud."""

    def __init__(self, sources: ConsoleSources, *, report: Callable[[str], None] | None = None) -> None:
        self.token = new_token()
        self.meter = RequestMeter()
        self._sources = sources
        self.context = ConsoleContext(sources, AdminClients(sources.aws), self.meter)
        self.guard = Guard(sources.bind_host, sources.aws.port, self.token)
        self.api = ConsoleApi(self.context, self.guard, report)

    def attach(self) -> Console:
        """Serve the console on the endpoint and start counting its requests for the cost page."""
        aws = self._sources.aws
        aws.add_local_api(self.api)
        aws.add_request_observer(self.meter.observe)
        return self

    @property
    def url(self) -> str:
        """The console's address; beyond loopback it carries the token (after `#`, see `security`)."""
        aws = self._sources.aws
        host = aws.host
        if host.strip("[]") in ("0.0.0.0", "::", ""):  # bound everywhere: browse it on loopback
            host = "127.0.0.1"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        base = f"http://{host}:{aws.port}{PREFIX}/"
        return base if self.guard.token_in_page else f"{base}#token={self.token}"

    def api_request(self, api_id: str, kind: str) -> None:
        """The local API Gateway answered a request of API `api_id` ("REST" or "HTTP")."""
        self.meter.api_request(api_id, kind)

    def reset(self) -> None:
        """Forget what the cost page counted (the local cloud was reset)."""
        self.meter.clear()

    def close(self) -> None:
        """Stop answering long polls: the local cloud is stopping."""
        self.context.closed = True
