"""What every poller shares: how it invokes the function, writes to the function's log, and sizes a batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from samlite.model import InvocationResult
from samlite.services.awslambda.event_sources.config import MappingConfig

# Invoke the mapping's function synchronously with one batch's event, as Lambda's poller does.
Deliver = Callable[[MappingConfig, bytes], InvocationResult]
# A line in a function's log (its logical id, the line), beside its own output.
FunctionLog = Callable[[str, str], None]

# "The payload size reaches 6 MB" (Lambda event source mappings, batching behaviour): Lambda's
# synchronous invocation payload quota, 6 MB, counted on the event as sent.
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024
_ENVELOPE_BYTES = len(b'{"Records": []}')


def record_size(record: Mapping[str, Any]) -> int:
    """A record's share of the payload: its JSON text and the separator before it."""
    return len(json.dumps(record).encode("utf-8")) + 2


def fits(used_bytes: int, record_bytes: int) -> bool:
    return _ENVELOPE_BYTES + used_bytes + record_bytes <= PAYLOAD_LIMIT_BYTES


def encode_event(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event).encode("utf-8")


def safe_deliver(
    deliver: Deliver, config: MappingConfig, payload: bytes, log: FunctionLog
) -> InvocationResult:
    """`deliver`, with a runtime that could not run the function turned into a failed invocation (as
    a service error on Lambda's side: the batch is retried) and said in the log."""
    try:
        return deliver(config, payload)
    except Exception as error:
        log(
            config.function.logical_id,
            f"samlite: {config.logical_id}: the runtime could not run the function: "
            f"{type(error).__name__}: {error}",
        )
        body = {"errorMessage": str(error), "errorType": type(error).__name__}
        return InvocationResult(
            request_id="", payload=json.dumps(body).encode(), error_type=type(error).__name__
        )
