"""``tongban generate --cases N``: bulk-generate realistic cases, timelines, ratings,
appeals and registry persons over the demo province, with progress."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.analytics import services as analytics
from tongban.demo.generate import generate


def _count(value: str) -> int:
    try:
        number = int(value.replace("_", ""))
    except ValueError as exc:
        raise CommandError(f"not a whole number: {value}") from exc
    if number < 0:
        raise CommandError(f"must not be negative: {value}")
    return number


class Command(BaseCommand):
    help = "Generate cases, timelines, appeals and registry records in bulk (after the demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=_count, required=True, help="cases to add")
        parser.add_argument("--days", type=_count, default=365, help="spread over these days")
        parser.add_argument("--seed", type=int, default=1, help="random seed (repeatable runs)")
        parser.add_argument("--persons", type=_count, help="applicants (default cases/20)")
        parser.add_argument("--appeals", type=_count, help="appeals (default cases/20)")
        parser.add_argument(
            "--no-figures",
            action="store_true",
            help="do not recompute the decision-support figures afterwards",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        started = time.perf_counter()
        try:
            made = generate(
                cases=options["cases"],
                days=options["days"],
                seed=options["seed"],
                persons=options["persons"],
                appeals=options["appeals"],
                progress=lambda line: self.stdout.write(line),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        rate = made.cases / elapsed if elapsed else 0.0
        self.stdout.write(f"generated in {elapsed:.1f} s ({rate:,.0f} cases/s): {made.line()}")
        if not options["no_figures"]:
            self.stdout.write("recomputing the decision-support figures ...")
            since = timezone.localdate() - timedelta(days=options["days"])
            refreshed = analytics.refresh(since=since, progress=self.stdout.write)
            self.stdout.write(f"{len(refreshed.days)} days of figures recomputed")
        self.stdout.write(self.style.SUCCESS("done"))
