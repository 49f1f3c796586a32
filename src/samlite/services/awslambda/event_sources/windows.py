"""Tumbling windows over a stream: fixed time windows whose state the function carries between calls.

AWS Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB" / "... Amazon Kinesis", "Time
windows": a record belongs to the window its arrival time falls in (windows are `TumblingWindowInSeconds`
long, aligned on the epoch); a batch holds records of one window only; each invocation gets the
window's `state` (`{}` at first) and must answer a new `state`; when the window is over, one last
invocation has `isFinalInvokeForWindow: true`, after which the state is dropped; a state over 1 MB
ends the window early (`isWindowTerminatedEarly: true`). The event adds `window` (`start`, `end`),
`state`, `shardId`, `eventSourceARN` and both flags to `Records`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATE_LIMIT_BYTES = 1024 * 1024


def window_start(arrival: float, length_s: int) -> float:
    return float(int(arrival // length_s) * length_s)


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Window:
    """The open window of one shard (or partition-key lane) and its state."""

    start: float
    length_s: int
    state: Any = field(default_factory=dict)
    terminated_early: bool = False

    @property
    def end(self) -> float:
        return self.start + self.length_s

    def holds(self, arrival: float) -> bool:
        return self.start <= arrival < self.end

    def keep(self, state: Any) -> None:
        """The function's new state; over 1 MB it ends the window early."""
        self.state = state
        self.terminated_early = len(json.dumps(state).encode("utf-8")) > STATE_LIMIT_BYTES

    def event(
        self, records: Sequence[Mapping[str, Any]], *, shard_id: str, stream_arn: str, final: bool
    ) -> dict[str, Any]:
        return {
            "Records": [dict(record) for record in records],
            "window": {"start": _iso(self.start), "end": _iso(self.end)},
            "state": self.state,
            "shardId": shard_id,
            "eventSourceARN": stream_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": final and self.terminated_early,
        }
