"""``tongban calendar add-working-days DATE N | seed [YEAR ...]``: the working-day calendar."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.core.errors import DomainError
from tongban.core.selectors import add_working_days, calendar_uncovered_years
from tongban.core.services import calendar_seed


class Command(BaseCommand):
    help = "Working-day calendar: compute a deadline, or seed years from chinese_calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser(
            "add-working-days",
            help="print the date N working days after DATE (DATE itself not counted)",
        )
        add.add_argument("date", help="start date, YYYY-MM-DD")
        add.add_argument("n", help="number of working days, 0 or more")
        seed = actions.add_parser(
            "seed",
            help="fill the calendar from chinese_calendar (default: this year and next); "
            "rows entered in the admin are kept",
        )
        seed.add_argument("years", nargs="*", help="years, e.g. 2026 2027")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "add-working-days":
                self._add_working_days(options["date"], options["n"])
            else:
                self._seed(options["years"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _add_working_days(self, raw_date: str, raw_n: str) -> None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
                raise ValueError(raw_date)
            start = date.fromisoformat(raw_date)
        except ValueError:
            raise CommandError(
                f"invalid date {raw_date!r}: expected YYYY-MM-DD, e.g. 2026-12-20", returncode=2
            ) from None
        try:
            n = int(raw_n)
        except ValueError:
            raise CommandError(
                f"invalid number of working days {raw_n!r}: expected 0 or more", returncode=2
            ) from None
        if n < 0:
            raise CommandError(
                f"invalid number of working days {n}: must be 0 or more", returncode=2
            )
        result = add_working_days(start, n)
        self.stdout.write(result.isoformat())
        uncovered = calendar_uncovered_years(range(start.year, result.year + 1))
        if uncovered:
            self.stderr.write(
                f"warning: no calendar for {', '.join(map(str, uncovered))}; counted Monday "
                "to Friday without public holidays (run `tongban calendar seed` or enter "
                "the schedule in the admin)"
            )

    def _seed(self, raw_years: list[str]) -> None:
        if raw_years:
            try:
                years = [int(year) for year in raw_years]
            except ValueError:
                raise CommandError(
                    f"invalid year in {' '.join(raw_years)!r}: expected e.g. 2027", returncode=2
                ) from None
        else:
            current = timezone.localdate().year
            years = [current, current + 1]
        self.stdout.write(f"Seeding the working-day calendar for {', '.join(map(str, years))}")
        result = calendar_seed(years=years, progress=self.stdout.write)
        self.stdout.write(
            f"done: created {result.created}, updated {result.updated}, "
            f"deleted {result.deleted}, kept {result.kept_admin} admin rows"
        )
        if result.unknown_years:
            self.stderr.write(
                "not seeded (unknown to the installed chinese_calendar; upgrade it, or enter "
                "the State Council's schedule in the admin): "
                + ", ".join(map(str, result.unknown_years))
            )
