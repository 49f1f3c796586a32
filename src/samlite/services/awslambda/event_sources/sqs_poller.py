"""One SQS event-source mapping: a poller that reads the queue and invokes the function with batches.

What Lambda does (AWS Lambda Developer Guide: "Using Lambda with Amazon SQS", "Handling errors for an
SQS event source in Lambda", "Configuring maximum concurrency for Amazon SQS event sources", "Lambda
event source mappings"), and this poller the same way:
- it receives up to `BatchSize` messages; with `MaximumBatchingWindowInSeconds` it keeps receiving
  until the batch is full, the window (counted from the batch's first message) is over, or the event
  would pass the 6 MB payload quota; a message that does not fit waits for the next batch;
- received messages stay hidden for the queue's visibility timeout (longer with a batching window:
  `window + function timeout + 30 s` when `window + timeout` exceeds it); a batch that succeeds is
  deleted; one that fails is left to reappear once the visibility timeout is over, its
  `ApproximateReceiveCount` one higher, and the queue's redrive policy moves it to its dead-letter
  queue after `maxReceiveCount` receives (`samlite.services.sqs.lambda_reads`);
- with `ReportBatchItemFailures` only the listed messages are left, the others deleted
  (`batch_response` has the rules);
- a FIFO queue's batches hold one message group each, in order; SQS hands out no more of a group
  while a batch of it is in flight, so a failing group waits while others go on;
- at most `ScalingConfig.MaximumConcurrency` batches run at once (default 5, Lambda's initial number
  of concurrent pollers), never more than the function's reserved concurrency nor the 10 execution
  environments samlite's runtime keeps per function;
- `FilterCriteria`: a message that matches no filter is deleted as it is received, never sent
  (`filtering`);
- `Enabled: false` reads nothing;
- with `--chaos`, a batch may be delivered twice and delayed; on a standard queue also held back (so
  the next batch overtakes it) with its messages in reverse order; never reordered on a FIFO queue.
Every failure, partial failure and dead-letter move is a line in the function's log.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from samlite.events.sqs import SqsMessage, sqs_record
from samlite.services.awslambda.event_sources.batch_response import judge
from samlite.services.awslambda.event_sources.config import MappingConfig
from samlite.services.awslambda.event_sources.delivery import (
    Deliver,
    FunctionLog,
    chaos_decision,
    deliver_with_chaos,
    encode_event,
    fits,
    record_size,
    safe_deliver,
)
from samlite.services.awslambda.event_sources.filtering import Filters
from samlite.services.chaos import ORDERED_AT_LEAST_ONCE, UNORDERED_AT_LEAST_ONCE, Chaos
from samlite.services.sqs.lambda_reads import DeadLettered, QueueGone

DEFAULT_CONCURRENCY = 5
RUNTIME_ENVIRONMENTS = 10  # LambdaRuntime's default execution environments per function
# With nothing to wake it (no new message, no freed slot), a poller looks again this often: hidden
# messages come back and delays end without telling anyone.
IDLE_POLL_S = 1.0
BATCHING_WINDOW_EXTRA_S = 30


class Queue(Protocol):
    """What the poller needs of a queue (`samlite.services.sqs.lambda_reads.QueueReader`)."""

    name: str

    @property
    def arn(self) -> str: ...
    @property
    def visibility_timeout_s(self) -> int: ...
    @property
    def fifo(self) -> bool: ...
    def subscribe(self, wake: Callable[[], None]) -> Callable[[], None]: ...
    def receive(self, count: int, visibility_timeout_s: int) -> list[SqsMessage]: ...
    def delete(self, receipt_handle: str) -> bool: ...
    def release(self, receipt_handles: Any) -> int: ...
    def takeable(self) -> bool: ...
    def settled(self) -> bool: ...
    def next_change_in(self, message_ids: Any) -> float | None: ...
    def present(self, message_ids: Any) -> set[str]: ...


@dataclass(frozen=True)
class _Item:
    """A received message with its Lambda record and that record's share of the payload."""

    message: SqsMessage
    record: dict[str, Any]
    size: int


def concurrency_of(config: MappingConfig) -> int:
    limit = config.maximum_concurrency or DEFAULT_CONCURRENCY
    reserved = config.function.reserved_concurrency
    if reserved is not None:
        limit = min(limit, reserved)
    return max(0, min(limit, RUNTIME_ENVIRONMENTS))


