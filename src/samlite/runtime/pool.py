"""The execution environments of one function: reuse a warm idle one, else start another.

Lambda routes an invocation to an idle environment when it has one and creates a new one (a cold
start) when all are busy, up to the function's concurrency limit. Here the limit is
`min(max_workers, ReservedConcurrentExecutions)`; beyond it an invocation waits for a worker to come
free rather than being throttled, which is friendlier for local development. The most recently
used idle worker is reused first (LIFO), so a burst does not keep every worker warm.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from samlite.runtime.worker import Worker


class FunctionPool:
    """Idle and busy workers of one function, and the generation that tells stale ones apart."""

    def __init__(self, factory: Callable[[], Worker], max_workers: int) -> None:
        self._factory = factory
        self._max_workers = max(1, max_workers)
        self._condition = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._stale: set[Worker] = set()
        self._retiring = False  # replaced by a pool of a changed definition: keeps no idle worker
        self._closed = False

    def acquire(self) -> Worker:
        with self._condition:
            while True:
                if self._closed:
                    raise RuntimeError("the Lambda runtime is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        self._busy.add(worker)
                        return worker
                    self._retire(worker)
                if len(self._busy) < self._max_workers:
                    worker = self._factory()
                    self._busy.add(worker)
                    return worker
                self._condition.wait()

    def release(self, worker: Worker) -> None:
        """Return a worker after an invocation; a dead or stale one is stopped instead of reused."""
        with self._condition:
            self._busy.discard(worker)
            reusable = worker.alive and worker not in self._stale and not (self._closed or self._retiring)
            self._stale.discard(worker)
            if reusable:
                self._idle.append(worker)
            self._condition.notify()
        if not reusable:
            worker.stop()

    def recycle(self) -> None:
        """Stop idle workers now and busy ones when they finish (the code changed)."""
        with self._condition:
            idle, self._idle = self._idle, []
            self._stale.update(self._busy)
        for worker in idle:
            worker.stop()

    def retire(self) -> None:
        """The function's definition changed: stop idle workers now, and every other one (busy now,
        or started later by an invocation that already held this pool) as soon as it is released."""
        with self._condition:
            self._retiring = True
        self.recycle()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._condition.notify_all()
        for worker in workers:
            worker.stop()

    @property
    def size(self) -> int:
        with self._condition:
            return len(self._idle) + len(self._busy)

    def _retire(self, worker: Worker) -> None:
        threading.Thread(target=worker.stop, name="samlite-worker-stop", daemon=True).start()
