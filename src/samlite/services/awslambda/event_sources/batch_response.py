"""What a function's answer to a batch means: every record done, some failed, or the whole batch failed.

Without `ReportBatchItemFailures` the answer is all or nothing: an error fails the whole batch, any
other response succeeds it. With it, Lambda reads `{"batchItemFailures": [{"itemIdentifier": ...}]}`
(AWS Lambda Developer Guide, "Handling errors for an SQS event source in Lambda", "Configuring partial
batch response with Kinesis Data Streams and Lambda", and the DynamoDB page of the same name):
- a complete success: an empty or null `batchItemFailures` list, an empty or null response;
- a complete failure: an error; a response that is not JSON (or not an object); an empty, null or
  missing `itemIdentifier` (a bad key name); for SQS an identifier that is no message of the batch
  (samlite treats an unknown sequence number the same way on streams: there is no record to
  checkpoint before);
- otherwise the listed records failed: SQS returns just those to the queue; a stream checkpoints
  before the lowest failed sequence number.
With a tumbling window the response must also carry `state` ("Using tumbling windows"), else the
invocation counts as failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from samlite.model import InvocationResult
from samlite.services.awslambda.destinations import error_message_of

NO_STATE = object()


@dataclass(frozen=True)
class BatchOutcome:
    """`failed` holds the failed items' positions in the batch (all of them when the whole batch
    failed); `reason` says why, for the log; `state` is a tumbling window's new state."""

    failed: tuple[int, ...]
    whole: bool
    reason: str = ""
    state: Any = NO_STATE
    function_error: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.failed


def _whole(size: int, reason: str, *, function_error: bool = False) -> BatchOutcome:
    return BatchOutcome(tuple(range(size)), True, reason, function_error=function_error)


def function_error_reason(result: InvocationResult) -> str:
    return f"{result.error_type}: {error_message_of(result)}"


class _Invalid(ValueError):
    """The response makes the whole batch a failure; the message says why."""


def judge(
    result: InvocationResult,
    identifiers: Sequence[str],
    *,
    report_item_failures: bool,
    needs_state: bool = False,
) -> BatchOutcome:
    """The outcome of one invocation over a batch whose items are named `identifiers` (SQS message
    ids, or stream sequence numbers) in batch order."""
    size = len(identifiers)
    if result.failed:
        return _whole(size, function_error_reason(result), function_error=True)
    if not report_item_failures and not needs_state:
        return BatchOutcome((), False)
    try:
        response = _response(result.payload)
        state = _state(response) if needs_state else NO_STATE
        failed = _failed_positions(response, identifiers) if report_item_failures else ()
    except _Invalid as invalid:
        return _whole(size, str(invalid))
    if not failed:
        return BatchOutcome((), False, state=state)
    listed = ", ".join(identifiers[i] for i in failed)
    return BatchOutcome(failed, False, f"batchItemFailures: {listed}", state=state)


def _response(payload: bytes) -> dict[str, Any] | None:
    try:
        response = json.loads(payload) if payload.strip() else None
    except ValueError:
        raise _Invalid("the response is not valid JSON") from None
    if response is not None and not isinstance(response, dict):
        raise _Invalid(f"the response is a JSON {type(response).__name__}, not an object")
    return response


def _state(response: dict[str, Any] | None) -> Any:
    if not response or "state" not in response:
        raise _Invalid("a tumbling window's response must contain a 'state' property")
    return response["state"]


def _failed_positions(response: dict[str, Any] | None, identifiers: Sequence[str]) -> tuple[int, ...]:
    failures = (response or {}).get("batchItemFailures")
    if failures is None or failures == []:
        return ()
    if not isinstance(failures, list):
        raise _Invalid("batchItemFailures is not a list")
    positions = {identifier: index for index, identifier in enumerate(identifiers)}
    failed = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            raise _Invalid(f"batchItemFailures holds {json.dumps(item)}: no itemIdentifier")
        if identifier not in positions:
            raise _Invalid(f"itemIdentifier {identifier!r} is not an item of the batch")
        failed.add(positions[identifier])
    return tuple(sorted(failed))
