"""The working-day calendar (工作日历): holidays, 调休, fallback years, admin overrides.

Expected dates are worked out by hand from the State Council's schedules for 2025
(国办发明电〔2024〕12号) and 2026 (国办发明电〔2025〕7号), and cross-checked with the
chinese_calendar package for the years it covers.
"""

import importlib
from datetime import date, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tongban.core import workdays
from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditEntry, CalendarDay, CalendarSource
from tongban.core.selectors import (
    add_working_days,
    calendar_coverage,
    calendar_overrides,
    calendar_uncovered_years,
    is_workday,
    working_days_between,
)
from tongban.core.services import calendar_seed

COVERED = [2024, 2025, 2026]


@pytest.fixture
def calendar(db):
    """The seeded calendar (the data migration seeds it too; seeding again is a no-op)."""
    calendar_seed(years=COVERED)


def admin_day(day: date, *, is_workday: bool, name: str) -> CalendarDay:
    row, _ = CalendarDay.objects.update_or_create(
        date=day,
        defaults={"is_workday": is_workday, "name": name, "source": CalendarSource.ADMIN},
    )
    return row


def dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def run(*args: str) -> tuple[int, str, str]:
    """``tongban calendar ...`` as an operator runs it: exit code, stdout, stderr."""
    out, err = StringIO(), StringIO()
    try:
        call_command("calendar", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


# --- days ---------------------------------------------------------------------------------


def test_weekends_are_days_off_and_weekdays_working_days(calendar):
    assert is_workday(date(2025, 3, 3))  # Monday
    assert is_workday(date(2025, 3, 7))  # Friday
    assert not is_workday(date(2025, 3, 8))  # Saturday
    assert not is_workday(date(2025, 3, 9))  # Sunday


def test_national_day_and_mid_autumn_2025_are_eight_days_off(calendar):
    assert not any(is_workday(day) for day in dates(date(2025, 10, 1), date(2025, 10, 8)))
    assert is_workday(date(2025, 9, 30)) and is_workday(date(2025, 10, 9))
    row = CalendarDay.objects.get(date=date(2025, 10, 1))
    assert (row.name, row.source) == ("国庆节", CalendarSource.CHINESE_CALENDAR)
    # Weekend days inside the holiday are not stored: the Monday-to-Friday rule covers them.
    assert not CalendarDay.objects.filter(date=date(2025, 10, 4)).exists()


def test_spring_festival_2025(calendar):
    off = dates(date(2025, 1, 28), date(2025, 2, 4))
    assert not any(is_workday(day) for day in off)
    assert is_workday(date(2025, 1, 27)) and is_workday(date(2025, 2, 5))


def test_make_up_working_days_on_weekends(calendar):
    assert is_workday(date(2025, 9, 28))  # Sunday before 国庆 2025
    assert is_workday(date(2025, 10, 11))  # Saturday after it
    assert is_workday(date(2024, 10, 12))  # Saturday, 国庆 2024
    assert is_workday(date(2025, 1, 26)) and is_workday(date(2025, 2, 8))  # 春节 2025
    assert is_workday(date(2026, 1, 4))  # Sunday after 元旦 2026
    row = CalendarDay.objects.get(date=date(2025, 9, 28))
    assert row.is_workday and row.name == "国庆节调休上班"


def test_the_calendar_matches_chinese_calendar_for_every_covered_day(calendar):
    start, end = date(2024, 1, 1), date(2026, 12, 31)
    overrides = calendar_overrides(start, end)  # one query for three years
    mismatches = [
        day
        for day in dates(start, end)
        if workdays.is_workday(day, overrides) != chinese_calendar.is_workday(day)
    ]
    assert mismatches == []
    # Only the exceptions are stored: 18 weekday holidays and 5 make-up days in 2025.
    in_2025 = CalendarDay.objects.filter(date__year=2025)
    assert in_2025.filter(is_workday=False).count() == 18
    assert in_2025.filter(is_workday=True).count() == 5


def test_a_year_has_248_working_days_in_2025_and_2026(calendar):
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 248
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


# --- arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 春节 2025: 1-28..2-4 off, Sunday 1-26 and Saturday 2-8 worked.
        (date(2025, 1, 20), 10, date(2025, 2, 8)),
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 1, 27), 4, date(2025, 2, 8)),
        # 国庆 2025: 10-1..10-8 off, Sunday 9-28 and Saturday 10-11 worked.
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        (date(2025, 9, 30), 20, date(2025, 11, 4)),
        # 国庆 2026: 10-1..10-7 off, Saturday 10-10 worked.
        (date(2026, 9, 30), 20, date(2026, 11, 3)),
        # The start day is never counted, even when it is a holiday.
        (date(2025, 10, 1), 1, date(2025, 10, 9)),
        (date(2025, 10, 4), 0, date(2025, 10, 4)),
    ],
)
def test_add_working_days(calendar, start, n, expected):
    assert add_working_days(start, n) == expected
    if n:
        assert working_days_between(start, expected) == n
        assert working_days_between(start, expected - timedelta(days=1)) == n - 1


