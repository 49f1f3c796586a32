"""Kinesis records are delivered to Lambda by samlite, and carry sequence numbers shaped as Kinesis's.

moto delivers a Kinesis event-source mapping itself, one record at a time inside PutRecord, through
its Docker-based Lambda; samlite polls shards with Lambda's semantics instead
(`samlite.services.awslambda.event_sources`), so:
- `Stream.lambda_event_source_mappings` reads as empty and ignores writes: moto's loop over it in
  `Stream.put_record` delivers nothing;
- `Shard.put_record` numbers records as Kinesis does: 56 digits, increasing within the shard
  ("Amazon Kinesis Data Streams terminology": "sequence numbers for the same partition key generally
  increase over time"). moto counts 1, 2, 3..., which sorts wrongly as text ("10" < "9") where real
  sequence numbers, all of one length, sort the same as text and as numbers. It then tells
  `record_added` listeners (with the shard).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.listeners import Listeners
from samlite.moto_changes.seam import MotoChange, Patch, Target

record_added = Listeners("kinesis record added")

# 49... then the shard's index, then a per-shard counter that starts from the clock: 56 digits.
_BASE = 49 * 10**54
_SHARD_STEP = 10**40
_lock = threading.Lock()


def _next_sequence_number(shard: Any) -> int:
    with _lock:
        last = int(getattr(shard, "_samlite_last_sequence", 0))
        value = max(_BASE + int(shard._shard_id) * _SHARD_STEP + time.time_ns(), last + 1)
        shard._samlite_last_sequence = value
        return value


def continue_numbering(shard: Any, last: int) -> None:
    """The shard's next record is numbered above `last` (a shard restored from a snapshot)."""
    with _lock:
        shard._samlite_last_sequence = max(int(getattr(shard, "_samlite_last_sequence", 0)), int(last))


def _numbered(original: Callable[..., str]) -> Callable[..., str]:
    from moto.kinesis.models import Record

    def put_record(self: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
        sequence_number = _next_sequence_number(self)
        self.records[sequence_number] = Record(partition_key, data, sequence_number, explicit_hash_key)
        record_added.fire(self)
        return str(sequence_number)

    return put_record


def _no_mappings() -> property:
    def read(_stream: Any) -> dict[str, Any]:
        return {}

    def write(_stream: Any, _value: Any) -> None:
        """moto's Stream.__init__ assigns a dict here; samlite keeps none."""

    return property(read, write, doc="samlite polls Kinesis streams itself (moto_changes)")


CHANGE = MotoChange(
    name="kinesis-records",
    reason="moto delivers Kinesis records to Lambda itself through Docker, numbered 1, 2, 3...",
    patches=(
        Patch(
            Target("moto.kinesis.models:Stream.lambda_event_source_mappings", None), lambda _: _no_mappings()
        ),
        Patch(
            Target("moto.kinesis.models:Shard.put_record", "(self, partition_key, data, explicit_hash_key)"),
            _numbered,
        ),
    ),
    service="kinesis",
)
