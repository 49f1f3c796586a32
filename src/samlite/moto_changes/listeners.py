"""Callbacks that a moto change calls when moto's state changes, for samlite's parts to subscribe to.

A change that wraps a moto method (a message added to a queue, a record appended to a stream) tells
its `Listeners` after moto's own code ran. The callbacks run on the thread serving the request, inside
moto: they must only take note (set an event) and never raise into moto, so an exception is logged
here and the request goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[Any], None]


class Listeners:
    """A thread-safe set of callbacks, each called with the moto object that changed."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._lock = threading.Lock()
        self._callbacks: tuple[Listener, ...] = ()

    def add(self, callback: Listener) -> Callable[[], None]:
        """Subscribe `callback`; returns the function that unsubscribes it."""
        with self._lock:
            self._callbacks = (*self._callbacks, callback)

        def remove() -> None:
            with self._lock:
                self._callbacks = tuple(c for c in self._callbacks if c is not callback)

        return remove

    def fire(self, changed: Any) -> None:
        for callback in self._callbacks:  # a snapshot: subscribing during a fire is safe
            try:
                callback(changed)
            except Exception:  # a listener's bug must not fail the user's request
                log.exception("samlite: a listener of %s failed", self._what)

    def __len__(self) -> int:
        return len(self._callbacks)
