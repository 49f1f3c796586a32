"""A reconcile run of the uploads bucket: claimed, walked chunk by chunk, checkpointed, continued.

A run covers the whole bucket once; an invocation does as much of it as its time allows. After every
chunk the checkpoint (``reconcile_models.Checkpoint``) records the cursor and the counts, so whatever
stops an invocation (its budget, its Timeout, a crash) costs at most one chunk, redone safely because
every repair is conditional (``controllers.reconcile_repair``). An invocation that runs out of time
hands over to the next one:

- it starts the next step asynchronously (the function invoking itself) with the run's id and a fresh
  one-time ``token``; a continuation that presents another token (a duplicate, a retry of an older
  step, a step of a run that was restarted) does nothing;
- loops are bounded: at most ``max_continuations`` steps chain in a row, and a step that made no
  progress never continues; the next scheduled run (or ``make reconcile``) resumes from the checkpoint;
- a lease in the checkpoint (owner, expiry) keeps two invocations from working on the run at once; every
  save is conditional on the checkpoint's revision, so a step that lost its lease stops.

Every invocation logs one JSON summary line (``reconcile summary``) and returns the same document.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from upload_catalog.controllers.reconcile_ports import (
    BucketVersions,
    CatalogPartition,
    CheckpointStore,
    Continuation,
)
from upload_catalog.controllers.reconcile_repair import Repairer, RepairOutcome
from upload_catalog.controllers.reconcile_request import CONTINUE, START, STATUS, RunRequest
from upload_catalog.controllers.reconcile_walk import KeyState, walk
from upload_catalog.reconcile_models import COMPLETE, RUNNING, Checkpoint, Counts, Cursor

LOGGER = logging.getLogger("upload_catalog")

#: Statuses of an invocation's summary.
PARTIAL = "partial"  # out of time: the run continues
BUSY = "busy"  # another invocation holds the run's lease
STALE = "stale"  # a continuation of a step that is not the run's current one
LOST = "lost"  # the lease was taken over while working (this invocation outlived it)
IDLE = "idle"  # status request, no run yet


@dataclass(frozen=True)
class RunSettings:
    page_size: int = 1000  # keys per chunk (and per List / Query page)
    workers: int = 16  # repairs in flight at once (HEAD + ranged GET + conditional put each)
    max_continuations: int = 15  # steps chained in a row (Lambda stops chains after about 16 hops)
    lease_grace_seconds: float = 60.0  # how long past its deadline an invocation's lease lasts


@dataclass(frozen=True)
class ReconcilePorts:
    """The outside world of a run (``controllers.reconcile_ports``); HEAD and GET are the repairer's."""

    versions: BucketVersions
    partition: CatalogPartition
    checkpoints: CheckpointStore
    continuation: Continuation | None = None


@dataclass
class _Step:
    """One invocation's share of a run. ``checkpoint`` is the last one saved; its totals are the run's
    totals when the step began (``base``) plus what the step counted so far (``counts``)."""

    checkpoint: Checkpoint
    base: Counts
    started: float
    deadline: float
    start_cursor: Cursor
    counts: Counts = field(default_factory=Counts)
    lost: bool = False
    done: bool = False


