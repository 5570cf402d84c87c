"""``tongban manage analytics_refresh [--since YYYY-MM-DD] [--until YYYY-MM-DD]``: recompute
the figures of decision support for a range of days (a backfill after an import), with
progress; without options it does what the worker's periodic refresh does."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.analytics import services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Recompute the decision-support figures (days, months, snapshot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_date, help="first day to recompute")
        parser.add_argument("--until", type=_date, help="last day (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = options.get("since"), options.get("until")
        if since and until and since > until:
            raise CommandError("--since is after --until")
        result = services.refresh(
            since=since, until=until, progress=lambda line: self.stdout.write(line)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.days)} days, {len(result.months)} months, {result.facts} facts"
            )
        )
