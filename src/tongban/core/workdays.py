"""Working-day arithmetic (工作日计算): the Monday-to-Friday rule corrected by overrides.

These are pure functions without the database. ``overrides`` maps a date to whether it is a
working day; a date without an entry follows the Monday-to-Friday rule. A function must be
given every override inside the range it looks at (the selectors in ``core.selectors`` load
that range from the ``CalendarDay`` table in one query).

Counting convention, the one statutory deadlines use ("应当自受理之日起20个工作日内作出决定"):
the start day itself is never counted. ``add_working_days(start, n)`` is the n-th working
day *after* ``start``, whatever ``start`` is; ``add_working_days(start, 0)`` is ``start``.
``working_days_between(start, end)`` counts the working days in ``(start, end]``, so
``working_days_between(start, add_working_days(start, n)) == n``. Example: a case accepted
on Wednesday 2026-09-30 with 20 working days skips the 国庆 holiday (10-01 to 10-07) and
counts the 调休 Saturday 10-10: its deadline is 2026-11-03.

The official schedule comes from the ``chinese_calendar`` package (PyPI ``chinesecalendar``),
which knows only the years published before its release; ``official_days`` reports the
exceptions of one year it knows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

Overrides = Mapping[date, bool]

ONE_DAY = timedelta(days=1)

# The package's Chinese names, completed to the names of the official notices.
_HOLIDAY_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def default_is_workday(day: date) -> bool:
    """The rule for a date the calendar has no row for: Monday to Friday."""
    return day.weekday() < 5


def is_workday(day: date, overrides: Overrides) -> bool:
    found = overrides.get(day)
    return default_is_workday(day) if found is None else found


def add_working_days(start: date, n: int, overrides: Overrides) -> date:
    """The n-th working day after ``start`` (``start`` not counted; ``n == 0`` is ``start``)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += ONE_DAY
        if is_workday(day, overrides):
            n -= 1
    return day


def working_days_between(start: date, end: date, overrides: Overrides) -> int:
    """The working days in ``(start, end]``; negative (the count in ``(end, start]``) when
    ``end`` is before ``start``, e.g. how many working days a deadline is overdue."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count = _weekdays_through(end) - _weekdays_through(start)
    for day, workday in overrides.items():
        if start < day <= end and workday != default_is_workday(day):
            count += 1 if workday else -1
    return count


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from an arbitrary fixed Monday up to and including ``day``."""
    weeks, rest = divmod(day.toordinal() - 1, 7)  # ordinal 1 (0001-01-01) is a Monday
    return weeks * 5 + min(rest + 1, 5)


def window_days(n: int) -> int:
    """Calendar days that nearly always hold n working days: weekends plus a margin for the
    holidays of a year (春节 and 国庆 take up to eight weekdays between them)."""
    return n * 7 // 5 + 21


@dataclass(frozen=True)
class OfficialDay:
    """One exception to the Monday-to-Friday rule in the national schedule."""

    date: date
    is_workday: bool
    name: str


@functools.cache
def package_years() -> range:
    """The years the installed ``chinese_calendar`` knows (2004-2026 in version 1.11)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def official_days(year: int) -> list[OfficialDay] | None:
    """The year's public holidays on weekdays and 调休 working weekends, from the package,
    or ``None`` for a year it does not know (it raises ``NotImplementedError`` for those)."""
    day, found = date(year, 1, 1), []
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        if workday != default_is_workday(day):
            _on_holiday, english = chinese_calendar.get_holiday_detail(day)
            name = _holiday_name(english)
            if workday:
                name = f"{name}调休上班" if name else "调休上班"
            found.append(OfficialDay(date=day, is_workday=workday, name=name or "节假日"))
        day += ONE_DAY
    return found


def _holiday_name(english: str | None) -> str:
    if not english:
        return ""
    try:
        chinese = str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return ""
    return _HOLIDAY_NAMES.get(chinese, chinese)
