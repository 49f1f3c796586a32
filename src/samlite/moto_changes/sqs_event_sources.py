"""SQS event-source mappings are samlite's to deliver: moto's own delivery is off, samlite is told of
every new message, and FIFO messages get increasing sequence numbers as SQS gives them.

moto delivers an SQS event-source mapping itself, synchronously inside `Queue.add_message` (so inside
the sender's SendMessage), one receive per message, through its Docker-based Lambda. samlite polls
queues with Lambda's semantics instead (`samlite.services.awslambda.event_sources`), so:
- `Queue.lambda_event_source_mappings` reads as empty and ignores writes: moto's loop over it in
  `add_message` (and a mapping created through moto's Lambda API) delivers nothing;
- `Queue.add_message` tells `message_added` listeners after moto stored the message, so a poller
  wakes at once instead of waiting for its next poll;
- a FIFO message's `SequenceNumber` grows with every message of the queue, as "Amazon SQS FIFO queue
  message sequence number" documents (moto draws 20 random digits, and none at all under
  content-based deduplication, which the Lambda event of a FIFO queue always carries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.listeners import Listeners
from samlite.moto_changes.seam import MotoChange, Patch, Target

message_added = Listeners("sqs message added")

_sequence_lock = threading.Lock()
_last_sequence = 0


def next_fifo_sequence_number() -> str:
    """20 digits, strictly increasing in this process (SQS's are increasing per message group)."""
    global _last_sequence  # noqa: PLW0603 (process-wide, like moto's queues)
    with _sequence_lock:
        _last_sequence = max(time.time_ns() * 10, _last_sequence + 1)
        return f"{_last_sequence:020d}"


def _no_mappings() -> property:
    def read(_queue: Any) -> dict[str, Any]:
        return {}

    def write(_queue: Any, _value: Any) -> None:
        """moto's __init__ assigns a dict here; samlite keeps none."""

    return property(read, write, doc="samlite polls SQS event sources itself (moto_changes)")


def _announcing(original: Callable[..., None]) -> Callable[..., None]:
    def add_message(self: Any, message: Any) -> None:
        if getattr(self, "fifo_queue", False):
            message.sequence_number = next_fifo_sequence_number()
        original(self, message)
        message_added.fire(self)

    return add_message


CHANGE = MotoChange(
    name="sqs-event-sources",
    reason="moto delivers SQS event-source mappings itself, inside SendMessage, through Docker",
    patches=(
        # moto sets it per instance in Queue.__init__; a class property takes precedence over that.
        Patch(Target("moto.sqs.models:Queue.lambda_event_source_mappings", None), lambda _: _no_mappings()),
        Patch(Target("moto.sqs.models:Queue.add_message", "(self, message)"), _announcing),
    ),
    service="sqs",
)
