"""Chaos delivery: asynchronous deliveries duplicated, reordered and delayed, within what AWS promises.

AWS delivers S3 notifications, SNS messages, EventBridge events, SQS messages and asynchronous
invocations at least once and, except for FIFO queues, FIFO topics and stream shards, in no
guaranteed order ("Amazon S3 Event Notifications": "Event notifications are ... delivered at least
once"; "Invoking a Lambda function asynchronously": "your function can receive the same event
multiple times"; "Amazon EventBridge ... at-least-once"; SQS "Amazon SQS standard queues": "at-least-once
delivery ... best-effort ordering"). A local run delivers each exactly once and in order, so code that
would break on AWS passes every local test. `--chaos duplicate=P,reorder=P,delay=MS[,seed=N]` makes
that difference visible, and never goes beyond what the channel's `Contract` allows:

- `duplicate=P`: with probability P the delivery is made twice;
- `reorder=P`: with probability P it is held back and released after the next delivery on the same
  channel that is not held (or after a short window when none comes), latest first, so they arrive
  in the opposite order;
- `delay=MS`: every delivery waits a random time between 0 and MS milliseconds (`50`, `50ms`, `0.5s`);
  on an ordered channel the waits never overtake one another;
- `seed=N`: the decisions of each channel follow from N and the channel's name, so a run can be
  repeated; without it a seed is drawn and logged once.

Every duplicate and reorder is logged with the delivery it concerns (delays are too frequent to log
one by one; the first line says they apply). Two ways to use it:

- `Chaos.deliver(channel, contract, what, send)`: for pushed deliveries (S3, SNS, EventBridge):
  `send()` is called once, twice, later, or after the next one, on the chaos thread;
- `Chaos.decide(channel, contract, what)`: the `Decision` alone (logged), for a poller that applies
  it itself (e.g. delivering a message twice in a batch, or holding it for the next poll).

`wait_idle()` is false while deliveries are held or delayed; `close()` sends whatever is still held at
once (nothing is lost because samlite stops) and stops the thread.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from samlite.errors import SamliteError

__all__ = [
    "ORDERED_AT_LEAST_ONCE",
    "ORDERED_EXACTLY_ONCE",
    "UNORDERED_AT_LEAST_ONCE",
    "Chaos",
    "ChaosPolicy",
    "ChaosSpecError",
    "Contract",
    "Decision",
]

# How long a held (reordered) delivery waits for a later one on its channel before it goes anyway.
MIN_REORDER_WINDOW_S = 0.1


class ChaosSpecError(SamliteError, ValueError):
    """A `--chaos` value that cannot be read; the message names the key or value."""


@dataclass(frozen=True)
class Contract:
    """What a delivery channel's AWS contract allows chaos to do: `duplicates` (at-least-once
    delivery) and `reorder` (no ordering promise). Delays are always allowed; on a channel that may
    not be reordered they keep their order."""

    duplicates: bool = True
    reorder: bool = True


# S3 notifications, SNS standard topics, EventBridge, SQS standard queues, Lambda async invocation.
UNORDERED_AT_LEAST_ONCE = Contract(duplicates=True, reorder=True)
# SQS FIFO queues and stream shards: redelivered on retry, never out of order.
ORDERED_AT_LEAST_ONCE = Contract(duplicates=True, reorder=False)
# SNS FIFO topics (deduplicated, ordered per message group).
ORDERED_EXACTLY_ONCE = Contract(duplicates=False, reorder=False)


@dataclass(frozen=True)
class ChaosPolicy:
    """Probabilities of duplicating and reordering a delivery, the longest delay, and the seed."""

    duplicate: float = 0.0
    reorder: float = 0.0
    delay_ms: float = 0.0
    seed: int | None = None

    @classmethod
    def parse(cls, text: str) -> ChaosPolicy:
        """`duplicate=0.1,reorder=0.2,delay=50ms,seed=7` (any subset, any order)."""
        values: dict[str, float | int] = {}
        items = [item.strip() for item in str(text).split(",") if item.strip()]
        if not items:
            raise ChaosSpecError("--chaos: give at least one of duplicate=P, reorder=P, delay=MS, seed=N")
        for item in items:
            key, sep, value = (part.strip() for part in item.partition("="))
            if not sep or not value:
                raise ChaosSpecError(f"--chaos: {item!r} is not KEY=VALUE (duplicate, reorder, delay, seed)")
            if key in values:
                raise ChaosSpecError(f"--chaos: {key} is given twice")
            values[key] = _read(key, value)
        return cls(
            duplicate=float(values.get("duplicate", 0.0)),
            reorder=float(values.get("reorder", 0.0)),
            delay_ms=float(values.get("delay", 0.0)),
            seed=int(values["seed"]) if "seed" in values else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.duplicate or self.reorder or self.delay_ms)

    def describe(self) -> str:
        return f"duplicate={self.duplicate:g},reorder={self.reorder:g},delay={self.delay_ms:g}ms"


def _read(key: str, value: str) -> float | int:
    if key in ("duplicate", "reorder"):
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0.0 <= number <= 1.0:
            raise ChaosSpecError(f"--chaos: {key}={value!r} must be a probability between 0 and 1")
        return number
    if key == "delay":
        found = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?", value)
        if found is None:
            raise ChaosSpecError(f"--chaos: delay={value!r} must be a duration such as 50, 50ms or 0.5s")
        amount = float(found[1])
        return amount * 1000.0 if found[2] == "s" else amount
    if key == "seed":
        try:
            return int(value)
        except ValueError:
            raise ChaosSpecError(f"--chaos: seed={value!r} must be a whole number") from None
    raise ChaosSpecError(f"--chaos: unknown key {key!r} (duplicate, reorder, delay, seed)")


@dataclass(frozen=True)
class Decision:
    """What chaos does to one delivery: how many `copies` (1 or 2), whether it is `held` back to come
    after the next one, and how long it waits (`delay_s`, one per copy)."""

    copies: int = 1
    held: bool = False
    delay_s: tuple[float, ...] = (0.0,)


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    send: Callable[[], None] = field(compare=False)
    what: str = field(compare=False)
    counted: bool = field(compare=False, default=True)  # a delivery (False: a release timer)


@dataclass
class _Channel:
    rng: random.Random
    last_due: float = 0.0  # ordered channels: no delivery is released before the previous one
    held: list[tuple[Callable[[], None], str]] = field(default_factory=list)
    hold_deadline: float = 0.0


class Chaos:
    """Applies a `ChaosPolicy` to deliveries (see the module doc). Thread-safe."""

    def __init__(
        self,
        policy: ChaosPolicy,
        *,
        log: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.seed = policy.seed if policy.seed is not None else secrets.randbelow(2**31)
        self._log = log
        self._clock = clock
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        self._channels: dict[str, _Channel] = {}
        self._due: list[_Due] = []
        self._seq = itertools.count()
        self._outstanding = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._window = max(MIN_REORDER_WINDOW_S, 2 * policy.delay_ms / 1000.0)
        log(
            f"samlite: chaos on ({policy.describe()}, seed {self.seed}): deliveries are duplicated, "
            "reordered and delayed within each one's AWS delivery contract"
        )

    # -- deciding ------------------------------------------------------------------------------------

    def decide(self, channel: str, contract: Contract, what: str) -> Decision:
        """The decision for one delivery on `channel`, logged when it duplicates or reorders."""
        with self._lock:
            return self._decide(self._channel(channel), contract, what)

    def _decide(self, state: _Channel, contract: Contract, what: str) -> Decision:
        rng, policy = state.rng, self.policy
        # Every draw is made whatever the contract, so a channel's sequence depends only on its seed.
        duplicate, reorder = rng.random() < policy.duplicate, rng.random() < policy.reorder
        delays = (rng.uniform(0.0, policy.delay_ms) / 1000.0, rng.uniform(0.0, policy.delay_ms) / 1000.0)
        copies = 2 if duplicate and contract.duplicates else 1
        held = reorder and contract.reorder
        if copies == 2:
            self._log(f"samlite: chaos: delivering twice: {what}")
        if held:
            self._log(f"samlite: chaos: holding back, to arrive after the next one: {what}")
        return Decision(copies=copies, held=held, delay_s=delays[:copies])

    def _channel(self, channel: str) -> _Channel:
        state = self._channels.get(channel)
        if state is None:
            state = _Channel(rng=random.Random(f"{self.seed}:{channel}"))
            self._channels[channel] = state
        return state

    # -- delivering ----------------------------------------------------------------------------------

    def deliver(self, channel: str, contract: Contract, what: str, send: Callable[[], None]) -> None:
        """Deliver through chaos: `send()` runs on the chaos thread, once or twice, now or later.
        Returns at once (safe on the endpoint's request threads)."""
        with self._lock:
            if self._closed:
                sending_now = True
            else:
                sending_now = False
                self._schedule(channel, contract, what, send)
        if sending_now:
            self._run(send, what)

    def _schedule(self, channel: str, contract: Contract, what: str, send: Callable[[], None]) -> None:
        state = self._channel(channel)
        decision = self._decide(state, contract, what)
        now = self._clock()
        if decision.held:  # joins what is held already: all go after the next delivery that is not held
            self._outstanding += decision.copies
            state.held.extend([(send, what)] * decision.copies)
            state.hold_deadline = now + self._window
            self._push(state.hold_deadline, lambda: self._release_expired(channel), "", counted=False)
            return
        last = now
        for delay in decision.delay_s:
            at = now + delay
            if not contract.reorder:
                at = max(at, state.last_due)
                state.last_due = at
            last = max(last, at)
            self._push(at, send, what)
        # The held ones go right after the delivery they were held for, latest first.
        released, state.held = state.held, []
        for held_send, held_what in reversed(released):
            self._outstanding -= 1  # counted again by _push
            self._push(last, held_send, held_what)

    def _release_expired(self, channel: str) -> None:
        with self._lock:
            state = self._channels[channel]
            if not state.held or self._clock() < state.hold_deadline:
                return
            held, state.held = state.held, []
            for send, what in reversed(held):  # latest first: the order they came in is undone
                self._outstanding -= 1
                self._push(self._clock(), send, what)

    def _push(self, at: float, send: Callable[[], None], what: str, *, counted: bool = True) -> None:
        if counted:
            self._outstanding += 1
        heapq.heappush(self._due, _Due(at, next(self._seq), send, what, counted))
        if self._thread is None:
            self._thread = threading.Thread(target=self._run_due, name="samlite-chaos", daemon=True)
            self._thread.start()
        self._wakeup.notify()

    def _run_due(self) -> None:
        with self._lock:
            while not self._closed:
                if not self._due:
                    self._wakeup.wait()
                    continue
                wait = self._due[0].at - self._clock()
                if wait > 0:
                    self._wakeup.wait(wait)
                    continue
                item = heapq.heappop(self._due)
                self._lock.release()
                try:
                    self._run(item.send, item.what)
                finally:
                    self._lock.acquire()
                if item.counted:
                    self._finished_one()

    def _run(self, send: Callable[[], None], what: str) -> None:
        try:
            send()
        except Exception as error:  # a delivery's failure is the delivery's to log; never the thread's end
            self._log(f"samlite: chaos: delivery failed: {what}: {type(error).__name__}: {error}")

    def _finished_one(self) -> None:
        self._outstanding -= 1
        if self._outstanding <= 0:
            self._outstanding = 0
            self._idle.notify_all()

    # -- waiting and stopping ------------------------------------------------------------------------

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once nothing is held or delayed (what was sent may still be running elsewhere)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._outstanding, timeout)

    @property
    def pending(self) -> int:
        """Deliveries held or delayed right now."""
        with self._lock:
            return self._outstanding

    def close(self) -> None:
        """Send everything still held or delayed now, in due order, and stop the chaos thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            due = sorted(item for item in self._due if item.counted)
            held = [entry for state in self._channels.values() for entry in state.held]
            self._due.clear()
            for state in self._channels.values():
                state.held = []
            self._outstanding = 0
            self._wakeup.notify_all()
            self._idle.notify_all()
            thread = self._thread
        for item in due:
            self._run(item.send, item.what)
        for send, what in held:
            self._run(send, what)
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)
