"""Add a stretch of generated history to the database the settings point at (the demo's,
by default ``var/``), then recompute the decision-support figures:

    python bench/demo_history.py [--cases 20000] [--days 330] [--logs 3000]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add generated cases, ratings and appeals.")
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=330)
    parser.add_argument("--appeals", type=int, default=0)
    parser.add_argument("--logs", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
    import django

    django.setup()
    from django.utils import timezone

    from bench.datagen import generate
    from tongban.analytics import services
    from tongban.catalog.models import ServiceItem

    today = timezone.localdate()
    items = [(i.code, i.name, 5, 20) for i in ServiceItem.objects.order_by("code")[:12]]
    made = generate(
        cases=args.cases,
        end=today,
        days=args.days,
        appeals=args.appeals,
        logs=args.logs,
        seed=args.seed,
        items=items or None,
        progress=print,
    )
    print(made)
    services.refresh(since=today - timedelta(days=args.days + 1), progress=print)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
