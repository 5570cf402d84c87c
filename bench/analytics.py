"""Decision-support dashboard latency at growing numbers of cases.

    python bench/analytics.py [--db sqlite|postgres] [--sizes 10000,1000000,10000000] [--no-save]

On a throwaway database with the demo province, cases (with ratings, rectifications, a
bounded number of appeals and exchange records) are generated in bulk up to each size,
the facts are rebuilt for the year (what the worker does once after an import), and then
measured, at each size:

- the dashboard's selectors (headline figures and all twelve figures, as the page builds
  them), the whole page through Django's test client, and ``GET /api/v1/analytics/summary``;
- the worker's periodic refresh (the last few days again, plus the snapshot);
- the floor: a primary-key lookup of one row on the same database, in the same run.

Results: ``bench/results/analytics-<date>-<commit>.json`` and ``analytics-latest.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
APPEALS_CAP = 20_000
LOGS_CAP = 50_000


def _timed(fn: Any, repeat: int) -> dict[str, float]:
    fn()  # warm caches (templates, translations, query plans)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "n": repeat,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
        "max_ms": samples[-1],
    }


def measure(db: str, sizes: list[int], repeat: int, out: Path) -> None:
    from bench.database import Environment

    began = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{db} {time.perf_counter() - began:7.1f}s] {line}", flush=True)

    env = Environment(db)
    env.configure()
    try:
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from bench.datagen import generate
        from bench.report import database_info
        from tongban.analytics import figures, selectors, services
        from tongban.analytics.models import Fact
        from tongban.demo.data import DEMO_PASSWORD
        from tongban.org.models import Division
        from tongban.supervision.models import Clock

        result: dict[str, Any] = {"database": database_info(), "sizes": []}
        result["setup"] = env.prepare(progress)
        client = Client()
        client.force_login(get_user_model().objects.get(username="lingdao"))
        token = client.post(
            "/api/v1/auth/token",
            {"username": "lingdao", "password": DEMO_PASSWORD},
            content_type="application/json",
        ).json()["access_token"]
        today = timezone.localdate()
        lens = selectors.public_lens("420000")
        period = selectors.period_from()

        def selectors_all() -> None:
            selectors.summary(lens, period)
            figures.dashboard(lens, period)

        def page() -> None:
            response = client.get("/workbench/analytics/")
            assert response.status_code == 200

        def api() -> None:
            response = client.get("/api/v1/analytics/summary", HTTP_AUTHORIZATION=f"Bearer {token}")
            assert response.status_code == 200

        def floor() -> None:
            Division.objects.filter(pk="420100").first()

        for size in sizes:
            have = Clock.objects.count()
            wanted = max(size - have, 0)
            progress(f"size {size:,}: generating {wanted:,} cases")
            started = time.perf_counter()
            made = generate(
                cases=wanted,
                end=today,
                days=365,
                seed=size,
                appeals=min(wanted // 20, APPEALS_CAP),
                logs=min(wanted // 20, LOGS_CAP),
                progress=lambda line: progress(f"  {line}"),
            )
            generated_s = time.perf_counter() - started
            progress(f"  generated in {generated_s:.0f} s; rebuilding the year's facts")
            started = time.perf_counter()
            services.refresh(
                since=today - timedelta(days=365),
                progress=lambda line: progress(f"  refresh {line}"),
            )
            rebuild_s = time.perf_counter() - started
            progress("  measuring")
            row = {
                "cases": Clock.objects.count(),
                "generated": made.__dict__,
                "generate_s": generated_s,
                "rebuild_year_s": rebuild_s,
                "facts": Fact.objects.count(),
                "floor": _timed(floor, repeat * 5),
                "selectors": _timed(selectors_all, repeat),
                "page": _timed(page, repeat),
                "api_summary": _timed(api, repeat),
                "refresh_job": _timed(services.refresh_job, max(3, repeat // 5)),
            }
            row["page_vs_floor"] = row["page"]["median_ms"] / row["floor"]["median_ms"]
            result["sizes"].append(row)
            progress(
                f"  cases {row['cases']:,}: page median {row['page']['median_ms']:.1f} ms, "
                f"p95 {row['page']['p95_ms']:.1f} ms; "
                f"api {row['api_summary']['median_ms']:.1f} ms; "
                f"refresh job {row['refresh_job']['median_ms']:.0f} ms; facts {row['facts']:,}"
            )
        connection.close()
        result["seconds"] = time.perf_counter() - began
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    finally:
        env.cleanup()


def markdown(runs: dict[str, dict[str, Any]], commit: str) -> str:
    lines = [
        "# Decision-support dashboard — latest run",
        "",
        f"- commit {commit}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "- figures are read from precomputed facts (days rolled up into months), so the",
        "  page cost should stay flat as cases grow; the floor is a one-row primary-key",
        "  lookup on the same database in the same run.",
        "",
        "| database | cases | facts | floor ms | selectors median ms | page median ms "
        "| page p95 ms | page / floor | API median ms | refresh job ms | year rebuild s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db, run in runs.items():
        for row in run["sizes"]:
            lines.append(
                f"| {db} | {row['cases']:,} | {row['facts']:,} | {row['floor']['median_ms']:.3f} | "
                f"{row['selectors']['median_ms']:.1f} | {row['page']['median_ms']:.1f} | "
                f"{row['page']['p95_ms']:.1f} | {row['page_vs_floor']:.0f} | "
                f"{row['api_summary']['median_ms']:.1f} | {row['refresh_job']['median_ms']:.0f} | "
                f"{row['rebuild_year_s']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", default="10000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        measure(args.child, sizes, args.repeat, Path(args.out))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    runs = {}
    for db in dbs:
        out = RESULTS / f".analytics-{db}.json"
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--child",
                db,
                "--out",
                str(out),
                "--sizes",
                args.sizes,
                "--repeat",
                str(args.repeat),
            ],
            check=True,
        )
        runs[db] = json.loads(out.read_text())
        out.unlink()
    table = markdown(runs, commit)
    print(table)
    if not args.no_save:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"analytics-{stamp}-{commit}.json").write_text(
            json.dumps(runs, ensure_ascii=False, indent=1)
        )
        (RESULTS / "analytics-latest.md").write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
