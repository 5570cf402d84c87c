"""Seed the working-day calendar with the official schedules from 2024 on.

Covers the years the installed ``chinese_calendar`` knows (2024-2026 with version 1.11);
later years are added with ``tongban calendar seed YEAR`` once the package knows them, or
entered by hand in the admin. Uses the same pure function as the ``calendar_seed`` service,
so a later seeding of these years finds nothing to change.
"""

from datetime import date

from django.db import migrations

from tongban.core.workdays import official_days, package_years

FIRST_YEAR = 2024


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    years = [year for year in package_years() if year >= FIRST_YEAR]
    if not years:
        return
    taken = set(
        CalendarDay.objects.filter(
            date__range=(date(years[0], 1, 1), date(years[-1], 12, 31))
        ).values_list("date", flat=True)
    )
    rows = [
        CalendarDay(
            date=day.date, is_workday=day.is_workday, name=day.name, source="chinese_calendar"
        )
        for year in years
        for day in official_days(year) or []
        if day.date not in taken
    ]
    CalendarDay.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(source="chinese_calendar", date__year__gte=FIRST_YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_calendarday"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
