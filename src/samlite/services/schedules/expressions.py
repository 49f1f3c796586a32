"""Schedule expressions as EventBridge reads them: `rate()`, `cron()` and (EventBridge Scheduler) `at()`.

From "Schedule expressions for rules" (EventBridge User Guide) and "Schedule types on EventBridge
Scheduler" (EventBridge Scheduler User Guide):
- `rate(value unit)`: a positive whole number and `minute(s)`, `hour(s)` or `day(s)`, singular for 1
  and plural otherwise; the first run is one period after the schedule starts;
- `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: six fields, `0-59 0-23 1-31 1-12|JAN-DEC
  1-7|SUN-SAT 1970-2199`, with `,` lists, `-` ranges, `*`, `/` increments (`0/15`, `*/5`, `10-50/10`);
  `?` in exactly one of Day-of-month and Day-of-week (one of them must be `?`); `L` (last day of the
  month, or with a weekday, `6L`, its last occurrence; `L` alone in Day-of-week is Saturday), `W` in
  Day-of-month (`15W`: the weekday nearest the 15th, within the month) and `#` in Day-of-week (`3#2`:
  the second Tuesday). Rules evaluate cron in UTC; Scheduler in `ScheduleExpressionTimezone`;
- `at(yyyy-mm-ddThh:mm:ss)`: once, in the schedule's time zone (Scheduler only).
Local times that do not exist (the hour skipped when clocks go forward) are skipped; an hour repeated
when clocks go back runs once.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = {name.upper(): index for index, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MAX_YEAR = 2199
SEARCH_DAYS = 366 * 8  # a cron that matches nothing in 8 years (e.g. 30 FEB) matches nothing at all


class ScheduleExpressionError(ValueError):
    """An expression EventBridge would refuse; the message says which part."""


@dataclass(frozen=True)
class Rate:
    seconds: int
    text: str

    def next_after(self, after: datetime, origin: datetime) -> datetime:
        """The first run after `after` of a rate that started at `origin`."""
        elapsed = (after - origin).total_seconds()
        periods = max(1, int(elapsed // self.seconds) + 1)
        return origin + timedelta(seconds=periods * self.seconds)


@dataclass(frozen=True)
class At:
    moment: datetime  # local wall time in the schedule's zone
    text: str

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        when = self.moment.replace(tzinfo=zone).astimezone(UTC)
        return when if when > after else None


@dataclass(frozen=True)
class _DaySpec:
    """Day-of-month or day-of-week: a set of numbers, or one of L / nW / nL / n#k, or `?`."""

    values: frozenset[int] = frozenset()
    any: bool = False  # `?`
    last: bool = False  # L (day of month: last day; day of week alone: Saturday)
    nearest_weekday: int | None = None  # nW
    last_weekday: int | None = None  # nL (day of week)
    nth: tuple[int, int] | None = None  # (weekday, k) for n#k


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: _DaySpec
    months: frozenset[int]
    days_of_week: _DaySpec
    years: frozenset[int]
    text: str

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        """The first run strictly after `after` (aware), evaluated in `zone`, or None if none."""
        local = after.astimezone(zone)
        day = local.date()
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        for _ in range(SEARCH_DAYS):
            if day.year > MAX_YEAR:
                return None
            if self._day_matches(day):
                for hour in hours:
                    for minute in minutes:
                        wall = datetime(day.year, day.month, day.day, hour, minute)
                        when = _utc_of(wall, zone)
                        if when is not None and when > after:
                            return when
            day += timedelta(days=1)
        return None

    def _day_matches(self, day: date) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.days_of_month.any:
            return _weekday_matches(self.days_of_week, day)
        return _month_day_matches(self.days_of_month, day)


