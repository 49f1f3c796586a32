"""What samlite cannot emulate it says once: a log that writes each key's line the first time only.

A subscription, rule or schedule target that samlite does not deliver to is named in the log when it
first comes up, not on every message that reaches it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class SaidOnce:
    """Calls `log(line)` for the first line given under each key; later ones under that key are dropped."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._lock = threading.Lock()
        self._said: set[str] = set()

    def __call__(self, key: str, line: str) -> None:
        with self._lock:
            if key in self._said:
                return
            self._said.add(key)
        self._log(line)
