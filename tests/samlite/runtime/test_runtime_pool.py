"""FunctionPool on stand-in workers (no processes): what a retired pool keeps and what it stops."""

from __future__ import annotations

from samlite.runtime.pool import FunctionPool


class FakeWorker:
    def __init__(self) -> None:
        self.alive = True
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        self.alive = False


def test_a_retired_pool_stops_every_worker_and_keeps_none() -> None:
    pool = FunctionPool(FakeWorker, max_workers=3)  # type: ignore[arg-type]
    busy, idle = pool.acquire(), pool.acquire()
    pool.release(idle)
    pool.retire()
    assert idle.stopped, "an idle worker of a retired pool must be stopped at once"
    assert not busy.stopped, "a busy worker must finish its invocation"
    late = pool.acquire()  # an invocation that held the pool before it was retired
    pool.release(busy)
    pool.release(late)
    assert busy.stopped and late.stopped, "a retired pool must stop each worker when it is released"
    assert pool.size == 0
