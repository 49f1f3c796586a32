"""What each function did while the local cloud ran: its invocations and its log lines.

Tests read both (`LocalCloud.invocations`, `log_lines`); the log lines also go to the log stream
(files and the terminal), and the console shows both live. Thread-safe: invocations finish on the
runtime's and the gateway's threads. `version` grows with every record and line, and
`wait_for_change` lets a reader (the console's live view) sleep until it does; with nobody waiting,
a record costs one counter increment more than it did.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, NamedTuple

from samlite.model import FunctionSpec, InvocationResult

# How `invocations()` labels where an invocation came from.
SOURCE_INVOKE_API = "lambda-api"  # Invoke API, RequestResponse
SOURCE_EVENT_API = "lambda-api-event"  # Invoke API, InvocationType=Event
SOURCE_API_GATEWAY = "apigateway"  # a request to the local API gateway


class InvocationRecord(NamedTuple):
    """One finished invocation: the runtime's request id, the event (parsed JSON), its result, and
    where it came from ("s3", "lambda-api", "lambda-api-event", "destination", "apigateway", "sns",
    "eventbridge", "schedule", and "sqs", "dynamodb", "kinesis" for event-source mappings);
    `trigger` names what delivered it when one did (the ARN of a subscription, rule or schedule, or a
    mapping).
    `finished_at` is when it ended (epoch seconds); `memory_size` and `architecture` are the
    function's configuration it ran with, which is what Lambda bills by."""

    request_id: str
    event: Any
    result: InvocationResult
    source: str
    trigger: str | None = None
    finished_at: float = 0.0
    memory_size: int = 128
    architecture: str = "x86_64"

    @property
    def started_at(self) -> float:
        """When the invocation began (its init phase included), in epoch seconds."""
        result = self.result
        return self.finished_at - (result.duration_ms + (result.init_duration_ms or 0.0)) / 1000.0


class InvocationRecorder:
    """Invocations and log lines by source (a function's logical id, or "samlite")."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._records: dict[str, list[InvocationRecord]] = {}
        self._lines: dict[str, list[str]] = {}
        self._version = 0

    def record(
        self,
        spec: FunctionSpec,
        payload: bytes,
        result: InvocationResult,
        source: str,
        trigger: str | None = None,
    ) -> None:
        try:
            event: Any = json.loads(payload)
        except ValueError:
            event = bytes(payload).decode("utf-8", "replace")
        architecture = spec.architectures[0] if spec.architectures else "x86_64"
        entry = InvocationRecord(
            result.request_id, event, result, source, trigger, time.time(), spec.memory_size, architecture
        )
        with self._changed:
            self._records.setdefault(spec.logical_id, []).append(entry)
            self._changed_locked()

    def line(self, source: str, line: str) -> None:
        with self._changed:
            self._lines.setdefault(source, []).append(line)
            self._changed_locked()

    def invocations(self, logical_id: str) -> list[InvocationRecord]:
        with self._changed:
            return list(self._records.get(logical_id, ()))

    def lines(self, source: str) -> list[str]:
        with self._changed:
            return list(self._lines.get(source, ()))

    def invocations_since(self, logical_id: str, start: int) -> list[InvocationRecord]:
        """The invocations after the first `start` ones (a reader that has `start` already)."""
        with self._changed:
            return self._records.get(logical_id, [])[max(0, start) :]

    def lines_since(self, source: str, start: int) -> list[str]:
        """The lines after the first `start` ones."""
        with self._changed:
            return self._lines.get(source, [])[max(0, start) :]

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per source: how many invocations and how many lines it has now."""
        with self._changed:
            sources = self._records.keys() | self._lines.keys()
            return {
                source: (len(self._records.get(source, ())), len(self._lines.get(source, ())))
                for source in sources
            }

    @property
    def version(self) -> int:
        """Grows with every record, line and clear."""
        return self._version

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until `version` is out of date (or `timeout` seconds pass); the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != version, timeout)
            return self._version

    def wake(self) -> None:
        """Wake every waiter now (the local cloud is stopping)."""
        with self._changed:
            self._changed_locked()

    def clear(self) -> None:
        with self._changed:
            self._records.clear()
            self._lines.clear()
            self._changed_locked()

    def _changed_locked(self) -> None:
        self._version += 1
        self._changed.notify_all()
