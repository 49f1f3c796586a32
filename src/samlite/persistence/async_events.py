"""The asynchronous invocations not done yet: queued, running, or waiting for a retry.

Lambda keeps an async event until it is processed (or sent to its failure targets), so a restart of
samlite must not lose the S3 notifications and `InvocationType=Event` calls it had accepted: each is
kept with its function's ARN, payload, request id (the one the 202 answered), source and chain depth,
and is queued again at the next start, once the event wiring runs. An event that was running when
samlite was killed runs again: delivery is at least once, as Lambda documents for async invocation
(functions must be idempotent). Attempts start afresh after a restart. An event whose function is no
longer in the template is reported and not run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from samlite.model import AwsApi, FunctionSpec, Resource
from samlite.persistence.codec import bytes_of, bytes_text
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource
from samlite.services.awslambda.async_queue import AsyncEvent, AsyncInvoker

Resolve = Callable[[str], FunctionSpec | None]


class AsyncEventsSection:
    """Not a resource section (`types` is empty): its content is the invoker's outstanding events."""

    name = "lambda_async"
    types: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.invoker: AsyncInvoker | None = None
        self.held: list[dict[str, Any]] = []  # events dropped by the stop, kept for the next start
        self.loaded: list[dict[str, Any]] = []  # read from the snapshot, submitted once delivery runs
        self._stopped = False

    def template_name(self, resource: Resource) -> str | None:
        return None

    def hold(self, events: list[AsyncEvent]) -> None:
        if self.invoker is not None:
            self.held = [_entry(self.invoker, event) for event in events]
        self._stopped = True

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        invoker = self.invoker
        if invoker is None:  # not wired yet: what was read is still to be delivered
            return {"events": list(self.loaded)}
        if self._stopped:
            return {"events": list(self.held)}
        return {"events": [_entry(invoker, event) for event in invoker.outstanding()]}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return []

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        return None

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        self.loaded = list(content.get("events", []))
        if self.loaded:
            count = len(self.loaded)
            context.summary.append(f"{count} queued async event{'s' * (count != 1)}")

    def resubmit(self, invoker: AsyncInvoker, resolve: Resolve, log: Callable[[str], None]) -> int:
        """Queue the loaded events again; from now on the snapshot holds the invoker's."""
        submitted = 0
        for entry in self.loaded:
            spec = resolve(entry["function_arn"])
            if spec is None:
                log(
                    f"saved state: async event {entry['request_id']} for {entry['function_arn']} not run: "
                    "the template has no such function any more"
                )
                continue
            invoker.submit(
                spec,
                bytes_of(entry["payload"]) or b"",
                source=entry["source"],
                request_id=entry["request_id"],
                depth=int(entry.get("depth", 1)),
            )
            submitted += 1
        self.loaded = []
        self.invoker = invoker
        return submitted


def _entry(invoker: AsyncInvoker, event: AsyncEvent) -> dict[str, Any]:
    return {
        "function_arn": invoker.function_arn(event.spec),
        "payload": bytes_text(event.payload),
        "request_id": event.request_id,
        "source": event.source,
        "depth": event.depth,
    }
