"""Where a moto change hands work to samlite: the handler samlite registered, latest first.

A change that takes a delivery away from moto (SNS subscriptions, EventBridge targets) calls the
handler samlite's service registered. moto's state is process-wide while handlers belong to one local
cloud: several may register (tests start clouds one after another, sometimes nested), and the one
registered last is the one called, until it is removed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., object])


class HandlerStack(Generic[Handler]):
    """The handlers registered for one hook; `current()` is the latest still registered."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()

    def register(self, handler: Handler) -> Callable[[], None]:
        """Make `handler` the current one; returns the function that removes it again."""
        with self._lock:
            self._handlers.append(handler)

        def remove() -> None:
            with self._lock:
                if handler in self._handlers:
                    self._handlers.remove(handler)

        return remove

    def current(self) -> Handler | None:
        with self._lock:
            return self._handlers[-1] if self._handlers else None
