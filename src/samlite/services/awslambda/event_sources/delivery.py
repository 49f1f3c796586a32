"""What every poller shares: how it invokes the function, writes to the function's log, and sizes a batch."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from samlite.model import InvocationResult
from samlite.services.awslambda.event_sources.config import MappingConfig
from samlite.services.chaos import Chaos, Contract, Decision

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


# How long a batch that chaos holds back waits, so that the next one can overtake it.
REORDER_HOLD_S = 0.1


def chaos_decision(chaos: Chaos | None, channel: str, contract: Contract, what: str) -> Decision | None:
    """What `--chaos` does to one batch (None without chaos): the poller applies it itself."""
    return chaos.decide(channel, contract, what) if chaos is not None else None


def deliver_with_chaos(
    decision: Decision | None, send: Callable[[], InvocationResult], *, hold_s: float = REORDER_HOLD_S
) -> InvocationResult:
    """`send()` after the decision's delay (longer when held back, so a later batch overtakes it), and
    once more when it duplicates: at-least-once delivery, as Lambda's pollers may do ("Lambda event
    source mappings process events at least once"). The first answer is the one that counts."""
    if decision is None:
        return send()
    time.sleep(decision.delay_s[0] + (hold_s if decision.held else 0.0))
    result = send()
    for delay in decision.delay_s[1 : decision.copies]:
        time.sleep(delay)
        send()
    return result


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
