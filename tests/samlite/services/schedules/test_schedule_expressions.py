"""Schedule expressions per "Schedule expressions for rules" (EventBridge User Guide) and "Schedule
types on EventBridge Scheduler" (EventBridge Scheduler User Guide); examples are the guides' own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.services.schedules.expressions import (
    At,
    Cron,
    Rate,
    ScheduleExpressionError,
    parse_schedule,
    zone_of,
)

UTC_ZONE = zone_of(None)
# A Wednesday.
START = datetime(2025, 1, 1, 0, 0, tzinfo=UTC)


def runs(expression: str, count: int = 3, start: datetime = START, zone: str | None = None) -> list[str]:
    parsed = parse_schedule(expression, allow_at=True)
    assert isinstance(parsed, Cron)
    found, after = [], start
    for _ in range(count):
        after = parsed.next_after(after, zone_of(zone))
        assert after is not None
        found.append(after.strftime("%a %Y-%m-%d %H:%M"))
    return found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 10 * * ? *)", ["Wed 2025-01-01 10:00", "Thu 2025-01-02 10:00", "Fri 2025-01-03 10:00"]),
        ("cron(15 12 * * ? *)", ["Wed 2025-01-01 12:15", "Thu 2025-01-02 12:15", "Fri 2025-01-03 12:15"]),
        (
            "cron(0 18 ? * MON-FRI *)",
            ["Wed 2025-01-01 18:00", "Thu 2025-01-02 18:00", "Fri 2025-01-03 18:00"],
        ),
        ("cron(0 8 1 * ? *)", ["Wed 2025-01-01 08:00", "Sat 2025-02-01 08:00", "Sat 2025-03-01 08:00"]),
        ("cron(0/15 * * * ? *)", ["Wed 2025-01-01 00:15", "Wed 2025-01-01 00:30", "Wed 2025-01-01 00:45"]),
        (
            "cron(0/10 * ? * MON-FRI *)",
            ["Wed 2025-01-01 00:10", "Wed 2025-01-01 00:20", "Wed 2025-01-01 00:30"],
        ),
        (
            "cron(0/5 8-17 ? * MON-FRI *)",
            ["Wed 2025-01-01 08:00", "Wed 2025-01-01 08:05", "Wed 2025-01-01 08:10"],
        ),
        ("cron(0 9 ? * 2#1 *)", ["Mon 2025-01-06 09:00", "Mon 2025-02-03 09:00", "Mon 2025-03-03 09:00"]),
    ],
)
def test_the_documented_cron_examples(expression: str, expected: list[str]) -> None:
    """The examples table of "Schedule expressions for rules" (cron, UTC)."""
    assert runs(expression) == expected


def test_last_day_of_month_last_weekday_and_nearest_weekday() -> None:
    """Per "Cron expressions" wildcards: L (last day of the month; 6L the last Friday), W (nearest
    weekday)."""
    assert runs("cron(0 0 L * ? *)", 3) == [
        "Fri 2025-01-31 00:00",
        "Fri 2025-02-28 00:00",
        "Mon 2025-03-31 00:00",
    ]
    assert runs("cron(0 12 ? * 6L *)", 2) == ["Fri 2025-01-31 12:00", "Fri 2025-02-28 12:00"]
    assert runs("cron(0 12 ? * L *)", 2) == ["Sat 2025-01-04 12:00", "Sat 2025-01-11 12:00"]
    # 2025-03-01 is a Saturday: the nearest weekday in March is Monday the 3rd; 2025-06-15 a Sunday.
    assert runs("cron(0 0 1W 3 ? *)", 1) == ["Mon 2025-03-03 00:00"]
    assert runs("cron(0 0 15W 6 ? *)", 1) == ["Mon 2025-06-16 00:00"]
    assert runs("cron(0 0 31W 5 ? *)", 1) == ["Fri 2025-05-30 00:00"]


def test_names_lists_ranges_years_and_wrapping_ranges() -> None:
    """Month and day names, lists, the Year field (1970-2199)."""
    assert runs("cron(30 6 ? JAN,JUL SUN 2026)", 2) == ["Sun 2026-01-04 06:30", "Sun 2026-01-11 06:30"]
    assert runs("cron(0 0 ? * FRI-MON *)", 4) == [
        "Fri 2025-01-03 00:00",
        "Sat 2025-01-04 00:00",
        "Sun 2025-01-05 00:00",
        "Mon 2025-01-06 00:00",
    ]
    assert parse_schedule("cron(0 0 1 1 ? 1999)").next_after(START, UTC_ZONE) is None  # type: ignore[union-attr]


def test_cron_in_a_time_zone_follows_daylight_saving_time() -> None:
    """Per "Schedule types on EventBridge Scheduler": cron in ScheduleExpressionTimezone; a local time the
    clocks skip does not run that day."""
    before = datetime(2025, 3, 29, 12, tzinfo=UTC)
    assert runs("cron(0 9 * * ? *)", 2, before, "Europe/Paris") == [
        "Sun 2025-03-30 07:00",
        "Mon 2025-03-31 07:00",
    ]
    assert runs("cron(30 2 * * ? *)", 1, before, "Europe/Paris") == ["Mon 2025-03-31 00:30"]
    autumn = datetime(2025, 10, 25, 12, tzinfo=UTC)
    assert runs("cron(30 2 * * ? *)", 2, autumn, "Europe/Paris") == [
        "Sun 2025-10-26 00:30",
        "Mon 2025-10-27 01:30",
    ]


def test_rate_runs_every_period_from_its_start() -> None:
    """Per "Rate expressions": rate(value unit)."""
    rate = parse_schedule("rate(5 minutes)")
    assert isinstance(rate, Rate) and rate.seconds == 300
    assert rate.next_after(START, START) == START + timedelta(minutes=5)
    assert rate.next_after(START + timedelta(minutes=7), START) == START + timedelta(minutes=10)
    assert parse_schedule("rate(1 day)").seconds == 86400  # type: ignore[union-attr]
    assert parse_schedule("rate(1 hour)").seconds == 3600  # type: ignore[union-attr]


def test_at_runs_once_in_its_zone() -> None:
    """Per "One-time schedules": at(yyyy-mm-ddThh:mm:ss), in the schedule's time zone."""
    at = parse_schedule("at(2025-06-01T10:00:00)", allow_at=True)
    assert isinstance(at, At)
    assert at.next_after(START, zone_of("Asia/Tokyo")) == datetime(2025, 6, 1, 1, tzinfo=UTC)
    assert at.next_after(datetime(2025, 7, 1, tzinfo=UTC), UTC_ZONE) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("rate(1 minutes)", "write rate(1 minute)"),
        ("rate(5 minute)", "write rate(5 minutes)"),
        ("rate(0 minutes)", "positive number"),
        ("rate(2 weeks)", "minutes, hours or days"),
        ("cron(0 10 * * *)", "six fields"),
        ("cron(0 10 * * MON *)", "exactly one of Day-of-month and Day-of-week must be ?"),
        ("cron(0 10 ? * ? *)", "exactly one of Day-of-month and Day-of-week must be ?"),
        ("cron(60 10 * * ? *)", "Minutes: 60 is outside 0-59"),
        ("cron(0 24 * * ? *)", "Hours: 24 is outside 0-23"),
        ("cron(0 0 32 * ? *)", "Day-of-month: 32 is outside 1-31"),
        ("cron(0 0 ? * 8 *)", "Day-of-week: 8 is outside 1-7"),
        ("cron(0 0 ? FOO * *)", "Month: 'FOO' is not a number"),
        ("cron(0 0 ? * 2#6 *)", "Day-of-week #: 6 is outside 1-5"),
        ("cron(0 0 LW * ? *)", "use L, nW"),
        ("cron(0 0 * * ? 2300)", "Year: 2300 is outside 1970-2199"),
        ("at(2025-06-01T10:00:00)", "rate() or cron()"),
        ("every day", "is not a schedule expression"),
    ],
)
def test_invalid_expressions_are_refused_saying_which_part(expression: str, problem: str) -> None:
    """PutRule / CreateSchedule refuse these ("Parameter ScheduleExpression is not valid")."""
    with pytest.raises(ScheduleExpressionError) as raised:
        parse_schedule(expression)
    assert problem in str(raised.value)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ScheduleExpressionError, match="'Mars/Olympus' is not a time zone name"):
        zone_of("Mars/Olympus")


