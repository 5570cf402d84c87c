"""Run the Tongban benchmarks on throwaway databases and record the results.

    python bench/run.py [--db sqlite|postgres|both] [--quick] [--no-save]

Each database is measured in its own child process (Django's settings are per process):
a temporary SQLite file, or the PostgreSQL database ``tongban_bench`` (override with
``BENCH_POSTGRES_URL``; the name must start with ``tongban_bench``), created, migrated,
loaded with the demo province, measured and dropped. Results go to
``bench/results/<date>-<commit>[-quick].json`` and ``bench/results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the bench package importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
NUMBERS = re.compile(r"\[\s*((?:-?[\d.e+-]+,\s*)*-?[\d.e+-]+)\s*\]")
FULL = {
    "cases": 200,
    "sizes": [3, 30, 80, 160],
    "parallel_sizes": [3, 30, 80],
    "floor_seconds": 3.0,
    "gateway_calls": 200,
    "log_records": 512,
    "batch_sizes": [16, 64, 256],
    "signatures": 30,
    "licences": 200,
}
QUICK = {
    "cases": 20,
    "sizes": [3, 30, 80],
    "parallel_sizes": [3, 30],
    "floor_seconds": 1.0,
    "gateway_calls": 30,
    "log_records": 128,
    "batch_sizes": [16, 64, 256],
    "signatures": 10,
    "licences": 20,
}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def dump(run: dict[str, Any]) -> str:
    """Indented JSON, with lists of numbers (the per-step columns) kept on one line."""
    text = json.dumps(run, ensure_ascii=False, indent=1)
    return NUMBERS.sub(lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)


def child(db: str, params: dict[str, Any], out: Path) -> None:
    """Measure one database (runs in its own process)."""
    from bench.database import Environment

    began = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{db} {time.perf_counter() - began:6.1f}s] {line}", flush=True)

    env = Environment(db)
    progress(f"preparing a throwaway database ({env.url})")
    env.configure()
    try:
        import django

        django.setup()
        from bench.cases import measure_completions, measure_submissions
        from bench.exchange import configured_batch_size, measure_gateway, measure_message_log
        from bench.floor import measure_floor
        from bench.licences import measure_licences
        from bench.report import database_info
        from bench.stats import compact
        from bench.steps import measure_sizes

        result: dict[str, Any] = {"database": database_info()}
        result["setup"] = env.prepare(progress)
        progress("phase 1/8: floor (single-row insert transactions)")
        before = measure_floor(seconds=params["floor_seconds"])
        progress(f"  floor: {before['ops']} transactions, {before['per_s']:.0f}/s")
        progress(f"phase 2/8: submissions (N = {params['cases']})")
        result["submissions"], ids = measure_submissions(params["cases"], progress=progress)
        progress(f"phase 3/8: task completions ({5 * len(ids)} tasks of {len(ids)} cases)")
        result["completions"] = measure_completions(ids, progress=progress)
        progress(f"phase 4/8: per-step cost, sequential K = {params['sizes']}")
        steps = measure_sizes(params["sizes"], ("sequential",), progress=progress)
        progress(f"  per-step cost, parallel K = {params['parallel_sizes']}")
        parallel = measure_sizes(params["parallel_sizes"], ("parallel",), progress=progress)
        steps["shapes"].update(parallel["shapes"])
        result["steps"] = compact(steps)
        calls = params["gateway_calls"]
        progress(f"phase 5/8: exchange gateway vs adapter ({calls} calls per variant and lookup)")
        result["gateway"] = measure_gateway(calls, progress=progress)
        configured = configured_batch_size()
        sizes = sorted({*params["batch_sizes"], configured})
        progress(f"phase 6/8: message log, batch signing at {sizes} vs signing each record")
        result["message_log"] = measure_message_log(
            params["log_records"], sizes, signatures=params["signatures"], progress=progress
        )
        result["message_log"]["configured_batch_size"] = configured
        progress(f"phase 7/8: e-licences issued and verified (N = {params['licences']})")
        result["licences"] = measure_licences(params["licences"], progress=progress)
        progress("phase 8/8: floor again (the machine is shared: averaged with the first)")
        after = measure_floor(seconds=params["floor_seconds"])
        progress(f"  floor: {after['ops']} transactions, {after['per_s']:.0f}/s")
        floor_rate = (before["per_s"] + after["per_s"]) / 2
        result["floor"] = {"per_s": floor_rate, "before": before, "after": after}
        result["ratios"] = {
            "submissions_vs_floor": result["submissions"]["per_s"] / floor_rate,
            "completions_vs_floor": result["completions"]["per_s"] / floor_rate,
            "floor_tx_per_submission": floor_rate / result["submissions"]["per_s"],
            "floor_tx_per_completion": floor_rate / result["completions"]["per_s"],
        }
        result["seconds"] = time.perf_counter() - began
        out.write_text(json.dumps(_rounded(result), ensure_ascii=False))
        progress(f"done in {result['seconds']:.0f} s")
    finally:
        env.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes (under 2 minutes)")
    parser.add_argument("--no-save", action="store_true", help="print, do not write results")
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    params = QUICK if args.quick else FULL
    if args.child:
        child(args.child, params, args.out)
        return 0

    from bench.report import machine_info, markdown

    machine = machine_info()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    mode = "quick" if args.quick else "full"
    print(f"Tongban benchmark ({mode}): {', '.join(dbs)}; {params}", flush=True)
    results: dict[str, Any] = {}
    failed = []
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as tmp:
        for db in dbs:
            out = Path(tmp) / f"{db}.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--child", db]
            command += ["--out", str(out)] + (["--quick"] if args.quick else [])
            code = subprocess.call(command, cwd=ROOT)  # noqa: S603 - our own script
            if code != 0 or not out.exists():
                print(f"[{db}] failed (exit code {code})", file=sys.stderr, flush=True)
                failed.append(db)
                continue
            results[db] = json.loads(out.read_text())
    if not results:
        return 1
    stamp = machine["date"][:19].replace("-", "").replace(":", "").replace("T", "-")
    name = f"{stamp}-{machine['commit'] or 'nocommit'}{'-quick' if args.quick else ''}.json"
    run = {
        "machine": machine,
        "mode": mode,
        "params": params,
        "databases": results,
        "json": f"bench/results/{name}",
    }
    summary = markdown(run)
    if args.no_save:
        print(summary)
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / name).write_text(dump(run) + "\n")
        (RESULTS / "latest.md").write_text(summary)
        print(f"results: bench/results/{name}, bench/results/latest.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