class ReconcileRun:
    """Runs reconcile steps for one bucket through the ports."""

    def __init__(
        self,
        bucket: str,
        ports: ReconcilePorts,
        repairer: Repairer,
        settings: RunSettings = RunSettings(),
        *,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._bucket = bucket
        self._versions = ports.versions
        self._partition = ports.partition
        self._repairer = repairer
        self._checkpoints = ports.checkpoints
        self._continuation = ports.continuation
        self._settings = settings
        self._clock = clock
        self._new_id = new_id
        self._pool: ThreadPoolExecutor | None = None

    def run(self, request: RunRequest, *, invocation_id: str, remaining_seconds: float) -> dict[str, Any]:
        """One step of the bucket's run; returns (and logs) its summary."""
        started = self._clock()
        deadline = started + self._budget(request, remaining_seconds)
        loaded = self._checkpoints.load(self._bucket)
        if request.action == STATUS:
            return self._summary(IDLE if loaded is None else loaded.status, loaded, None, started)
        claimed = self._claim(request, loaded, invocation_id, deadline)
        if isinstance(claimed, str):
            return self._summary(claimed, loaded, None, started)
        step = _Step(claimed, claimed.totals, started, deadline, claimed.cursor)
        self._work(step)
        if step.lost:
            return self._summary(LOST, step.checkpoint, step, started)
        if step.done:
            return self._finish(step)
        return self._hand_over(step, request)

    # -- claiming ----------------------------------------------------------------------------------

    def _budget(self, request: RunRequest, remaining: float) -> float:
        """Time this step may work: its budget, within the function's time left minus a margin for the
        last chunk's requests and the final checkpoint."""
        margin = min(30.0, max(2.0, remaining * 0.1))
        available = max(remaining - margin, 0.5)
        return min(request.budget_seconds or available, available)

    def _claim(
        self, request: RunRequest, loaded: Checkpoint | None, owner: str, deadline: float
    ) -> Checkpoint | str:
        now = self._clock()
        if request.action == CONTINUE and (
            loaded is None
            or loaded.run_id != request.run_id
            or loaded.status != RUNNING
            or loaded.token != request.token
        ):
            LOGGER.info("reconcile continuation of run %s is stale: nothing to do", request.run_id)
            return STALE
        if loaded is not None and loaded.leased_to_other(owner, now):
            return BUSY
        if request.action == CONTINUE:
            assert loaded is not None
            claimed = replace(loaded, hops=loaded.hops + 1)
        elif request.action == START or loaded is None or loaded.status != RUNNING:
            claimed = Checkpoint(
                run_id=self._new_id(),
                started_at=now,
                token=self._new_id(),
                last_complete=loaded.last_complete if loaded is not None else None,
            )
        else:
            claimed = replace(loaded, hops=0)
        claimed = replace(
            claimed,
            lease_owner=owner,
            lease_until=deadline + self._settings.lease_grace_seconds,
            invocations=claimed.invocations + 1,
            revision=(loaded.revision if loaded is not None else 0) + 1,
        )
        expected = loaded.revision if loaded is not None else None
        if not self._checkpoints.save(self._bucket, claimed, expected_revision=expected):
            return BUSY
        return claimed

    # -- working -----------------------------------------------------------------------------------

    def _work(self, step: _Step) -> None:
        states = walk(
            self._bucket,
            step.checkpoint.cursor,
            self._versions,
            self._partition,
            page_size=self._settings.page_size,
        )
        while self._clock() < step.deadline:
            chunk = list(islice(states, self._settings.page_size))
            if not chunk:
                step.done = True
                return
            cursor, complete = self._process(chunk, step)
            if not self._save(step, cursor=cursor):
                step.lost = True
                return
            if not complete:
                return

    def _process(self, chunk: list[KeyState], step: _Step) -> tuple[Cursor, bool]:
        """Repair what drifted in ``chunk``; the cursor after its completed prefix, and whether all of it."""
        outcomes = self._repairs(chunk, step.deadline)
        cursor = step.checkpoint.cursor
        for state, outcome in zip(chunk, outcomes, strict=True):
            if outcome is _NOT_STARTED:
                return cursor, False
            _tally(step.counts, state, outcome)
            cursor = Cursor(state.key, state.s3_marker)
        return cursor, True

    def _repairs(self, chunk: list[KeyState], deadline: float) -> list[Any]:
        """One outcome per state: None (nothing to repair), a RepairOutcome, or _NOT_STARTED (out of
        time before it started)."""

        def task(state: KeyState) -> Any:
            if self._clock() >= deadline:
                return _NOT_STARTED
            return self._repairer.repair(self._bucket, state)

        drifted = [state for state in chunk if state.drift is not None]
        if self._settings.workers <= 1 or len(drifted) <= 1:
            done: Iterator[Any] = map(task, drifted)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._settings.workers, thread_name_prefix="reconcile")
            done = self._pool.map(task, drifted)
        by_key = dict(zip((state.key for state in drifted), done, strict=True))
        return [by_key.get(state.key) for state in chunk]

    def _save(self, step: _Step, **changes: Any) -> bool:
        """Save the step's progress with ``changes``; False (and logged) when the lease was lost."""
        checkpoint = replace(
            step.checkpoint,
            **changes,
            totals=step.base.add(step.counts),
            revision=step.checkpoint.revision + 1,
        )
        if not self._checkpoints.save(self._bucket, checkpoint, expected_revision=step.checkpoint.revision):
            LOGGER.error(
                "reconcile of run %s lost its lease: another invocation took the run over", checkpoint.run_id
            )
            return False
        step.checkpoint = checkpoint
        return True

    # -- ending ------------------------------------------------------------------------------------

    def _finish(self, step: _Step) -> dict[str, Any]:
        now = self._clock()
        totals = step.base.add(step.counts)
        saved = self._save(
            step,
            status=COMPLETE,
            finished_at=now,
            lease_owner=None,
            lease_until=0.0,
            token=None,
            last_complete={
                "run_id": step.checkpoint.run_id,
                "finished_at": now,
                "seen": totals.seen,
                "elapsed_s": round(now - step.checkpoint.started_at, 3),
            },
        )
        return self._summary(COMPLETE if saved else LOST, step.checkpoint, step, step.started)

    def _hand_over(self, step: _Step, request: RunRequest) -> dict[str, Any]:
        if not self._save(step, lease_owner=None, lease_until=0.0, token=self._new_id()):
            return self._summary(LOST, step.checkpoint, step, step.started)
        continued = self._continue(step, request.budget_seconds) if request.chain else False
        return self._summary(PARTIAL, step.checkpoint, step, step.started, continued=continued)

    def _continue(self, step: _Step, budget_seconds: float | None) -> bool:
        """Start the run's next step (each step of a chain keeps the budget the chain began with)."""
        paused = step.checkpoint
        position = paused.cursor.position
        if paused.cursor == step.start_cursor:
            LOGGER.error(
                "reconcile of run %s made no progress within its budget: not continuing (the next run "
                "resumes after %r)",
                paused.run_id,
                position,
            )
            return False
        if paused.hops >= self._settings.max_continuations or self._continuation is None:
            LOGGER.warning(
                "reconcile of run %s stops after %d continuations in a row; the next run resumes after %r",
                paused.run_id,
                paused.hops,
                position,
            )
            return False
        request: dict[str, Any] = {"action": CONTINUE, "run_id": paused.run_id, "token": paused.token}
        if budget_seconds is not None:
            request["budget_seconds"] = budget_seconds
        payload = {"reconcile": request}
        try:
            self._continuation.start(payload)
        except Exception as err:  # throttling, a recursion stop...: the checkpoint is saved, nothing is lost
            LOGGER.warning(
                "reconcile of run %s could not start its continuation (%s: %s); "
                "the next run resumes after %r",
                paused.run_id,
                type(err).__name__,
                err,
                position,
            )
            return False
        return True

    def _summary(
        self,
        status: str,
        checkpoint: Checkpoint | None,
        step: _Step | None,
        started: float,
        *,
        continued: bool = False,
    ) -> dict[str, Any]:
        counts = step.counts if step is not None else Counts()
        summary = build_summary(
            self._bucket,
            status,
            checkpoint=checkpoint,
            counts=counts,
            duration=self._clock() - started,
            continued=continued,
        )
        LOGGER.info("reconcile summary", extra={"reconcile": summary})
        return summary