def _utc_of(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall time, or None when the wall time does not exist there."""
    aware = wall.replace(tzinfo=zone, fold=0)
    when = aware.astimezone(UTC)
    if when.astimezone(zone).replace(tzinfo=None) != wall:
        return None  # skipped by a clock change
    return when


def _cron_weekday(day: date) -> int:
    """1 = Sunday ... 7 = Saturday, as cron numbers them."""
    return (day.weekday() + 1) % 7 + 1


def _month_day_matches(spec: _DaySpec, day: date) -> bool:
    last_day = calendar.monthrange(day.year, day.month)[1]
    if spec.last:
        return day.day == last_day
    if spec.nearest_weekday is not None:
        return day == _nearest_weekday(day.year, day.month, spec.nearest_weekday)
    return day.day in spec.values


def _nearest_weekday(year: int, month: int, target: int) -> date:
    """`nW`: the weekday nearest the n-th, never leaving the month (Quartz's rule, which EventBridge uses)."""
    last_day = calendar.monthrange(year, month)[1]
    chosen = date(year, month, min(target, last_day))
    if chosen.weekday() == 5:  # Saturday: Friday before, unless that leaves the month
        chosen = chosen - timedelta(days=1) if chosen.day > 1 else chosen + timedelta(days=2)
    elif chosen.weekday() == 6:  # Sunday: Monday after, unless that leaves the month
        chosen = chosen + timedelta(days=1) if chosen.day < last_day else chosen - timedelta(days=2)
    return chosen


def _weekday_matches(spec: _DaySpec, day: date) -> bool:
    weekday = _cron_weekday(day)
    last_day = calendar.monthrange(day.year, day.month)[1]
    if spec.last:
        return weekday == 7
    if spec.last_weekday is not None:
        return weekday == spec.last_weekday and day.day + 7 > last_day
    if spec.nth is not None:
        wanted, k = spec.nth
        return weekday == wanted and (day.day - 1) // 7 + 1 == k
    return weekday in spec.values


# -- parsing --------------------------------------------------------------------------------------


def _number(text: str, field: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleExpressionError(f"{field}: {text!r} is not a number between {low} and {high}")
    value = int(text)
    if not low <= value <= high:
        raise ScheduleExpressionError(f"{field}: {value} is outside {low}-{high}")
    return value


def _values(
    text: str, field: str, low: int, high: int, names: dict[str, int] | None = None
) -> frozenset[int]:
    """`*`, `a`, `a-b` (wrapping when a > b), `a/n`, `*/n`, `a-b/n`, and lists of those."""
    found: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ScheduleExpressionError(f"{field}: empty item in {text!r}")
        base, slash, step_text = part.partition("/")
        step = _number(step_text, f"{field} increment", 1, high - low + 1) if slash else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, second = base.partition("-")
            start, end = _number(first, field, low, high, names), _number(second, field, low, high, names)
        else:
            start = _number(base, field, low, high, names)
            end = high if slash else start
        span = (end - start) % (high - low + 1)
        found.update(low + (start - low + offset) % (high - low + 1) for offset in range(0, span + 1, step))
    return frozenset(found)


def _month_days(text: str) -> _DaySpec:
    field = "Day-of-month"
    if text == "?":
        return _DaySpec(any=True)
    if text == "L":
        return _DaySpec(last=True)
    if text.endswith("W") and text[:-1].isdigit():
        return _DaySpec(nearest_weekday=_number(text[:-1], field, 1, 31))
    if any(char in text for char in "LW#"):
        raise ScheduleExpressionError(f"{field}: {text!r} (use L, nW, or numbers, ranges and lists)")
    return _DaySpec(values=_values(text, field, 1, 31))


def _week_days(text: str) -> _DaySpec:
    field = "Day-of-week"
    if text == "?":
        return _DaySpec(any=True)
    if text == "L":
        return _DaySpec(last=True)
    if text.endswith("L") and "," not in text:
        return _DaySpec(last_weekday=_number(text[:-1], field, 1, 7, _DAYS))
    if "#" in text:
        weekday, _, nth = text.partition("#")
        return _DaySpec(nth=(_number(weekday, field, 1, 7, _DAYS), _number(nth, f"{field} #", 1, 5)))
    return _DaySpec(values=_values(text, field, 1, 7, _DAYS))


def parse_cron(body: str, text: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{text}: cron takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), "
            f"found {len(fields)}"
        )
    minutes, hours, month_days, months, week_days, years = fields
    if (month_days == "?") == (week_days == "?"):
        raise ScheduleExpressionError(
            f"{text}: exactly one of Day-of-month and Day-of-week must be ? (the other gives the days)"
        )
    try:
        return Cron(
            minutes=_values(minutes, "Minutes", 0, 59),
            hours=_values(hours, "Hours", 0, 23),
            days_of_month=_month_days(month_days.upper()),
            months=_values(months, "Month", 1, 12, _MONTHS),
            days_of_week=_week_days(week_days.upper()),
            years=_values(years, "Year", 1970, MAX_YEAR),
            text=text,
        )
    except ScheduleExpressionError as error:
        raise ScheduleExpressionError(f"{text}: {error}") from None


def parse_rate(amount: str, unit: str, text: str) -> Rate:
    value = int(amount)
    singular = unit.removesuffix("s")
    if value < 1 or singular not in _UNITS:
        raise ScheduleExpressionError(f"{text}: a rate is a positive number of minutes, hours or days")
    if (value == 1) != (unit == singular):
        wanted = singular if value == 1 else singular + "s"
        raise ScheduleExpressionError(
            f"{text}: write rate({value} {wanted}) (singular for 1, plural otherwise)"
        )
    return Rate(value * _UNITS[singular], text)


def parse_schedule(text: str, *, allow_at: bool = False) -> Rate | Cron | At:
    """A rule's `ScheduleExpression` (rate, cron) or, with `allow_at`, a Scheduler schedule's (at too)."""
    expression = str(text).strip()
    rate = _RATE.match(expression)
    if rate:
        return parse_rate(rate[1], rate[2], expression)
    cron = _CRON.match(expression)
    if cron:
        return parse_cron(cron[1], expression)
    at = _AT.match(expression)
    if at and allow_at:
        return At(datetime.fromisoformat(at[1]), expression)
    kinds = "rate(), cron() or at()" if allow_at else "rate() or cron()"
    raise ScheduleExpressionError(f"{expression!r} is not a schedule expression ({kinds})")


def zone_of(name: str | None) -> ZoneInfo:
    """`ScheduleExpressionTimezone` (an IANA name; UTC when absent)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleExpressionError(
            f"ScheduleExpressionTimezone {name!r} is not a time zone name"
        ) from None
