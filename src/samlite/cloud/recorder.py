"""What each function did while the local cloud ran: its invocations and its log lines.

Tests read both (`LocalCloud.invocations`, `log_lines`); the log lines also go to the log stream
(files and the terminal). Thread-safe: invocations finish on the runtime's and the gateway's threads.
"""

from __future__ import annotations

import json
import threading
from typing import Any, NamedTuple

from samlite.model import FunctionSpec, InvocationResult

# How `invocations()` labels where an invocation came from.
SOURCE_INVOKE_API = "lambda-api"  # Invoke API, RequestResponse
SOURCE_EVENT_API = "lambda-api-event"  # Invoke API, InvocationType=Event
SOURCE_API_GATEWAY = "apigateway"  # a request to the local API gateway


class InvocationRecord(NamedTuple):
    """One finished invocation: the runtime's request id, the event (parsed JSON), its result, and
    where it came from ("s3", "lambda-api", "lambda-api-event", "destination", "apigateway")."""

    request_id: str
    event: Any
    result: InvocationResult
    source: str


class InvocationRecorder:
    """Invocations and log lines by source (a function's logical id, or "samlite")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, list[InvocationRecord]] = {}
        self._lines: dict[str, list[str]] = {}

    def record(self, spec: FunctionSpec, payload: bytes, result: InvocationResult, source: str) -> None:
        try:
            event: Any = json.loads(payload)
        except ValueError:
            event = bytes(payload).decode("utf-8", "replace")
        with self._lock:
            self._records.setdefault(spec.logical_id, []).append(
                InvocationRecord(result.request_id, event, result, source)
            )

    def line(self, source: str, line: str) -> None:
        with self._lock:
            self._lines.setdefault(source, []).append(line)

    def invocations(self, logical_id: str) -> list[InvocationRecord]:
        with self._lock:
            return list(self._records.get(logical_id, ()))

    def lines(self, source: str) -> list[str]:
        with self._lock:
            return list(self._lines.get(source, ()))

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._lines.clear()