def test_add_working_days_agrees_with_chinese_calendar(calendar):
    # For a working-day start, find_workday(n, start) is the n-th working day after it.
    starts = [d for d in dates(date(2025, 1, 2), date(2025, 12, 20))[::9] if is_workday(d)]
    for start in starts:
        for n in (1, 7, 20):
            assert add_working_days(start, n) == chinese_calendar.find_workday(n, start)


def test_working_days_between(calendar):
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert working_days_between(date(2025, 1, 27), date(2025, 2, 8)) == 4
    assert working_days_between(date(2025, 2, 8), date(2025, 1, 27)) == -4
    assert working_days_between(date(2025, 10, 3), date(2025, 10, 3)) == 0
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    for start, end in [
        (date(2024, 12, 20), date(2025, 3, 1)),
        (date(2025, 4, 25), date(2025, 6, 3)),
        (date(2025, 9, 1), date(2026, 2, 28)),
    ]:
        expected = len(chinese_calendar.get_workdays(start + timedelta(days=1), end))
        assert working_days_between(start, end) == expected


def test_negative_or_huge_counts_are_refused(calendar):
    with pytest.raises(ValidationFailed, match="不能为负数"):
        add_working_days(date(2025, 1, 2), -1)
    with pytest.raises(ValidationFailed, match="不能超过"):
        add_working_days(date(2025, 1, 2), 10**9)
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2025, 1, 2), -1, {})


def test_add_working_days_is_a_handful_of_queries(calendar, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        result = add_working_days(date(2025, 1, 2), 250)
    assert result == chinese_calendar.find_workday(250, date(2025, 1, 2))
    with django_assert_max_num_queries(1):
        working_days_between(date(2024, 1, 1), date(2026, 12, 31))


def test_a_long_closure_widens_the_window(calendar, django_assert_max_num_queries):
    start = date(2031, 3, 3)
    for day in dates(start, start + timedelta(days=59)):
        admin_day(day, is_workday=False, name="停工")
    with django_assert_max_num_queries(4):
        result = add_working_days(start, 5)
    # 60 days off from 3-3 to 5-1; then Friday 5-2 and 5-5..5-8.
    assert result == date(2031, 5, 8)


# --- fallback years and coverage ----------------------------------------------------------


def test_a_year_without_a_schedule_falls_back_to_monday_to_friday(calendar):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 10, 1))
    assert calendar_coverage(2031) == "fallback"
    assert calendar_uncovered_years([2025, 2031]) == [2031]
    assert is_workday(date(2031, 10, 1))  # a Wednesday, no schedule known
    assert add_working_days(date(2031, 9, 30), 3) == date(2031, 10, 3)

    admin_day(date(2031, 10, 1), is_workday=False, name="国庆节")
    assert not is_workday(date(2031, 10, 1))
    assert add_working_days(date(2031, 9, 30), 3) == date(2031, 10, 6)
    assert calendar_coverage(2031) == "known"
    assert calendar_uncovered_years(today=date(2030, 6, 1)) == [2030]
    assert calendar_uncovered_years(today=date(2031, 6, 1)) == [2032]


def test_seeding_a_year_the_package_does_not_know_is_reported(calendar):
    result = calendar_seed(years=[2031])
    assert result.unknown_years == [2031] and result.seeded_years == []
    assert not CalendarDay.objects.filter(date__year=2031).exists()
    with pytest.raises(ValidationFailed, match="超出范围"):
        calendar_seed(years=[1066])
    with pytest.raises(ValidationFailed, match="年份"):
        calendar_seed(years=[])


# --- seeding ------------------------------------------------------------------------------


def test_seeding_is_idempotent_and_audited_once(db):
    CalendarDay.objects.all().delete()
    before = AuditEntry.objects.filter(action="calendar.seed").count()
    first = calendar_seed(years=[2025, 2026])
    assert (first.created, first.updated, first.deleted) == (23 + 25, 0, 0)
    again = calendar_seed(years=[2026, 2025])
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    entries = AuditEntry.objects.filter(action="calendar.seed").order_by("seq")
    assert entries.count() == before + 2
    first_detail, again_detail = (entry.detail for entry in list(entries)[-2:])
    assert first_detail["created"] == 48 and again_detail["created"] == 0
    assert again_detail["seeded_years"] == [2025, 2026]


