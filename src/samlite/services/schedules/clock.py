"""The clock that fires schedules while the local cloud runs, and fires one on demand.

It looks at what exists in the embedded AWS (scheduled rules and EventBridge Scheduler schedules,
whether the template made them or an API call did), at least once a second, and fires each enabled one
when its expression says (`expressions`). What AWS documents, followed here:
- a rule's `rate()` starts when the rule is created (here: when the clock first sees it), cron in UTC;
- a Scheduler schedule evaluates cron and `at()` in its `ScheduleExpressionTimezone`, runs only between
  its `StartDate` and `EndDate`, and with `FlexibleTimeWindow` `FLEXIBLE` runs at a random moment
  within `MaximumWindowInMinutes` after the scheduled time ("Configuring flexible time windows");
- a disabled rule or schedule does not run on its own; `fire_now` runs it anyway (that is what
  `samlite trigger` is for).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from samlite.services.schedules.expressions import (
    At,
    Cron,
    Rate,
    ScheduleExpressionError,
    parse_schedule,
    zone_of,
)

TICK_S = 1.0  # how often the clock looks for schedules created or changed since


@dataclass(frozen=True)
class ScheduleEntry:
    """One schedule as found in the embedded AWS."""

    arn: str
    kind: str  # "rule" (a scheduled EventBridge rule) or "schedule" (EventBridge Scheduler)
    name: str
    expression: str
    enabled: bool
    timezone: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    window_minutes: int = 0
    source: Any = field(default=None, compare=False)  # moto's Rule or Schedule


@dataclass
class _Track:
    expression: str
    timezone: str | None
    parsed: Rate | Cron | At | None
    error: str | None
    origin: datetime
    next_run: datetime | None = None  # the scheduled time
    fire_at: datetime | None = None  # the scheduled time plus the flexible window's offset
    said: bool = False


class ScheduleClock:
    """Fires due schedules on its own thread; `fire_now(arn)` fires one at once."""

    def __init__(
        self,
        *,
        scan: Callable[[], list[ScheduleEntry]],
        fire: Callable[[ScheduleEntry, datetime], None],
        log: Callable[[str], None],
        label: Callable[[ScheduleEntry], str] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        seed: int | None = None,
    ) -> None:
        self._scan = scan
        self._fire = fire
        self._log = log
        self._label = label or (lambda entry: entry.name)
        self._now = now
        self._rng = random.Random(seed)
        self._tracks: dict[str, _Track] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Log what is scheduled (disabled ones said as such) and start firing."""
        for line in self.describe():
            self._log(line)
        self._thread = threading.Thread(target=self._run, name="samlite-schedules", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)

    def describe(self) -> list[str]:
        now = self._now()
        lines = []
        for entry in sorted(self._scan(), key=self._label):
            track = self._track(entry, now)
            kind = "rule" if entry.kind == "rule" else "EventBridge Scheduler schedule"
            where = f" in {entry.timezone}" if entry.timezone and entry.timezone != "UTC" else ""
            head = f"samlite: schedule {self._label(entry)} ({kind} {entry.name}): {entry.expression}{where}"
            if track.error is not None:
                lines.append(f"{head}: never runs: {track.error}")
            elif not entry.enabled:
                lines.append(f"{head}: DISABLED, does not run on its own (samlite trigger fires it)")
            elif track.next_run is None:
                lines.append(f"{head}: no run left")
            else:
                flexible = (
                    f", within {entry.window_minutes} min (flexible window)" if entry.window_minutes else ""
                )
                lines.append(f"{head}: next run {track.next_run:%Y-%m-%dT%H:%M:%SZ}{flexible}")
        return lines

    def next_runs(self) -> dict[str, datetime | None]:
        """ARN -> the next scheduled run of every schedule the clock tracks (None: none left, or its
        expression never runs), for the console; disabled ones included (they do not fire on their own)."""
        with self._lock:
            return {arn: track.next_run for arn, track in self._tracks.items()}

    def fire_now(self, entry: ScheduleEntry) -> datetime:
        """Run `entry` now, whatever its state; returns the time it ran with."""
        when = self._now().replace(microsecond=0)
        self._fire(entry, when)
        return when

    # -- the clock ------------------------------------------------------------------------------------

    def _run(self) -> None:
        timeout = 0.0
        while not self._stop.wait(timeout):
            timeout = TICK_S
            try:
                timeout = self._tick()
            except Exception as error:  # the clock must keep running
                self._log(f"samlite: schedules: internal error {type(error).__name__}: {error}")

    def _tick(self) -> float:
        now = self._now()
        earliest = TICK_S
        seen = set()
        for entry in self._scan():
            seen.add(entry.arn)
            track = self._track(entry, now)
            if not entry.enabled or track.fire_at is None:
                continue
            if track.fire_at <= now:
                scheduled = track.next_run or now
                self._advance(entry, track, scheduled)
                self._fire(entry, scheduled)
                continue
            earliest = min(earliest, (track.fire_at - now).total_seconds())
        with self._lock:
            for arn in set(self._tracks) - seen:
                del self._tracks[arn]
        return max(0.01, earliest)

    def _track(self, entry: ScheduleEntry, now: datetime) -> _Track:
        with self._lock:
            track = self._tracks.get(entry.arn)
            if track is not None and (track.expression, track.timezone) == (entry.expression, entry.timezone):
                return track
            try:
                parsed: Rate | Cron | At | None = parse_schedule(
                    entry.expression, allow_at=entry.kind == "schedule"
                )
                zone_of(entry.timezone)
                error = None
            except ScheduleExpressionError as problem:
                parsed, error = None, str(problem)
            origin = entry.start if entry.kind == "schedule" and entry.start is not None else now
            track = _Track(entry.expression, entry.timezone, parsed, error, origin)
            self._tracks[entry.arn] = track
            self._schedule_next(entry, track, now)
            if error is not None and not track.said:
                track.said = True
                self._log(f"samlite: schedule {self._label(entry)} never runs: {error}")
            return track

    def _advance(self, entry: ScheduleEntry, track: _Track, scheduled: datetime) -> None:
        with self._lock:
            self._schedule_next(entry, track, scheduled)

    def _schedule_next(self, entry: ScheduleEntry, track: _Track, after: datetime) -> None:
        """Set the run after `after` (and its moment within a flexible window), within StartDate / EndDate."""
        parsed, zone = track.parsed, zone_of(entry.timezone) if track.error is None else None
        next_run: datetime | None = None
        if parsed is not None and zone is not None:
            floor = max(after, entry.start - timedelta(microseconds=1)) if entry.start else after
            if isinstance(parsed, Rate):
                next_run = parsed.next_after(floor, track.origin)
            else:
                next_run = parsed.next_after(floor, zone)
            if next_run is not None and entry.end is not None and next_run > entry.end:
                next_run = None
        track.next_run = next_run
        offset = self._rng.uniform(0.0, entry.window_minutes * 60.0) if entry.window_minutes else 0.0
        track.fire_at = next_run + timedelta(seconds=offset) if next_run is not None else None
