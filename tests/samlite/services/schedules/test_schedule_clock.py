"""The schedule clock, on a clock the test moves: when each schedule runs, and what it says at start.

Pages: "Schedule expressions for rules" (a rate starts when the rule is created), "Configuring
flexible time windows", "Schedule types on EventBridge Scheduler" (StartDate, EndDate, at()),
EventBridge Scheduler User Guide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samlite.services.schedules.clock import ScheduleClock, ScheduleEntry

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def setup(
    *entries: ScheduleEntry, seed: int = 1
) -> tuple[ScheduleClock, Clock, list[tuple[str, datetime]], list[str]]:
    clock, fired, logs = Clock(), [], []
    schedules = ScheduleClock(
        scan=lambda: list(entries),
        fire=lambda entry, when: fired.append((entry.name, when)),
        log=logs.append,
        now=clock,
        seed=seed,
    )
    return schedules, clock, fired, logs


def rule(name: str, expression: str, enabled: bool = True) -> ScheduleEntry:
    return ScheduleEntry(
        arn=f"arn:aws:events:us-east-1:1:rule/{name}",
        kind="rule",
        name=name,
        expression=expression,
        enabled=enabled,
    )


def schedule(name: str, expression: str, **extra: object) -> ScheduleEntry:
    return ScheduleEntry(
        arn=f"arn:aws:scheduler:us-east-1:1:schedule/default/{name}",
        kind="schedule",
        name=name,
        expression=expression,
        enabled=True,
        **extra,  # type: ignore[arg-type]
    )


def run_until(
    schedules: ScheduleClock, clock: Clock, end: datetime, step: timedelta = timedelta(seconds=30)
) -> None:
    schedules._tick()
    while clock.now < end:
        clock.now += step
        schedules._tick()


def test_a_rate_runs_one_period_after_it_is_first_seen_then_every_period() -> None:
    """Per "Schedule expressions for rules": rate schedules start when the rule is created."""
    schedules, clock, fired, _ = setup(rule("every5", "rate(5 minutes)"))
    run_until(schedules, clock, T0 + timedelta(minutes=16))
    assert [when for _, when in fired] == [T0 + timedelta(minutes=m) for m in (5, 10, 15)]


def test_cron_runs_at_its_minutes_in_utc() -> None:
    schedules, clock, fired, _ = setup(rule("quarter", "cron(0/15 * * * ? *)"))
    run_until(schedules, clock, T0 + timedelta(minutes=31))
    assert [when for _, when in fired] == [T0 + timedelta(minutes=m) for m in (15, 30)]


def test_a_disabled_rule_does_not_run_on_its_own_but_fire_now_runs_it() -> None:
    """A disabled rule or schedule is not run by the clock; `samlite trigger` runs it anyway."""
    entry = rule("off", "rate(1 minute)", enabled=False)
    schedules, clock, fired, _ = setup(entry)
    run_until(schedules, clock, T0 + timedelta(minutes=5))
    assert fired == []
    assert schedules.fire_now(entry) == T0 + timedelta(minutes=5)
    assert fired == [("off", T0 + timedelta(minutes=5))]


def test_a_flexible_window_runs_within_the_window_after_the_scheduled_time() -> None:
    """Per "Configuring flexible time windows": invoked within MaximumWindowInMinutes of the schedule."""
    entry = schedule("flex", "cron(0 13 * * ? *)", window_minutes=10)
    for seed in range(5):
        clock, runs = Clock(), []
        schedules = ScheduleClock(
            scan=lambda: [entry],
            fire=lambda _entry, when, runs=runs, clock=clock: runs.append((when, clock.now)),
            log=lambda _line: None,
            now=clock,
            seed=seed,
        )
        run_until(schedules, clock, T0 + timedelta(hours=1, minutes=11), step=timedelta(seconds=5))
        [(scheduled, ran_at)] = runs
        assert scheduled == T0 + timedelta(hours=1), "the run carries its scheduled time"
        assert scheduled <= ran_at <= scheduled + timedelta(minutes=10, seconds=5)


def test_start_and_end_dates_bound_the_runs() -> None:
    """Per "Schedule types on EventBridge Scheduler": no run before StartDate nor after EndDate."""
    entry = schedule(
        "bounded",
        "rate(10 minutes)",
        start=T0 + timedelta(minutes=30),
        end=T0 + timedelta(minutes=55),
    )
    schedules, clock, fired, _ = setup(entry)
    run_until(schedules, clock, T0 + timedelta(hours=2))
    assert [when for _, when in fired] == [T0 + timedelta(minutes=m) for m in (40, 50)]


def test_at_runs_once_in_its_time_zone() -> None:
    """Per "One-time schedules": at() runs once, in ScheduleExpressionTimezone."""
    entry = schedule("once", "at(2025-01-01T14:00:00)", timezone="Europe/Paris")
    schedules, clock, fired, _ = setup(entry)
    run_until(schedules, clock, T0 + timedelta(hours=3))
    assert fired == [("once", T0 + timedelta(hours=1))]


def test_the_start_lines_list_every_schedule_disabled_ones_as_such() -> None:
    schedules, _, _, logs = setup(
        rule("daily", "rate(1 day)", enabled=False),
        schedule("morning", "cron(0 9 ? * MON-FRI *)", timezone="Europe/Paris", window_minutes=5),
        rule("broken", "cron(0 9 * * MON *)"),
    )
    lines = schedules.describe()
    assert any(
        "schedule daily (rule daily): rate(1 day): DISABLED, does not run on its own" in line
        for line in lines
    )
    assert any(
        "schedule morning (EventBridge Scheduler schedule morning): cron(0 9 ? * MON-FRI *) in Europe/Paris: "
        "next run 2025-01-02T08:00:00Z, within 5 min (flexible window)" in line
        for line in lines
    )
    assert any("schedule broken" in line and "never runs" in line for line in lines)
    assert sum("never runs" in line for line in logs) == 1, "an expression that cannot run is said once"


def test_a_changed_expression_is_picked_up() -> None:
    entries = [rule("r", "rate(10 minutes)")]
    fired: list[tuple[str, datetime]] = []
    clock = Clock()
    schedules = ScheduleClock(
        scan=lambda: list(entries),
        fire=lambda e, w: fired.append((e.expression, w)),
        log=lambda _l: None,
        now=clock,
    )
    schedules._tick()
    clock.now += timedelta(minutes=2)
    entries[0] = rule("r", "rate(1 minute)")
    run_until(schedules, clock, T0 + timedelta(minutes=4))
    assert [expression for expression, _ in fired] == ["rate(1 minute)", "rate(1 minute)"]


def test_the_clock_thread_starts_and_stops() -> None:
    schedules, _, _, logs = setup(rule("r", "rate(1 day)"))
    schedules.start()
    schedules.stop()
    assert any("schedule r (rule r): rate(1 day): next run" in line for line in logs)


def test_next_runs_are_what_the_clock_will_fire_next_disabled_ones_included() -> None:
    """The console's triggers page shows these: the run after the one just fired, and a disabled
    schedule's next scheduled time (it does not fire on its own)."""
    every5, off = rule("every5", "rate(5 minutes)"), rule("off", "cron(0 3 * * ? *)", enabled=False)
    schedules, clock, fired, _ = setup(every5, off)
    assert schedules.next_runs() == {}  # nothing seen yet
    run_until(schedules, clock, T0 + timedelta(minutes=6))
    assert [name for name, _ in fired] == ["every5"]
    assert schedules.next_runs() == {
        every5.arn: T0 + timedelta(minutes=10),
        off.arn: datetime(2025, 1, 2, 3, 0, tzinfo=UTC),
    }