def test_seeding_corrects_its_own_rows_and_keeps_the_admins(calendar):
    # An admin decided 2025-10-08 is worked locally, and added a local holiday.
    admin_day(date(2025, 10, 8), is_workday=True, name="本地安排上班")
    admin_day(date(2025, 3, 5), is_workday=False, name="本地假日")
    # A seeded row that went wrong, and one the package does not list (any more).
    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(name="wrong", is_workday=True)
    CalendarDay.objects.create(
        date=date(2025, 3, 4), is_workday=False, name="x", source=CalendarSource.CHINESE_CALENDAR
    )
    result = calendar_seed(years=[2025])
    assert (result.created, result.updated, result.deleted, result.kept_admin) == (0, 1, 1, 1)
    assert is_workday(date(2025, 10, 8))  # the admin's row wins over the official schedule
    assert not is_workday(date(2025, 3, 5))
    assert not is_workday(date(2025, 10, 1))
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"
    assert is_workday(date(2025, 3, 4))
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 8)


def test_the_data_migration_seeds_2024_onwards(db):
    CalendarDay.objects.all().delete()
    migration = importlib.import_module("tongban.core.migrations.0003_seed_calendar")
    migration.seed(apps, None)
    years = {d.year for d in CalendarDay.objects.dates("date", "year")}
    assert years == set(range(2024, workdays.package_years()[-1] + 1))
    assert calendar_seed(years=COVERED).created == 0  # same rows as the service


# --- admin --------------------------------------------------------------------------------


def test_admin_edits_become_admin_rows_and_are_audited(calendar, login_as):
    client = login_as("admin")
    row = CalendarDay.objects.get(date=date(2025, 10, 8))
    response = client.post(
        f"/admin/core/calendarday/{row.pk}/change/",
        {"date": "2025-10-08", "is_workday": "on", "name": "本地安排上班"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.is_workday and row.source == CalendarSource.ADMIN
    assert AuditEntry.objects.filter(action="admin.core.calendarday.change").exists()
    response = client.post("/admin/core/calendarday/add/", {"date": "2031-10-01", "name": "国庆节"})
    assert response.status_code == 302
    added = CalendarDay.objects.get(date=date(2031, 10, 1))
    assert not added.is_workday and added.source == CalendarSource.ADMIN
    assert calendar_seed(years=[2025]).kept_admin == 1


def test_admin_changelist_filters_and_warns_about_uncovered_years(calendar, login_as):
    client = login_as("admin")
    this_year = timezone.localdate().year
    CalendarDay.objects.filter(date__year__in=[this_year, this_year + 1]).delete()
    html = client.get("/admin/core/calendarday/").content.decode()
    assert f"{this_year}、{this_year + 1} 年的工作日历尚未录入" in html
    if this_year in workdays.package_years():
        assert f"tongban calendar seed {this_year}" in html

    admin_day(date(this_year, 5, 1), is_workday=False, name="劳动节")
    admin_day(date(this_year + 1, 5, 1), is_workday=False, name="劳动节")
    html = client.get("/admin/core/calendarday/").content.decode()
    assert "尚未录入" not in html

    html = client.get("/admin/core/calendarday/?year=2025&is_workday__exact=1").content.decode()
    assert "国庆节调休上班" in html and "春节调休上班" in html
    assert 'field-name">国庆节<' not in html and "清明节调休上班" not in html
    html = client.get("/admin/core/calendarday/?year=2024&is_workday__exact=1").content.decode()
    assert "清明节调休上班" in html  # Sunday 2024-04-07; 清明 2025 had no make-up day
    html = client.get("/admin/core/calendarday/?source__exact=admin").content.decode()
    assert 'field-name">劳动节<' in html and "调休上班" not in html


# --- command ------------------------------------------------------------------------------


def test_command_adds_working_days(calendar):
    assert run("add-working-days", "2026-09-30", "20") == (0, "2026-11-03\n", "")
    assert run("add-working-days", "2025-01-20", "10")[1] == "2025-02-08\n"
    code, out, err = run("add-working-days", "2026-12-20", "20")
    if calendar_coverage(2027) == "fallback":
        assert out == "2027-01-15\n" and "no calendar for 2027" in err
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13-01", "2"], "invalid date '2026-13-01'"),
        (["20261201", "2"], "expected YYYY-MM-DD"),
        (["2026-12-01", "-3"], "must be 0 or more"),
        (["2026-12-01", "two"], "invalid number of working days 'two'"),
    ],
)
def test_command_refuses_bad_input(calendar, args, message):
    code, out, err = run("add-working-days", *args)
    assert code != 0 and message in err and out == ""


def test_command_seeds_with_progress(calendar):
    code, out, err = run("seed", "2025", "2031")
    assert code == 0
    assert "2025: 23 days off the Monday-Friday rule; created 0" in out
    assert "2031: not in chinese_calendar" in out
    assert "not seeded" in err and "2031" in err
    code, _, err = run("seed", "twenty")
    assert code != 0 and "invalid year" in err
