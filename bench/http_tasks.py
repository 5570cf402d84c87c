"""Task completion throughput over HTTP: staff completing inbox tasks through
``POST /api/v1/tasks/{id}/complete`` on the production server (gunicorn), with wrk, against
the floor (one-row insert through the same server) measured in the same run.

Usage::

    python bench/http_tasks.py [--db sqlite|postgres|both] [--quick] [--no-save]

Processes are generated with K user tasks between a parallel split and join (K = 1, 3
and 30), all in the demo window clerk's lane, and started until each shape has more open
tasks than the run can complete; wrk then posts one completion per open task (each task
once, in a shuffled order so that concurrent requests mostly hit different instances).
A completion that restores and saves a K-task workflow, moves the inbox, writes the audit
chain and the outbox, exactly as a clerk's click does. Results go to
``bench/results/http-tasks-<date>-<commit>.json`` and ``http-tasks-latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the bench package importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench_tasks"
WORKERS, THREADS = 2, 4
CONNECTIONS = 8
RATES_LIFTED = {"TONGBAN_RATE_TOKEN": "1000000/s"}


@dataclass(frozen=True)
class Params:
    shapes: tuple[int, ...]
    tasks: int  # open tasks per shape (more than a run completes)
    seconds: int
    floor_seconds: int


FULL = Params(shapes=(1, 3, 30), tasks=3000, seconds=15, floor_seconds=10)
QUICK = Params(shapes=(1, 3), tasks=300, seconds=3, floor_seconds=3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _token(url: str, username: str) -> str:
    from tongban.demo.data import DEMO_PASSWORD

    body = json.dumps({"username": username, "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{url}/api/v1/auth/token", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return str(json.load(response)["access_token"])


def open_tasks(k: int, count: int, progress: Any) -> list[int]:
    """Start parallel processes with ``k`` tasks until ``count`` tasks are open."""
    from bench.steps import DIVISION, process_bpmn
    from tongban.workflow.models import HumanTask, HumanTaskStatus
    from tongban.workflow.services import process_register, process_start

    key, xml = process_bpmn(k, "parallel")
    process_register(bpmn_xml=xml)
    instances = -(-count // k)
    started = time.perf_counter()
    for n in range(instances):
        process_start(
            key=key,
            business_type="bench",
            business_id=f"{key}-{n}",
            division_code=DIVISION,
            department_code="zsj",
        )
        if (n + 1) % max(1, instances // 4) == 0:
            progress(f"  K={k}: {n + 1}/{instances} instances started")
    ids = list(
        HumanTask.objects.filter(instance__definition__key=key, status=HumanTaskStatus.OPEN)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    progress(f"  K={k}: {len(ids)} open tasks in {time.perf_counter() - started:.0f} s")
    return ids


COMPLETE_BODY = json.dumps({"decision": "approve", "comment": "同意"}, ensure_ascii=False)


def requests_file(directory: Path, name: str, task_ids: list[int]) -> Path:
    """One completion per task, shuffled (reproducibly) across instances."""
    rows = [f"POST\t/api/v1/tasks/{task_id}/complete\t{COMPLETE_BODY}" for task_id in task_ids]
    random.Random(7).shuffle(rows)  # noqa: S311 - an order, not a secret
    path = directory / f"{name}.tsv"
    path.write_text("\n".join(rows) + "\n")
    return path


def measure(db: str, params: Params, out: Path) -> None:
    from bench.database import Environment

    began = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[tasks {db} {time.perf_counter() - began:6.1f}s] {line}", flush=True)

    os.environ.setdefault("BENCH_POSTGRES_URL", POSTGRES_URL)
    env = Environment(db)
    env.configure()
    server = None
    try:
        import django

        django.setup()
        from django.db import connection

        from bench.floor import floor_table_create
        from bench.report import database_info
        from bench.serving import gunicorn_start, wrk_run
        from bench.steps import WORKER
        from tongban.workflow.models import HumanTask, HumanTaskStatus

        result: dict[str, Any] = {"database": database_info(), "setup": env.prepare(progress)}
        floor_table_create()
        lists = {k: open_tasks(k, params.tasks, progress) for k in params.shapes}
        connection.close()
        values = {
            "DATABASE_URL": env.url,
            "TONGBAN_VAR_DIR": str(env.var_dir),
            **RATES_LIFTED,
        }
        server = gunicorn_start(port=_free_port(), workers=WORKERS, env=values, threads=THREADS)
        progress(f"gunicorn {WORKERS} workers x {THREADS} threads on {server.url}")
        work = Path(tempfile.mkdtemp(prefix="tongban-bench-tasks-"))
        floor_file = work / "floor.tsv"
        floor_file.write_text("POST\t/bench/floor\t\n")
        floor = wrk_run(
            f"{server.url}/bench/floor",
            seconds=params.floor_seconds,
            connections=CONNECTIONS,
            script="requests.lua",
            env={"WRK_REQUESTS": str(floor_file)},
        )
        progress(f"floor: {floor.rps:,.0f} inserts/s (p50 {floor.p50_ms:.1f} ms)")
        headers = f"Authorization: Bearer {_token(server.url, WORKER)}\n"
        headers += "Content-Type: application/json"
        shapes = []
        for k, ids in lists.items():
            run = wrk_run(
                server.url,
                seconds=params.seconds,
                connections=CONNECTIONS,
                script="requests.lua",
                env={
                    "WRK_REQUESTS": str(requests_file(work, f"k{k}", ids)),
                    "WRK_HEADERS": headers,
                },
            )
            done = HumanTask.objects.filter(pk__in=ids, status=HumanTaskStatus.COMPLETED).count()
            connection.close()
            completions = done / run.seconds
            shapes.append(
                {
                    "k": k,
                    "open_tasks": len(ids),
                    "completed": done,
                    "completions_per_s": completions,
                    "ratio_to_floor": completions / floor.rps if floor.rps else None,
                    "wrk": run.as_dict(),
                }
            )
            progress(
                f"K={k}: {done} completed in {run.seconds:.1f} s = {completions:,.1f}/s "
                f"(p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms, {run.errors} errors)"
            )
            if done > len(ids) * 0.9:
                progress(f"  warning: K={k} ran out of open tasks; raise --tasks")
        result.update(
            floor=floor.as_dict(),
            shapes=shapes,
            server={"workers": WORKERS, "threads": THREADS, "connections": CONNECTIONS},
            seconds=time.perf_counter() - began,
        )
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    finally:
        if server is not None:
            server.stop()
        env.cleanup()


def markdown(run: dict[str, Any]) -> str:
    lines = [
        "# Task completions over HTTP — latest run",
        "",
        f"- date: {run['date']}; commit: {run['commit']}; mode: {run['mode']}",
        f"- machine: {run['machine'].get('cpu_count')} CPUs, load average at start "
        f"{run['machine'].get('load_average_at_start')} (above 2, other work competed for "
        "the cores)",
        f"- server: gunicorn {WORKERS} workers × {THREADS} threads (`tongban serve`'s "
        f"settings), wrk with {CONNECTIONS} connections, all on one 2-core machine",
        "",
        "Each completion is `POST /api/v1/tasks/{id}/complete` (approve) by the window clerk "
        "on a generated process with K user tasks between a parallel split and join; the "
        "floor is `POST /bench/floor` (one transaction inserting one row) through the same "
        "server. *ratio* = completions/s ÷ floor requests/s.",
        "",
        "| database | K | completions/s | p50 ms | p95 ms | p99 ms | floor req/s | ratio "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db, result in run["databases"].items():
        floor = result["floor"]["rps"]
        for shape in result["shapes"]:
            wrk = shape["wrk"]
            lines.append(
                f"| {db} | {shape['k']} | {shape['completions_per_s']:,.1f} "
                f"| {wrk['p50_ms']:.1f} | {wrk['p95_ms']:.1f} | {wrk['p99_ms']:.1f} "
                f"| {floor:,.0f} | {shape['ratio_to_floor']:.3f} | {wrk['errors']} |"
            )
    lines += ["", f"Raw results: `{run['json']}`.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--no-save", action="store_true", help="print, write no results")
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    params = QUICK if args.quick else FULL
    if args.child:
        measure(args.child, params, args.out)
        return 0
    from bench.report import machine_info
    from bench.serving import ensure_wrk

    ensure_wrk()
    machine = machine_info()
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    run: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": machine["commit"] or "nocommit",
        "machine": machine,
        "mode": "quick" if args.quick else "full",
        "databases": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        for db in databases:
            out = Path(scratch) / f"{db}.json"
            command = [sys.executable, __file__, "--child", db, "--out", str(out)]
            command += ["--quick"] if args.quick else []
            subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - fixed argv
            run["databases"][db] = json.loads(out.read_text())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"http-tasks-{stamp}-{run['commit']}{'-quick' if args.quick else ''}.json"
    run["json"] = f"bench/results/{name}"
    report = markdown(run)
    print(report)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / name).write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str))
        (RESULTS / "http-tasks-latest.md").write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
