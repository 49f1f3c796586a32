"""One DynamoDB-stream or Kinesis event-source mapping: shard pollers that invoke the function in order.

What Lambda does (AWS Lambda Developer Guide: "Lambda event source mappings", "Using AWS Lambda with
Amazon DynamoDB", "Using AWS Lambda with Amazon Kinesis", "Configuring partial batch response with
Kinesis Data Streams and Lambda" and its DynamoDB twin), and these pollers the same way:
- each shard is read in order from its starting position (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`),
  one batch at a time; with `ParallelizationFactor` N, N batches of a shard run at once, records of
  one partition key always in the same one, so each key stays in order (`StreamRecord.lane`);
- a batch holds up to `BatchSize` records, within the 6 MB payload quota; with
  `MaximumBatchingWindowInSeconds` the poller waits (from the batch's first record) for a full batch;
- a batch that succeeds moves the checkpoint past it. One that fails blocks its shard: it is retried,
  with a growing delay (Lambda's backoff; samlite's starts at 50 ms and stops growing at 1 s), a log
  line at each retry, until it succeeds, `MaximumRetryAttempts` retries are spent, or its records are
  older than `MaximumRecordAgeInSeconds` (or the stream's retention): then it is given up, an
  invocation record goes to `DestinationConfig.OnFailure`, and the shard goes on;
- `BisectBatchOnFunctionError` splits a failed batch in two and retries the halves in order (a split
  does not count as a retry); a single record is retried as it is;
- with `ReportBatchItemFailures` the checkpoint moves to just before the lowest failed sequence
  number and processing resumes there: the rest of the batch is retried;
- a retried batch is the same batch (or the rest of it), not one grown by records that came since,
  so they are not given up with it;
- `FilterCriteria`: a record that matches no filter is skipped (the checkpoint moves past it) with a
  line in the log;
- `TumblingWindowInSeconds`: batches stay within one window, the function's `state` is carried from
  one invocation to the next, and a final invocation closes each window (`windows`);
- with `--chaos`, a batch may be delivered twice and delayed, never reordered (a shard is ordered);
- a mapping's position survives anything short of deleting it (on AWS, Lambda keeps each shard's
  checkpoint): `checkpoints()` gives each shard's position (the last sequence number done: processed,
  filtered out or given up), and `resume_from()`, before `start()`, reads each shard on from there
  instead of from `StartingPosition` (what `--persist` keeps across a restart).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from samlite.model import InvocationResult
from samlite.services.awslambda.event_sources.batch_response import BatchOutcome, judge
from samlite.services.awslambda.event_sources.config import INFINITE, MappingConfig
from samlite.services.awslambda.event_sources.delivery import (
    Deliver,
    FunctionLog,
    chaos_decision,
    deliver_with_chaos,
    encode_event,
    fits,
    safe_deliver,
)
from samlite.services.awslambda.event_sources.failure_records import (
    RECORD_AGE_EXCEEDED,
    RETRY_ATTEMPTS_EXHAUSTED,
    failure_message,
    failure_record,
)
from samlite.services.awslambda.event_sources.filtering import Filters
from samlite.services.awslambda.event_sources.windows import Window, window_start
from samlite.services.chaos import ORDERED_AT_LEAST_ONCE, Chaos
from samlite.services.stream_records import ShardSource, SourceGone, StreamRecord
from samlite.services.targets import SendToTarget

# Records read from a shard at once when only some of them belong to a lane (ParallelizationFactor).
_SCAN_CHUNK = 500
# Keep (a record goes to the function) or drop (FilterCriteria), and the reason for the log.
Keep = Callable[[MappingConfig, StreamRecord], bool]


@dataclass(frozen=True)
class StreamTimings:
    """Delays and clocks; tests shorten and replace them. `clock` is wall time in epoch seconds (the
    records' arrival times are), used for record age and tumbling windows."""

    retry_base_s: float = 0.05
    retry_cap_s: float = 1.0
    poll_interval_s: float | None = None  # default: the source's (Lambda's base rate of polling)
    clock: Callable[[], float] = time.time

    def retry_delay(self, attempts: int) -> float:
        return min(self.retry_cap_s, self.retry_base_s * 2 ** max(0, attempts - 1))


def _by_filter_criteria(config: MappingConfig) -> Keep:
    filters = Filters(config.kind, config.filter_patterns)
    return lambda _config, record: filters.keeps(record.record)


class StreamPoller:
    """Polls every shard of one stream for one mapping (see module doc)."""

    def __init__(
        self,
        config: MappingConfig,
        source: ShardSource,
        deliver: Deliver,
        *,
        log: FunctionLog,
        send_to_target: SendToTarget,
        function_arn: str,
        timings: StreamTimings | None = None,
        keep: Keep | None = None,
        chaos: Chaos | None = None,
    ) -> None:
        self.config = config
        self.source = source
        self.deliver = deliver
        self.log_line = log
        self.send_to_target = send_to_target
        self.function_arn = function_arn
        self.timings = timings or StreamTimings()
        self.keep = keep or _by_filter_criteria(config)
        self.chaos = chaos
        self._lock = threading.Lock()
        self._lanes: dict[tuple[str, int], _Lane] = {}
        self._stopping = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None
        self._watcher: threading.Thread | None = None
        self._resume: dict[str, list[int]] = {}  # per shard, its lanes' saved positions (resume_from)

    @property
    def poll_interval_s(self) -> float:
        return self.timings.poll_interval_s or self.source.poll_interval_s

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.config.enabled:
            return
        self._unsubscribe = self.source.subscribe(self._wake_shard)
        self._add_new_shards(initial=True)
        self._watcher = threading.Thread(
            target=self._watch_shards, name=f"samlite-stream-shards-{self.config.logical_id}", daemon=True
        )
        self._watcher.start()

    def stop(self, timeout: float) -> None:
        self._stopping.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        with self._lock:
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.wake.set()
        deadline = time.monotonic() + timeout
        for lane in lanes:
            lane.join(max(0.0, deadline - time.monotonic()))
        if self._watcher is not None:
            self._watcher.join(max(0.0, deadline - time.monotonic()))

    def checkpoints(self) -> dict[str, list[int]]:
        """Per shard, each lane's position (in lane order): the last sequence number done, 0 for none.
        A batch in flight, a retry or a split is not done: after a restart it is delivered again."""
        with self._lock:
            lanes = sorted(self._lanes.items())
        found: dict[str, list[int]] = {}
        for (shard_id, _), lane in lanes:
            found.setdefault(shard_id, []).append(lane.checkpoint())
        return found

    def resume_from(self, positions: Mapping[str, Sequence[int]]) -> None:
        """Before `start()`: each shard named is read on after its saved position (lane by lane; all
        lanes from the lowest when ParallelizationFactor changed: records may come again, never be
        skipped); a shard not named starts from `StartingPosition`."""
        self._resume = {shard: [int(p) for p in saved] for shard, saved in positions.items() if saved}

    def reset(self) -> None:
        """Back to a fresh mapping over what the stream holds now: retries, splits and windows dropped."""
        with self._lock:
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.reset()

    def idle(self) -> bool:
        """Every record delivered or given up, nothing in flight, no window left to close."""
        if not self.config.enabled or self._stopping.is_set():
            return True
        with self._lock:
            lanes = list(self._lanes.values())
        try:
            return all(lane.idle() for lane in lanes)
        except SourceGone:
            return True

    # -- shards -------------------------------------------------------------------------------------

    def _wake_shard(self, shard_id: str) -> None:
        with self._lock:
            lanes = [lane for (shard, _), lane in self._lanes.items() if shard == shard_id]
        for lane in lanes:
            lane.wake.set()

    def _watch_shards(self) -> None:
        """New shards (a split or merge on Kinesis) get their lanes, read from their first record."""
        while not self._stopping.wait(self.poll_interval_s):
            try:
                self._add_new_shards(initial=False)
            except SourceGone:
                continue

    def _add_new_shards(self, *, initial: bool) -> None:
        lanes = self.config.parallelization_factor
        for shard_id in self.source.shard_ids():
            with self._lock:
                known = (shard_id, 0) in self._lanes
            if known:
                continue
            position = self._starting_position(shard_id) if initial else 0
            resumed = self._resume.pop(shard_id, None) if initial else None
            for index in range(lanes):
                if resumed is not None:
                    position = self._resumed(shard_id, resumed, index)
                lane = _Lane(self, shard_id, index, position)
                with self._lock:
                    self._lanes[(shard_id, index)] = lane
                lane.start()

    def _resumed(self, shard_id: str, saved: list[int], index: int) -> int:
        """A lane's saved position, never past the shard's last record (the records saved with it may
        be older than the position: what came between them and a kill -9 is gone)."""
        position = saved[index] if len(saved) == self.config.parallelization_factor else min(saved)
        return min(position, self.source.latest(shard_id))

    def _starting_position(self, shard_id: str) -> int:
        position = self.config.starting_position
        if position == "LATEST":
            return self.source.latest(shard_id)
        if position == "AT_TIMESTAMP":
            return self.source.before(shard_id, float(self.config.starting_position_timestamp or 0))
        return 0

    # -- shared by the lanes --------------------------------------------------------------------------

    def log(self, text: str) -> None:
        self.log_line(self.config.function.logical_id, f"samlite: {self.config.logical_id}: {text}")

    def max_age_s(self) -> float:
        age = self.config.maximum_record_age_s
        return float(self.source.retention_s if age == INFINITE else min(age, self.source.retention_s))


class _Lane:
    """One shard, or one of its ParallelizationFactor lanes: a thread that reads it in order."""

    def __init__(self, poller: StreamPoller, shard_id: str, index: int, position: int) -> None:
        self.poller = poller
        self.config = poller.config
        self.shard_id = shard_id
        self.index = index
        self.lanes = poller.config.parallelization_factor
        self.wake = threading.Event()
        self._lock = threading.Lock()
        self.position = position  # the last sequence number done (0: none)
        self.splits: list[list[StreamRecord]] = []  # fixed batches to finish first, in order
        self.attempts = 0  # failed attempts of the batch starting at `attempt_head`
        self.attempt_head: int | None = None
        self.last_result: InvocationResult | None = None
        self.retry_at: float | None = None
        self.gathering_since: float | None = None  # the batching window's start
        self.window: Window | None = None
        self.busy = False
        self.generation = 0  # raised by reset(): an outcome of an older generation is dropped
        name = f"samlite-stream-{self.config.logical_id}-{shard_id}-{index}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    # -- state other threads read ---------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.generation += 1
            self.splits.clear()
            self.attempts, self.attempt_head, self.retry_at = 0, None, None
            self.window = None
            self.gathering_since = None
            with contextlib.suppress(SourceGone):
                self.position = max(self.position, self.poller.source.latest(self.shard_id))
        self.wake.set()

    def checkpoint(self) -> int:
        with self._lock:
            return self.position

    def idle(self) -> bool:
        with self._lock:
            if self.busy or self.splits or self.retry_at is not None or self.window is not None:
                return False
            position = self.position
        records, _ = self._read(position, 1)
        return not records

    # -- the lane's thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        stopping = self.poller._stopping
        while not stopping.is_set():
            self.wake.clear()
            try:
                wait = self._step()
            except SourceGone:
                wait = self.poller.poll_interval_s
            except Exception as error:  # a bug must not stop the shard silently
                self.poller.log(f"shard {self.shard_id}: poller error {type(error).__name__}: {error}")
                wait = self.poller.poll_interval_s
            if wait is None:
                wait = self.poller.poll_interval_s
            if wait > 0:
                self.wake.wait(wait)

    def _step(self) -> float | None:
        """Do the next thing: a retry that is due, a batch, a window to close. Returns how long to
        wait before the next step (0: go on at once; None: until woken or the next poll)."""
        with self._lock:
            if self.retry_at is not None:
                remaining = self.retry_at - time.monotonic()
                if remaining > 0:
                    return remaining
                self.retry_at = None
            from_split = bool(self.splits)
            position = self.position
            batch = list(self.splits[0]) if from_split else None
        if batch is None:
            found = self._next_read(position)
            if not isinstance(found, tuple):
                return found
            batch, examined = found
        else:
            examined = batch[-1].sequence_number
        return self._process(batch, examined, from_split)

    def _next_read(self, position: int) -> tuple[list[StreamRecord], int] | float | None:
        """The next batch read from the shard, or how long to wait for one."""
        config = self.config
        records, examined = self._read(position, config.batch_size)
        window = self.window
        if window is not None and (not records or not window.holds(records[0].arrival)):
            if records or self.poller.timings.clock() >= window.end:
                return self._close_window()
            return max(0.0, min(self.poller.poll_interval_s, window.end - self.poller.timings.clock()))
        if not records:
            if examined > position:
                with self._lock:
                    self.position = examined  # only other lanes' records: nothing for this one
            return None
        batch, cut = self._cut(records)
        if cut:
            examined = batch[-1].sequence_number
        elif config.batching_window_s and len(batch) < config.batch_size:
            now = time.monotonic()
            if self.gathering_since is None:
                self.gathering_since = now
            remaining = self.gathering_since + config.batching_window_s - now
            if remaining > 0:
                return min(remaining, self.poller.poll_interval_s)
        self.gathering_since = None
        return batch, examined

    def _read(self, position: int, limit: int) -> tuple[list[StreamRecord], int]:
        """Up to `limit` of this lane's records after `position`, and the last sequence number examined."""
        source = self.poller.source
        if self.lanes == 1:
            records = source.read(self.shard_id, position, limit)
            return records, (records[-1].sequence_number if records else position)
        own: list[StreamRecord] = []
        cursor = position
        while len(own) < limit:
            chunk = source.read(self.shard_id, cursor, _SCAN_CHUNK)
            if not chunk:
                break
            for record in chunk:
                cursor = record.sequence_number
                if record.lane(self.lanes) == self.index:
                    own.append(record)
                    if len(own) == limit:
                        break
        return own, cursor

    def _cut(self, records: list[StreamRecord]) -> tuple[list[StreamRecord], bool]:
        """The records that fit one invocation: the 6 MB quota, and one tumbling window."""
        batch: list[StreamRecord] = []
        used = 0
        length = self.config.tumbling_window_s
        start = window_start(records[0].arrival, length) if length else None
        for record in records:
            if not fits(used, record.size):
                return batch or [record], True
            if start is not None and window_start(record.arrival, length) != start:
                return batch, True
            batch.append(record)
            used += record.size
        return batch, False

    # -- one batch ----------------------------------------------------------------------------------

    def _process(self, batch: list[StreamRecord], examined: int, from_split: bool) -> float | None:
        poller = self.poller
        batch = self._drop_expired(batch, from_split)
        if not batch:
            return 0
        kept = []
        for record in batch:
            if poller.keep(self.config, record):
                kept.append(record)
            else:
                poller.log(
                    f"record {record.sequence_text} of shard {self.shard_id} filtered out by FilterCriteria "
                    "(it matches no filter): skipped"
                )
        if not kept:
            self._done(batch, examined, from_split)
            return 0
        with self._lock:
            self.busy = True
            generation = self.generation
        try:
            outcome = self._invoke(kept)
        finally:
            with self._lock:
                self.busy = False
        if generation != self.generation:
            return 0  # reset while the function ran: what it was given no longer matters
        if outcome.succeeded:
            self._done(batch, examined, from_split)
            if self.window is not None and self.window.terminated_early:
                return self._close_window()
            return 0
        return self._failed(kept, outcome, from_split)

    def _invoke(self, records: list[StreamRecord]) -> BatchOutcome:
        config = self.config
        if config.tumbling_window_s:
            if self.window is None:
                self.window = Window(
                    window_start(records[0].arrival, config.tumbling_window_s), config.tumbling_window_s
                )
            event = self.window.event(
                [r.record for r in records],
                shard_id=self.shard_id,
                stream_arn=config.event_source_arn,
                final=False,
            )
        else:
            event = {"Records": [r.record for r in records]}
        decision = chaos_decision(
            self.poller.chaos,
            f"{config.kind}>{config.logical_id}>{self.shard_id}",
            ORDERED_AT_LEAST_ONCE,
            f"{config.kind} batch of {len(records)} record(s) from shard {self.shard_id} to "
            f"{config.function.logical_id}",
        )
        payload = encode_event(event)
        result = deliver_with_chaos(
            decision, lambda: safe_deliver(self.poller.deliver, config, payload, self.poller.log_line)
        )
        self.last_result = result
        outcome = judge(
            result,
            [r.sequence_text for r in records],
            report_item_failures=config.report_batch_item_failures,
            needs_state=bool(config.tumbling_window_s),
        )
        if outcome.succeeded and self.window is not None:
            self.window.keep(outcome.state)
        return outcome

    def _done(self, batch: Sequence[StreamRecord], examined: int, from_split: bool) -> None:
        with self._lock:
            self.position = max(self.position, examined, batch[-1].sequence_number)
            if from_split and self.splits:
                self.splits.pop(0)
            self.attempts, self.attempt_head = 0, None

    def _failed(self, records: list[StreamRecord], outcome: BatchOutcome, from_split: bool) -> float | None:
        config = self.config
        poller = self.poller
        head = records[0].sequence_number
        remaining = records
        if not outcome.whole:
            lowest = outcome.failed[0]
            remaining = records[lowest:]
            if lowest:
                with self._lock:
                    self.position = max(self.position, records[lowest - 1].sequence_number)
        with self._lock:
            self.attempts = (
                self.attempts + 1 if self.attempt_head in (head, remaining[0].sequence_number) else 1
            )
            self.attempt_head = remaining[0].sequence_number
            attempts = self.attempts
        described = f"batch of {len(records)} record(s) from shard {self.shard_id} ({_span(records)})"
        if outcome.whole and config.bisect_batch_on_function_error and len(records) > 1:
            half = len(records) // 2
            self._replace_split(from_split, [records[:half], records[half:]])
            with self._lock:
                self.attempts, self.attempt_head = 0, None
            poller.log(
                f"{described} failed ({outcome.reason}); split in two (BisectBatchOnFunctionError): "
                f"{half} and {len(records) - half} record(s); the shard waits for them"
            )
            return 0
        self._replace_split(from_split, [remaining])  # retried as it is, not grown by newer records
        retries = config.maximum_retry_attempts
        if retries != INFINITE and attempts > retries:
            self._give_up(remaining, RETRY_ATTEMPTS_EXHAUSTED, attempts, f"after {attempts} attempt(s)")
            return 0
        delay = poller.timings.retry_delay(attempts)
        limit = "" if retries == INFINITE else f" of {retries + 1}"
        poller.log(
            f"{described} failed ({outcome.reason}), attempt {attempts}{limit}; retrying "
            f"{_span(remaining)} in {delay:g} s: the shard is blocked until it succeeds or is given up"
        )
        with self._lock:
            self.retry_at = time.monotonic() + delay
        return delay

    def _replace_split(self, from_split: bool, batches: list[list[StreamRecord]]) -> None:
        with self._lock:
            if from_split and self.splits:
                self.splits.pop(0)
            self.splits[0:0] = [b for b in batches if b]

    def _drop_expired(self, batch: list[StreamRecord], from_split: bool) -> list[StreamRecord]:
        """Records older than MaximumRecordAgeInSeconds (or the retention) are given up unsent."""
        max_age = self.poller.max_age_s()
        now = self.poller.timings.clock()
        expired = 0
        while expired < len(batch) and now - batch[expired].arrival > max_age:
            expired += 1
        if not expired:
            return batch
        old, rest = batch[:expired], batch[expired:]
        if from_split:
            with self._lock:
                if self.splits:
                    self.splits[0] = rest
                    if not rest:
                        self.splits.pop(0)
        with self._lock:
            attempts = self.attempts if self.attempt_head == old[0].sequence_number else 0
        self._give_up(
            old,
            RECORD_AGE_EXCEEDED,
            attempts,
            f"older than {max_age:g} s (MaximumRecordAgeInSeconds)",
            split=False,
        )
        return rest

    def _give_up(
        self, records: list[StreamRecord], condition: str, attempts: int, why: str, *, split: bool = True
    ) -> None:
        poller = self.poller
        config = self.config
        destination = config.on_failure_arn
        if destination:
            document = failure_record(
                records=records,
                shard_id=self.shard_id,
                stream_arn=config.event_source_arn,
                batch_info_key=poller.source.batch_info_key,
                function_arn=poller.function_arn,
                condition=condition,
                invoke_count=attempts,
                last_result=self.last_result if attempts else None,
                now=poller.timings.clock(),
            )
            poller.send_to_target(destination, failure_message(document))
            where = f"batch details sent to the on-failure destination {destination}"
        else:
            where = "discarded (no DestinationConfig.OnFailure)"
        poller.log(
            f"{len(records)} record(s) of shard {self.shard_id} ({_span(records)}) given up {why} "
            f"({condition}): {where}"
        )
        with self._lock:
            self.position = max(self.position, records[-1].sequence_number)
            if split and self.splits and self.splits[0] and self.splits[0][0] == records[0]:
                self.splits.pop(0)
            self.attempts, self.attempt_head = 0, None

    # -- tumbling windows -----------------------------------------------------------------------------

    def _close_window(self) -> float | None:
        """The window's final invocation; retried like a batch until it succeeds or is given up."""
        window = self.window
        assert window is not None
        config = self.config
        event = window.event([], shard_id=self.shard_id, stream_arn=config.event_source_arn, final=True)
        with self._lock:
            self.busy = True
            generation = self.generation
        try:
            result = safe_deliver(self.poller.deliver, config, encode_event(event), self.poller.log_line)
        finally:
            with self._lock:
                self.busy = False
        if generation != self.generation:
            return 0
        if not result.failed:
            with self._lock:
                self.window, self.attempts, self.attempt_head = None, 0, None
            return 0
        with self._lock:
            self.attempts += 1
            attempts = self.attempts
        retries = config.maximum_retry_attempts
        if retries != INFINITE and attempts > retries:
            self.poller.log(
                f"final invocation of the window {event['window']['start']} of shard {self.shard_id} failed "
                f"{attempts} time(s) (RetryAttemptsExhausted): its state is dropped"
            )
            with self._lock:
                self.window, self.attempts = None, 0
            return 0
        delay = self.poller.timings.retry_delay(attempts)
        self.poller.log(
            f"final invocation of the window {event['window']['start']} of shard {self.shard_id} failed "
            f"({result.error_type}), attempt {attempts}; retrying in {delay:g} s: the shard is blocked"
        )
        with self._lock:
            self.retry_at = time.monotonic() + delay
        return delay


def _span(records: Sequence[StreamRecord]) -> str:
    if len(records) == 1:
        return f"sequence number {records[0].sequence_text}"
    return f"sequence numbers {records[0].sequence_text} to {records[-1].sequence_text}"
