"""Authorizer results kept for `authorizerResultTtlInSeconds`, keyed by the identity sources' values.

REST ("Configure a Lambda authorizer", caching) and HTTP APIs ("Caching authorizer responses") both
key the cache on the identity sources: the token of a TOKEN authorizer, the values of a REQUEST
authorizer's sources. A TTL of 0 turns caching off. What is cached is the authorizer's output, not
the verdict: the policy is evaluated again against each request's method ARN.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 10_000  # bounds memory if a client sends ever new tokens


@dataclass(frozen=True)
class _Entry:
    value: Any
    expires_at: float


class ResultCache:
    """A thread-safe TTL cache; `clock` is injectable so expiry can be tested without waiting."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self._clock():
                del self._entries[key]
                return None
            return entry.value

    def put(self, key: Hashable, value: Any, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        with self._lock:
            self._entries[key] = _Entry(value, self._clock() + ttl_s)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