def _matches(cron: Cron, moment: datetime) -> bool:
    weekday = (moment.weekday() + 1) % 7 + 1
    return (
        moment.minute in cron.minutes
        and moment.hour in cron.hours
        and moment.month in cron.months
        and moment.year in cron.years
        and (cron.days_of_month.any or moment.day in cron.days_of_month.values)
        and (cron.days_of_week.any or weekday in cron.days_of_week.values)
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 59), min_size=1, max_size=3),
    st.lists(st.integers(0, 23), min_size=1, max_size=3),
    st.lists(st.integers(1, 7), min_size=1, max_size=3),
    st.integers(0, 60 * 24 * 14),
)
def test_property_the_next_run_is_the_first_minute_that_matches(
    minutes: list[int], hours: list[int], weekdays: list[int], offset: int
) -> None:
    """Against a minute-by-minute scan: nothing earlier matches, and the run found does."""
    fields = [",".join(map(str, values)) for values in (minutes, hours, weekdays)]
    text = f"cron({fields[0]} {fields[1]} ? * {fields[2]} *)"
    cron = parse_schedule(text)
    assert isinstance(cron, Cron)
    after = START + timedelta(minutes=offset)
    found = cron.next_after(after, UTC_ZONE)
    assert found is not None and _matches(cron, found)
    probe = after.replace(second=0) + timedelta(minutes=1)
    while probe < found:
        assert not _matches(cron, probe), probe
        probe += timedelta(minutes=1)