_NOT_STARTED = object()


def _tally(counts: Counts, state: KeyState, outcome: RepairOutcome | None) -> None:
    if state.exists:
        counts.seen += 1
    if state.catalogued:
        counts.entries += 1
    if outcome is not None:
        setattr(counts, outcome.outcome, getattr(counts, outcome.outcome) + 1)


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_summary(
    bucket: str,
    status: str,
    *,
    checkpoint: Checkpoint | None,
    counts: Counts,
    duration: float,
    continued: bool,
) -> dict[str, Any]:
    """The summary document of one invocation: its own counts at the top level, the run's under ``run``."""
    summary: dict[str, Any] = {
        "bucket": bucket,
        "status": status,
        "run_id": checkpoint.run_id if checkpoint is not None else None,
        **counts.as_dict(),
        "drift": counts.drift,
        "duration_ms": round(duration * 1000),
        "objects_per_second": round(counts.seen / duration, 1) if duration > 0 else 0.0,
        "continued": continued,
    }
    if checkpoint is None:
        return summary
    totals = checkpoint.totals
    last = checkpoint.last_complete or {}
    summary.update(
        position=checkpoint.cursor.position,
        expected_objects=last.get("seen"),
        run={
            **totals.as_dict(),
            "drift": totals.drift,
            "status": checkpoint.status,
            "invocations": checkpoint.invocations,
            "started_at": _iso(checkpoint.started_at),
            "finished_at": _iso(checkpoint.finished_at),
        },
    )
    if status == PARTIAL and checkpoint.token:
        summary["next"] = {"run_id": checkpoint.run_id, "token": checkpoint.token}
    return summary