class SqsPoller:
    """Polls one queue for one mapping (see module doc). `start()`, `idle()`, `reset()`, `stop()`."""

    def __init__(
        self,
        config: MappingConfig,
        queue: Queue,
        deliver: Deliver,
        *,
        log: FunctionLog,
        region: str,
        idle_poll_s: float = IDLE_POLL_S,
        chaos: Chaos | None = None,
    ) -> None:
        self.config = config
        self._queue = queue
        self._deliver = deliver
        self._log_line = log
        self._region = region
        self._idle_poll_s = idle_poll_s
        self._concurrency = concurrency_of(config)
        self._filters = Filters(config.kind, config.filter_patterns)
        self._chaos = chaos
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._running = 0  # batches being invoked
        self._gathering = False
        self._carry: list[_Item] = []  # received, not yet in a batch (did not fit the payload)
        self._ready: deque[list[_Item]] = deque()  # batches waiting for a free slot
        self._hidden: set[str] = set()  # ids of messages that failed, until they come back
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._unsubscribe: Callable[[], None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.config.enabled and self._concurrency > 0

    def start(self) -> None:
        if not self.active:
            if self.config.enabled:
                self._log(
                    f"reserved concurrency of {self.config.function.logical_id} is 0 (throttled): "
                    f"the mapping takes no message from {self._queue.name}"
                )
            return
        self._pool = ThreadPoolExecutor(
            self._concurrency, thread_name_prefix=f"samlite-sqs-{self.config.logical_id}"
        )
        self._unsubscribe = self._queue.subscribe(self._wake.set)
        self._thread = threading.Thread(
            target=self._run, name=f"samlite-sqs-poller-{self.config.logical_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float) -> None:
        """Stop polling; running invocations finish (up to `timeout`; after it their messages reappear
        once their visibility timeout is over, as on AWS). What was received and never given to the
        function (a batch still gathering, or waiting for a slot) is handed back to the queue, visible
        at once: the next start, or any other reader, gets it without waiting out the timeout."""
        with self._lock:
            self._stopping = True
        self._wake.set()
        deadline = time.monotonic() + timeout
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._thread is not None:
            self._thread.join(timeout)  # a batch being gathered ends in `_ready` (see `_gather`)
        with self._lock:
            held = [item for batch in self._ready for item in batch] + self._carry
            self._ready.clear()
            self._carry = []
        left = len(held)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            # Running invocations get until the deadline; after it the runtime stops their workers,
            # and their messages reappear after the visibility timeout.
            while self._running and time.monotonic() < deadline:
                time.sleep(0.01)
        if left:
            with contextlib.suppress(QueueGone):
                self._queue.release(item.message.receipt_handle for item in held)
            self._log(
                f"{left} message(s) received but not invoked when samlite stopped stay in "
                f"{self._queue.name}, visible again"
            )

    def reset(self) -> None:
        """Forget what was received (the queue was just purged)."""
        with self._lock:
            self._carry = []
            self._ready.clear()
            self._hidden.clear()
        self._wake.set()

    def idle(self) -> bool:
        """Nothing in flight, no visible message this mapping would take, none that will come back."""
        if not self.active or self._stopping:
            return True
        with self._lock:
            if self._running or self._gathering or self._carry or self._ready:
                return False
            hidden = set(self._hidden)
        try:
            if hidden:
                still = self._queue.present(hidden)
                with self._lock:
                    self._hidden -= hidden - still
                if still:
                    return False
            return self._queue.settled()
        except QueueGone:
            return True

    # -- the poller thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if self._dispatch_ready() and self._free_slots() > 0 and self._gather():
                    continue
                wait = self._queue.next_change_in(self._hidden_ids())
            except QueueGone:
                wait = self._idle_poll_s
            except Exception as error:  # a bug must not stop the mapping silently
                self._log(f"poller error {type(error).__name__}: {error}; polling goes on")
                wait = self._idle_poll_s
            self._wake.wait(self._idle_poll_s if wait is None else min(self._idle_poll_s, wait + 0.005))

    def _free_slots(self) -> int:
        with self._lock:
            return self._concurrency - self._running - len(self._ready)

    def _hidden_ids(self) -> set[str]:
        with self._lock:
            return set(self._hidden)

    def _dispatch_ready(self) -> bool:
        """Start waiting batches while slots are free; True when none is left waiting."""
        with self._lock:
            while self._ready and self._running < self._concurrency and not self._stopping:
                batch = self._ready.popleft()
                self._running += 1
                assert self._pool is not None
                self._pool.submit(self._invoke, batch)
            return not self._ready

    def _visibility_timeout(self) -> int:
        """The queue's, or `window + timeout + 30 s` when the batching window would outlast it."""
        queue_timeout = self._queue.visibility_timeout_s
        window = self.config.batching_window_s
        function_timeout = self.config.function.timeout
        if window and window + function_timeout > queue_timeout:
            return window + function_timeout + BATCHING_WINDOW_EXTRA_S
        return queue_timeout

    def _gather(self) -> list[list[_Item]]:
        """Queue the next batches: one for a standard queue (the batching window may wait for more),
        one per message group for a FIFO queue; none when the queue has nothing to give."""
        with self._lock:
            self._gathering = True
            items, self._carry = self._carry, []
        batches: list[list[_Item]] = []
        try:
            if self._queue.fifo:
                batches = _by_group(items or self._receive(self.config.batch_size))
            else:
                batch = self._fill(items)
                batches = [batch] if batch else []
            return batches
        finally:
            with self._lock:  # queued before `gathering` ends: never seen as idle in between
                self._ready.extend(batches)
                self._gathering = False

    def _fill(self, items: list[_Item]) -> list[_Item]:
        config = self.config
        window = config.batching_window_s
        batch: list[_Item] = []
        used = 0
        deadline: float | None = None
        while True:
            for item in items:
                if len(batch) < config.batch_size and fits(used, item.size):
                    batch.append(item)
                    used += item.size
                else:
                    with self._lock:
                        self._carry.append(item)
            with self._lock:
                capped = bool(self._carry)
            if len(batch) >= config.batch_size or capped or self._stopping:
                return batch
            if batch and not window:
                return batch
            if batch and deadline is None:
                deadline = time.monotonic() + window
            if deadline is not None and time.monotonic() >= deadline:
                return batch
            self._wake.clear()
            items = self._receive(config.batch_size - len(batch))
            if not items:
                if not batch or deadline is None:
                    return batch
                self._wake.wait(max(0.0, min(self._idle_poll_s, deadline - time.monotonic())))

    def _receive(self, count: int) -> list[_Item]:
        messages = self._queue.receive(count, self._visibility_timeout())
        items = []
        for message in messages:
            record = sqs_record(message, queue_arn=self.config.event_source_arn, region=self._region)
            if self._filters.keeps(record):
                items.append(_Item(message, record, record_size(record)))
            else:  # "Lambda automatically removes the message from the queue"
                self._queue.delete(message.receipt_handle)
                self._log(
                    f"message {message.message_id} filtered out by FilterCriteria (it matches none of the "
                    f"{len(self._filters)} filter(s)): deleted from {self._queue.name}, as Lambda does"
                )
        return items

    # -- one batch ----------------------------------------------------------------------------------

    def _invoke(self, batch: list[_Item]) -> None:
        try:
            self._invoke_batch(batch)
        except Exception as error:  # the messages come back after their visibility timeout
            self._log(
                f"batch of {len(batch)} message(s) not handled: internal error "
                f"{type(error).__name__}: {error}"
            )
            with self._lock:
                self._hidden.update(item.message.message_id for item in batch)
        finally:
            with self._lock:
                self._running -= 1
            self._wake.set()

    def _invoke_batch(self, batch: list[_Item]) -> None:
        config = self.config
        fifo = self._queue.fifo
        decision = chaos_decision(
            self._chaos,
            f"sqs>{config.logical_id}",
            ORDERED_AT_LEAST_ONCE if fifo else UNORDERED_AT_LEAST_ONCE,
            f"SQS batch of {len(batch)} message(s) from {self._queue.name} to {config.function.logical_id}",
        )
        records = [item.record for item in batch]
        if decision is not None and decision.held and not fifo:
            records.reverse()  # a standard queue promises no order within a batch either
        payload = encode_event({"Records": records})
        result = deliver_with_chaos(
            decision, lambda: safe_deliver(self._deliver, config, payload, self._log_line)
        )
        ids = [item.message.message_id for item in batch]
        outcome = judge(result, ids, report_item_failures=config.report_batch_item_failures)
        failed = set(outcome.failed)
        for index, item in enumerate(batch):
            if index in failed:
                with self._lock:
                    self._hidden.add(item.message.message_id)
            else:
                self._queue.delete(item.message.receipt_handle)
        if failed:
            self._log_failure(batch, outcome.whole, outcome.reason, len(failed))

    def _log_failure(self, batch: list[_Item], whole: bool, reason: str, failed: int) -> None:
        timeout = self._visibility_timeout()
        back = f"received again after the visibility timeout ({timeout} s)"
        if whole:
            self._log(f"batch of {len(batch)} message(s) from {self._queue.name} failed ({reason}): {back}")
        else:
            others = len(batch) - failed
            deleted = f"; the other {others} deleted" if others else ""
            self._log(
                f"batch of {len(batch)} message(s) from {self._queue.name}: {failed} reported failed "
                f"({reason}), {back}{deleted}"
            )

    # -- log ------------------------------------------------------------------------------------------

    def dead_lettered(self, moved: DeadLettered) -> None:
        """SQS moved a message to the dead-letter queue on this poller's receive."""
        self._log(
            f"message {moved.message_id} moved to the dead-letter queue {moved.dead_letter_queue_arn} "
            f"after {moved.receive_count} receives (maxReceiveCount {moved.max_receive_count} of "
            f"{self._queue.name})"
        )

    def _log(self, text: str) -> None:
        self._log_line(self.config.function.logical_id, f"samlite: {self.config.logical_id}: {text}")


def _by_group(items: list[_Item]) -> list[list[_Item]]:
    """One batch per FIFO message group, in the order the groups and their messages came."""
    groups: dict[str | None, list[_Item]] = {}
    for item in items:
        groups.setdefault(item.message.group_id, []).append(item)
    return list(groups.values())
