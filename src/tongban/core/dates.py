"""Calendar days in the platform's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start of ``day`` and of the day after, in the current time zone (for
    ``[start, end)`` filters on datetime columns that use their indexes)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
