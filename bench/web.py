"""HTTP benchmarks against the production server: the public status query, service search
and complete case submissions over a real socket, each with its floor from the same run.

    python bench/web.py [--db sqlite|postgres|both] [--quick] [--seconds S] [--no-save]

Each database is measured in its own child process on a throwaway database
(bench/database.py) with the demo province. gunicorn serves the app with the argv of
``tongban serve`` (2 workers x 4 threads) under the bench settings, which add two floor
endpoints (bench/floor_app); wrk, a C load generator (scripts/ensure-bench-tools.sh
installs it), loads it on loopback. Cases are generated in bulk (tongban.demo.generate) up
to each size in turn, the database growing in place, and at each size every endpoint runs
at each connection count, after a warm-up run:

- floor write: ``POST /bench/floor``, one transaction inserting one small row;
- floor read: ``GET /bench/read?id=``, one primary-key select of a case row;
- status API: ``GET /api/v1/applications/status`` with (number, ID number) pairs of
  generated cases (``lookup_samples``), the rate limit lifted;
- status page: ``POST /status/``, the HTML form with its CSRF token;
- search API: ``GET /api/v1/services?q=`` with queries from the demo catalog;
- search page: ``GET /services/?q=``;
- submission: the flagship bundle 开办餐饮店一件事 through the API by several citizens at
  once (one per connection): create the draft with its form, upload every required
  material (a distinct PDF each time), submit; complete submissions per second.

Results: ``bench/results/http-<date>-<commit>[-quick].json`` and ``http-latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the bench package importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
LARGEST = 10_000_000
DATABASES = ("sqlite", "postgres")  # the order of the tables
WORKERS, THREADS = 2, 4
# Each size step adds this many applicants (with registry records) at most: reconciling a
# person into the base registry costs milliseconds, and the status query looks cases up
# by their unique number, so many cases per applicant do not change what it reads.
PERSONS_PER_STEP = 2_000
APPEALS_CAP = 20_000
MATERIAL_BYTES = 32 * 1024
# 32 letters: what Django accepts as an unmasked CSRF secret, in the cookie and the form.
CSRF_SECRET = "BenchCsrfSecretBenchCsrfSecret32"  # noqa: S105 - not a credential
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench_http"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
# The per-address limits would answer most of one client's requests with 429.
RATES_LIFTED = {"TONGBAN_RATE_STATUS": "1000000/s", "TONGBAN_RATE_TOKEN": "1000000/s"}
SEARCH_KEYWORDS = ["开饭店", "营业执照", "食品", "社保", "公积金", "出生", "养老", "驾驶证"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Params:
    sizes: dict[str, tuple[int, ...]]
    seconds: int
    warmup: int
    connections: tuple[int, ...]
    citizens: int
    samples: int


FULL = Params(
    sizes={
        "sqlite": (10_000, 1_000_000, 10_000_000),
        "postgres": (10_000, 1_000_000, 10_000_000),
    },
    seconds=8,
    warmup=2,
    connections=(8, 16),
    citizens=16,
    samples=5_000,
)
QUICK = Params(
    sizes={"sqlite": (10_000,), "postgres": (10_000,)},
    seconds=3,
    warmup=1,
    connections=(8,),
    citizens=8,
    samples=500,
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    floor: str  # the floor endpoint it is compared with ("" for the floors themselves)
    script: str = "requests.lua"


ENDPOINTS = (
    Endpoint("floor_write", "floor: insert one row (POST)", ""),
    Endpoint("floor_read", "floor: primary-key select (GET)", ""),
    Endpoint("status_api", "status query API", "floor_read"),
    Endpoint("status_page", "status query page (POST form)", "floor_read"),
    Endpoint("search_api", "service search API", "floor_read"),
    Endpoint("search_page", "service search page", "floor_read"),
    Endpoint("submission", "submission (create + materials + submit)", "floor_write", "submit.lua"),
)


# ----------------------------------------------------------------------------- HTTP helpers


def _call(url: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - loopback URL
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ----------------------------------------------------------------------------- the data


def grow(to: int, have: int, seed: int, progress: Progress) -> dict[str, Any]:
    """Generate cases until ``to`` generated ones exist (``have`` so far); PostgreSQL gets
    fresh planner statistics, as autovacuum would give it some time after a bulk load."""
    from django.db import connection

    from tongban.demo.generate import generate

    wanted = to - have
    started = time.perf_counter()
    made = generate(
        cases=wanted,
        seed=seed,
        persons=min(max(1, wanted // 20), PERSONS_PER_STEP),
        appeals=min(wanted // 20, APPEALS_CAP),
        progress=lambda line: progress(f"    {line}"),
    )
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "generated": asdict(made),
        "generate_s": generated,
        "analyze_s": time.perf_counter() - started - generated,
    }


def citizens_create(count: int) -> list[str]:
    """Register ``count`` citizens taken from the demo's 公安 household register (so the
    gateway finds them when a submission fetches their identity); returns usernames."""
    from django.conf import settings

    from tongban.accounts.services import citizen_register
    from tongban.core.errors import DomainError
    from tongban.demo.data import DEMO_PASSWORD

    register = settings.VAR_DIR / "legacy" / "gongan_hjxt.sqlite3"
    with sqlite3.connect(register) as legacy:
        people = legacy.execute(
            "SELECT XM, GMSFHM, LXDH FROM T_RK_JBXX WHERE ZXBZ = '0' AND GMSFHM IS NOT NULL"
            " AND LXDH LIKE '1__________' ORDER BY RYBH"
        ).fetchall()
    usernames: list[str] = []
    for name, id_number, phone in people:
        if len(usernames) == count:
            break
        username = f"bench-citizen-{len(usernames):03d}"
        try:
            citizen_register(
                username=username,
                password=DEMO_PASSWORD,
                real_name=name,
                id_number=id_number,
                phone=phone,
            )
        except DomainError:
            continue  # a record with a planted quirk (bad ID, already registered, ...)
        usernames.append(username)
    return usernames


def tokens_issue(url: str, usernames: list[str]) -> list[str]:
    """Bearer tokens through ``POST /api/v1/auth/token`` (valid for an hour: fetched again
    at every size)."""
    from tongban.demo.data import DEMO_PASSWORD

    return [
        _call(f"{url}/api/v1/auth/token", {"username": u, "password": DEMO_PASSWORD})[
            "access_token"
        ]
        for u in usernames
    ]


def search_queries() -> list[str]:
    """What people type: a few everyday words, the life events and the item names."""
    from tongban.catalog.models import LifeEventBundle, ServiceItem

    names = list(ServiceItem.objects.order_by("code").values_list("name", flat=True)[:40])
    events = list(LifeEventBundle.objects.order_by("slug").values_list("name", flat=True))
    return SEARCH_KEYWORDS + events + names


def pdf_bytes(size: int) -> bytes:
    """A small valid PDF padded with a comment to about ``size`` bytes."""
    head = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
    tail = b"trailer<<>>\n%%EOF\n"
    padding = b"%" + b"0" * max(0, size - len(head) - len(tail) - 2) + b"\n"
    return head + padding + tail


@dataclass
class Inputs:
    """The files the wrk scripts read, and their environment per endpoint."""

    directory: Path
    env: dict[str, dict[str, str]]
    requests_per_submission: int
    # One request of each kind (method, path, body) for counting statements in-process.
    examples: dict[str, tuple[str, str, str]]
    materials: list[str]


def _lines(path: Path, rows: list[str]) -> str:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def inputs_write(directory: Path, *, samples: int, tokens: list[str], url: str) -> Inputs:
    """Requests for every endpoint, from the data as it is now."""
    from bench.cases import BUNDLE, FORM
    from tongban.cases.models import Case
    from tongban.demo.generate import lookup_samples

    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(samples)  # noqa: S311 - sampling, not secrets
    pairs = lookup_samples(samples)
    if not pairs:
        raise RuntimeError("no generated cases to look up")
    first = Case.objects.order_by("id").values_list("id", flat=True).first() or 1
    last = Case.objects.order_by("-id").values_list("id", flat=True).first() or 1
    ids = [rng.randint(first, last) for _ in range(samples)]
    queries = search_queries()
    status = [urllib.parse.urlencode({"number": n, "id_number": i}) for n, i in pairs]
    create = {"bundle": BUNDLE, "form": FORM}
    # One draft through the API tells the required materials (and that the flow works).
    probe = _call(f"{url}/api/v1/applications", create, tokens[0])
    materials = [m["name"] for m in probe["required_materials"] if m["required"]]
    (directory / "create.json").write_text(json.dumps(create, ensure_ascii=False))
    (directory / "material.pdf").write_bytes(pdf_bytes(MATERIAL_BYTES))
    form = "Content-Type: application/x-www-form-urlencoded"
    env = {
        "floor_write": {
            "WRK_REQUESTS": _lines(directory / "floor_write.txt", ["POST\t/bench/floor\tx=1"])
        },
        "floor_read": {
            "WRK_REQUESTS": _lines(
                directory / "floor_read.txt", [f"GET\t/bench/read?id={i}" for i in ids]
            )
        },
        "status_api": {
            "WRK_REQUESTS": _lines(
                directory / "status_api.txt",
                [f"GET\t/api/v1/applications/status?{q}" for q in status],
            )
        },
        "status_page": {
            "WRK_REQUESTS": _lines(
                directory / "status_page.txt",
                [f"POST\t/status/\t{q}&csrfmiddlewaretoken={CSRF_SECRET}" for q in status],
            ),
            "WRK_HEADERS": f"{form}\nCookie: csrftoken={CSRF_SECRET}",
        },
        "search_api": {
            "WRK_REQUESTS": _lines(
                directory / "search_api.txt",
                [f"GET\t/api/v1/services?{urllib.parse.urlencode({'q': q})}" for q in queries],
            )
        },
        "search_page": {
            "WRK_REQUESTS": _lines(
                directory / "search_page.txt",
                [f"GET\t/services/?{urllib.parse.urlencode({'q': q})}" for q in queries],
            )
        },
        "submission": {
            "WRK_TOKENS": _lines(directory / "tokens.txt", tokens),
            "WRK_MATERIALS": _lines(directory / "materials.txt", materials),
            "WRK_CREATE_BODY": str(directory / "create.json"),
            "WRK_PDF": str(directory / "material.pdf"),
        },
    }
    examples = {
        name: _example(Path(env[name]["WRK_REQUESTS"]))
        for name in ("status_api", "status_page", "search_api", "search_page")
    }
    return Inputs(directory, env, len(materials) + 2, examples, materials)


def _example(requests: Path) -> tuple[str, str, str]:
    method, path, *body = requests.read_text(encoding="utf-8").splitlines()[0].split("\t")
    return method, path, body[0] if body else ""


def statements_per_request(inputs: Inputs, token: str) -> dict[str, int]:
    """SQL statements one request of each endpoint sends (one whole submission for the
    submission), through Django's test client in this process on the same database; the
    floors send one by construction."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.cases import BUNDLE, FORM

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    counts = {"floor_write": 1, "floor_read": 1}

    def count(name: str, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, **kwargs)
        if response.status_code != expected:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        counts[name] = counts.get(name, 0) + len(queries)
        return response

    for name, (method, path, body) in inputs.examples.items():
        if method == "GET":
            count(name, "get", path, 200)
        else:
            count(name, "post", path, 200, data=dict(urllib.parse.parse_qsl(body)))
    create = {"bundle": BUNDLE, "form": FORM}
    case = count(
        "submission",
        "post",
        "/api/v1/applications",
        201,
        data=create,
        content_type="application/json",
    ).json()
    case_path = f"/api/v1/applications/{case['id']}"
    pdf = pdf_bytes(MATERIAL_BYTES)
    for n, material in enumerate(inputs.materials):
        upload = SimpleUploadedFile("material.pdf", pdf + str(n).encode(), "application/pdf")
        data = {"name": material, "file": upload}
        count("submission", "post", f"{case_path}/materials", 201, data=data)
    count("submission", "post", f"{case_path}/submit", 200)
    return counts


# ----------------------------------------------------------------------------- measuring


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's master and workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return sum(_process_cpu_seconds(p) for p in [pid, *map(int, children)])


def _backends_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to this database; none on SQLite,
    whose work is inside the server processes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: _process_cpu_seconds(pid) for pid in pids}


def _backends_cpu_since(before: dict[int, float]) -> float:
    """CPU the backends used since ``before``; a backend that ended meanwhile (the server
    reconnects after CONN_MAX_AGE) is missing, so this is a lower bound."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in _backends_cpu().items())


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ROUTE_IDS = re.compile(r"/\d+(?=/|$)")


def server_times(access_log: Path, offset: int) -> dict[str, dict[str, float]]:
    """Per route (ids replaced by {id}): requests, median and p95 of the time gunicorn spent
    on them (from its access log, from byte ``offset`` on)."""
    samples: dict[str, list[float]] = {}
    with access_log.open("rb") as log:
        log.seek(offset)
        for raw in log:
            parts = raw.decode(errors="replace").split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            route = f"{parts[0]} {ROUTE_IDS.sub('/{id}', parts[1])}"
            samples.setdefault(route, []).append(int(parts[3]) / 1000)
    figures = {}
    for route, times in samples.items():
        times.sort()
        figures[route] = {
            "n": len(times),
            "p50_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        }
    return figures


def measure_endpoint(
    server: Any, endpoint: Endpoint, connections: int, inputs: Inputs, params: Params
) -> dict[str, Any]:
    from bench.serving import WrkResult, wrk_run

    # One connection per thread for the submission flow: its Lua state is one session.
    threads = connections if endpoint.name == "submission" else 1
    url = f"{server.url}/"

    def run(seconds: int) -> WrkResult:
        # Each run its own Idempotency-Keys: the warm-up's would replay its drafts.
        env = {**inputs.env[endpoint.name], "WRK_RUN": str(time.time_ns())}
        return wrk_run(
            url,
            seconds=seconds,
            connections=connections,
            threads=threads,
            script=endpoint.script,
            env=env,
        )

    run(params.warmup)
    offset = server.access_log.stat().st_size
    cpu, backends = _cpu_seconds(server.pid), _backends_cpu()
    result = run(params.seconds)
    cpu, database_cpu = _cpu_seconds(server.pid) - cpu, _backends_cpu_since(backends)
    row: dict[str, Any] = {"endpoint": endpoint.name, **result.as_dict()}
    row["load_average"] = os.getloadavg()[0]
    per_request = 1000 / result.requests if result.requests else 0.0
    row["server_cpu_ms_per_request"] = cpu * per_request
    row["database_cpu_ms_per_request"] = database_cpu * per_request
    row["server"] = server_times(server.access_log, offset)
    if endpoint.name == "submission":
        # Each connection's last flow is cut off when wrk stops, a large share of a short
        # run: the rate counts the flow's requests (a submission is requests_per_op of
        # them), the flows completed are kept too.
        row["requests_per_op"] = inputs.requests_per_submission
        row["ops_per_s"] = result.rps / inputs.requests_per_submission
        row["complete_per_s"] = result.extra.get("submissions", 0) / result.seconds
    else:
        row["ops_per_s"] = result.rps
    return row


def _summary(row: dict[str, Any], floor: dict[str, Any] | None) -> str:
    line = (
        f"{row['endpoint']} c{row['connections']}: {row['ops_per_s']:,.1f}/s, "
        f"p50 {row['p50_ms']:.1f} p95 {row['p95_ms']:.1f} p99 {row['p99_ms']:.1f} ms"
    )
    if row["errors"]:
        line += f", {row['errors']} errors"
    if floor:
        line += f" (floor {floor['ops_per_s']:,.0f}/s, ratio {row['ratio_to_floor']:.3f})"
    return line


def server_warm(server: Any, seconds: int) -> None:
    """The first search in a worker loads the word-segmentation dictionary (seconds), the
    first page renders compile templates: pay for them before anything is measured."""
    from bench.serving import wrk_run

    query = urllib.parse.urlencode({"q": SEARCH_KEYWORDS[0]})
    for path in (f"/api/v1/services?{query}", f"/services/?{query}", "/status/"):
        wrk_run(f"{server.url}{path}", seconds=seconds, connections=2 * WORKERS)


def measure_size(
    server: Any,
    inputs: Inputs,
    params: Params,
    statements: dict[str, int],
    progress: Progress,
) -> list[dict[str, Any]]:
    rows = []
    for connections in params.connections:
        floors: dict[str, dict[str, Any]] = {}
        for endpoint in ENDPOINTS:
            row = measure_endpoint(server, endpoint, connections, inputs, params)
            row["statements_per_op"] = statements[endpoint.name]
            floor = floors.get(endpoint.floor)
            if floor is None:
                floors[endpoint.name] = row
            else:
                row["floor_ops_per_s"] = floor["ops_per_s"]
                row["ratio_to_floor"] = row["ops_per_s"] / max(floor["ops_per_s"], 1e-9)
                row["floor_requests_per_op"] = floor["ops_per_s"] / max(row["ops_per_s"], 1e-9)
                row["p50_vs_floor"] = row["p50_ms"] / max(floor["p50_ms"], 1e-9)
            rows.append(row)
            progress(f"  {_summary(row, floor)}")
    return rows


# ----------------------------------------------------------------------------- one database


def _redis_url() -> str:
    """The bench's own Redis database, emptied; "" (local memory cache) without Redis."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).flushdb()
    except redis.RedisError:
        return ""
    return REDIS_URL


def server_environment(env: Any, redis_url: str) -> dict[str, str]:
    from bench.serving import BENCH_SETTINGS

    values = {
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "DATABASE_URL": env.url,
        "TONGBAN_VAR_DIR": str(env.var_dir),
        **RATES_LIFTED,
    }
    if redis_url:
        values["REDIS_URL"] = redis_url
    return values


def measure(db: str, params: Params, out: Path) -> None:
    from bench.database import Environment

    began = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[http {db} {time.perf_counter() - began:7.1f}s] {line}", flush=True)

    # Stopped from outside, still stop the server and remove the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    # Not the in-process suite's database: both may run at the same time.
    os.environ.setdefault("BENCH_POSTGRES_URL", POSTGRES_URL)
    env = Environment(db)
    env.configure()
    server: Any = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from bench.floor import floor_table_create
        from bench.report import database_info
        from bench.serving import gunicorn_start
        from tongban.cases.models import Case

        result: dict[str, Any] = {"database": database_info(), "sizes": []}
        result["setup"] = env.prepare(progress)
        # As a deployment does (tongban demo too): the pages' static files are collected.
        call_command("collectstatic", interactive=False, verbosity=0)
        floor_table_create()
        usernames = citizens_create(params.citizens)
        redis_url = _redis_url()
        values = server_environment(env, redis_url)
        result["server"] = {
            "workers": WORKERS,
            "threads": THREADS,
            "settings": values["DJANGO_SETTINGS_MODULE"],
            "cache": "redis" if redis_url else "local memory",
            "rates": RATES_LIFTED,
            "citizens": len(usernames),
            "material_bytes": MATERIAL_BYTES,
        }
        have = 0
        for size in params.sizes[db]:
            progress(f"{size:,} cases: generating {size - have:,}")
            step = {"cases": size, **grow(size, have, size, progress)}
            have = size
            step["case_rows"] = Case.objects.count()
            progress(f"  generated in {step['generate_s']:.0f} s ({step['case_rows']:,} case rows)")
            connection.close()
            # A server per size: none runs while cases are generated (the generator takes
            # case ids without locking, and requests still queued would take the same).
            server = gunicorn_start(
                port=_free_port(),
                workers=WORKERS,
                env=values,
                threads=THREADS,
                log_dir=env.var_dir / "logs",
            )
            result["server"]["argv"] = server.argv[1:]
            progress(f"  gunicorn {WORKERS} workers x {THREADS} threads on {server.url}")
            server_warm(server, 2 * params.warmup)
            tokens = tokens_issue(server.url, usernames)
            inputs = inputs_write(
                env.var_dir / "wrk", samples=params.samples, tokens=tokens, url=server.url
            )
            step["statements"] = statements_per_request(inputs, tokens[0])
            connection.close()
            step["results"] = measure_size(server, inputs, params, step["statements"], progress)
            server.stop()
            server = None
            result["sizes"].append(step)
        result["seconds"] = time.perf_counter() - began
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    finally:
        if server is not None:
            server.stop()
        env.cleanup()


# ----------------------------------------------------------------------------- the report


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def _database_cpu(db: str, row: dict[str, Any]) -> str:
    """PostgreSQL's backends; SQLite works inside the app's processes."""
    return _ms(row["database_cpu_ms_per_request"]) if db == "postgres" else "(in app)"


def _floor_cells(row: dict[str, Any]) -> str:
    """floor ops/s | ratio | floor-req/op, empty for the floors themselves."""
    if "floor_ops_per_s" not in row:
        return " | | "
    return (
        f"{row['floor_ops_per_s']:,.0f} | {row['ratio_to_floor']:.3f} "
        f"| {row['floor_requests_per_op']:.1f}"
    )


def markdown(run: dict[str, Any]) -> str:
    machine = run["machine"]
    databases = {db: run["databases"][db] for db in DATABASES if db in run["databases"]}
    dirty = " + uncommitted changes" if machine["uncommitted_changes"] else ""
    lines = [
        "# Tongban HTTP benchmark — latest run",
        "",
        f"- date: {machine['date']}; commit: {machine['commit']}{dirty}; mode: {run['mode']}; "
        f"{run['params']['seconds']} s per measurement after a {run['params']['warmup']} s "
        "warm-up",
        f"- machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), load average at start "
        f"{machine['load_average_at_start']}; Python {machine['python']}, Django "
        f"{machine['django']}; load generator wrk on the same machine (loopback)",
    ]
    for name, result in databases.items():
        db, server = result["database"], result["server"]
        details = ", ".join(f"{k}={v}" for k, v in db.items() if k not in ("vendor", "version"))
        lines.append(f"- {name}: {db['vendor']} {db['version']} ({details})")
        if "from_run" in result:
            origin = result["from_run"]
            lines.append(
                f"- {name} rows: from the earlier run of {origin['date']}, commit "
                f"{origin['commit']} (`bench/results/{origin['file']}`)"
            )
        lines.append(
            f"- {name} server: gunicorn {server['workers']} workers x {server['threads']} "
            f"threads (`tongban serve` argv), settings {server['settings']}, cache "
            f"{server['cache']}, status and token rate limits lifted; {server['citizens']} "
            f"citizens submitting, {server['material_bytes'] // 1024} KiB per material"
        )
    lines += targets(databases)
    lines += [
        "",
        "## All measurements",
        "",
        "*ops/s* is requests/s, or submissions/s for the submission (its requests/s ÷ the "
        "requests of one submission; the flows completed within the run are in the JSON); "
        "*ratio* = ops/s "
        "÷ the floor's requests/s at the same concurrency (reads against the primary-key "
        "select, the submission against the one-row insert); *floor-req/op* = how many floor "
        "requests one operation costs; latencies are wrk's, per request; *SQL/op* = "
        "statements one operation sends (counted in-process on the same data); *app CPU* = "
        "CPU time of the gunicorn workers, *DB CPU* = of the PostgreSQL backends serving "
        "them, per request; *load* = 1-minute load average after the run (2 CPUs: above 2, "
        "something else competed for them).",
        "",
        "| database | cases | endpoint | conns | ops/s | p50 ms | p95 ms | p99 ms | errors "
        "| floor ops/s | ratio | floor-req/op | SQL/op | app CPU ms/req | DB CPU ms/req "
        "| load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {e.name: e.label for e in ENDPOINTS}
    for name, result in databases.items():
        for step in result["sizes"]:
            for row in step["results"]:
                lines.append(
                    f"| {name} | {step['cases']:,} | {labels[row['endpoint']]} "
                    f"| {row['connections']} | {row['ops_per_s']:,.1f} | {_ms(row['p50_ms'])} "
                    f"| {_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} | {row['errors']} "
                    f"| {_floor_cells(row)} | {row['statements_per_op']} "
                    f"| {_ms(row['server_cpu_ms_per_request'])} "
                    f"| {_database_cpu(name, row)} | {row['load_average']:.1f} |"
                )
    lines += [
        "",
        "## Submission steps on the server",
        "",
        "Time gunicorn spent per request (its access log), so without wrk's queueing.",
        "",
        "| database | cases | conns | step | requests | p50 ms | p95 ms |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for name, result in databases.items():
        for step in result["sizes"]:
            for row in step["results"]:
                if row["endpoint"] != "submission":
                    continue
                for route, figures in sorted(row["server"].items()):
                    lines.append(
                        f"| {name} | {step['cases']:,} | {row['connections']} | `{route}` "
                        f"| {figures['n']:,} | {_ms(figures['p50_ms'])} "
                        f"| {_ms(figures['p95_ms'])} |"
                    )
    lines += [
        "",
        "## Data generation",
        "",
        "| database | cases | case rows | generate s | analyze s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, result in databases.items():
        for step in result["sizes"]:
            lines.append(
                f"| {name} | {step['cases']:,} | {step['case_rows']:,} "
                f"| {step['generate_s']:,.0f} | {step['analyze_s']:,.1f} |"
            )
    for name, result in databases.items():
        lines += _left_out(name, result["sizes"])
    return "\n".join(lines) + "\n"


def _left_out(db: str, steps: list[dict[str, Any]]) -> list[str]:
    """Why the largest size is missing: what generating it would have cost at this rate."""
    if not steps or steps[-1]["cases"] >= LARGEST:
        return []
    last = steps[-1]
    grown = last["cases"] - (steps[-2]["cases"] if len(steps) > 1 else 0)
    estimate = last["generate_s"] / grown * (LARGEST - last["cases"])
    return [
        "",
        f"{db}: not measured at {LARGEST:,} cases: at the rate measured here "
        f"({grown / last['generate_s']:,.0f} cases/s) generating them would take about "
        f"{estimate / 60:,.0f} minutes more.",
    ]


def _row(step: dict[str, Any], endpoint: str, connections: int) -> dict[str, Any] | None:
    found = [
        r for r in step["results"] if r["endpoint"] == endpoint and r["connections"] == connections
    ]
    return found[0] if found else None


def targets(databases: dict[str, dict[str, Any]]) -> list[str]:
    """The issue's targets next to this run's figures (8 connections), for the summary."""
    lines = [
        "",
        "## Against the targets (8 connections)",
        "",
        "| database | cases | status p95 ms (< 50) | growth from 10k (<= 1.5x) "
        "| search p95 ms (< 100) | growth from 10k | submissions/s (>= 200) "
        "| floor-req/submission |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in databases.items():
        steps = result["sizes"]
        first = {e: _row(steps[0], e, 8) for e in ("status_api", "search_api")}
        for step in steps:
            status, search = _row(step, "status_api", 8), _row(step, "search_api", 8)
            submission = _row(step, "submission", 8)
            if status is None or search is None or submission is None:
                continue
            growth = [
                row["p95_ms"] / base["p95_ms"] if base and base["p95_ms"] else 0.0
                for row, base in ((status, first["status_api"]), (search, first["search_api"]))
            ]
            lines.append(
                f"| {name} | {step['cases']:,} | {status['p95_ms']:.1f} | {growth[0]:.2f}x "
                f"| {search['p95_ms']:.1f} | {growth[1]:.2f}x | {submission['ops_per_s']:.1f} "
                f"| {submission['floor_requests_per_op']:,.0f} |"
            )
    return lines


# ----------------------------------------------------------------------------- entry point


def _child(db: str, params: Params, out: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            __file__,
            "--child",
            db,
            "--out",
            str(out),
            "--params",
            json.dumps(asdict(params)),
        ],
        check=True,
    )


def _earlier_databases(path: Path, measured: str) -> dict[str, Any]:
    """The databases of an earlier run that this one does not measure, each marked with
    the run it comes from, so one table shows both and says which commit each row ran."""
    earlier = json.loads(path.read_text())
    kept = {}
    for name, result in earlier["databases"].items():
        if measured in (name, "both"):
            continue
        origin = {"file": path.name, "commit": earlier["machine"]["commit"]}
        origin["date"] = earlier["machine"]["date"]
        kept[name] = {**result, "from_run": result.get("from_run", origin)}
    return kept


def main(argv: list[str] | None = None) -> int:
    from bench.report import machine_info
    from bench.serving import ensure_wrk

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="10k cases, short runs")
    parser.add_argument("--seconds", type=int, help="seconds per measurement")
    parser.add_argument("--max-cases", type=int, help="leave out the sizes above this")
    parser.add_argument("--no-save", action="store_true", help="print, do not write results")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--render", type=Path, help="rewrite http-latest.md from a results JSON")
    parser.add_argument(
        "--merge",
        type=Path,
        help="keep the databases this run leaves out from an earlier results JSON",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        given = json.loads(args.params)
        given["sizes"] = {k: tuple(v) for k, v in given["sizes"].items()}
        given["connections"] = tuple(given["connections"])
        measure(args.child, Params(**given), args.out)
        return 0
    if args.render:
        table = markdown(json.loads(args.render.read_text()))
        (RESULTS / "http-latest.md").write_text(table)
        print(table)
        return 0
    params = QUICK if args.quick else FULL
    if args.seconds:
        params = Params(**{**asdict(params), "seconds": args.seconds})
    if args.max_cases:
        sizes = {db: tuple(n for n in ns if n <= args.max_cases) for db, ns in params.sizes.items()}
        params = Params(**{**asdict(params), "sizes": sizes})
    ensure_wrk()
    run: dict[str, Any] = {
        "machine": machine_info(),
        "mode": "quick" if args.quick else "full",
        "params": asdict(params),
        "databases": _earlier_databases(args.merge, args.db) if args.merge else {},
    }
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    commit = run["machine"]["commit"] or "nocommit"
    name = f"http-{stamp}-{commit}{'-quick' if args.quick else ''}.json"
    # PostgreSQL first: it is the shorter run. The files are written after each database,
    # so an interrupted run still leaves what it finished.
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        out = RESULTS / f".http-{db}.json"
        _child(db, params, out)
        run["databases"][db] = json.loads(out.read_text())
        out.unlink()
        table = markdown(run)
        text = json.dumps(run, ensure_ascii=False, indent=1)
        if args.json:
            args.json.write_text(text)
        if not args.no_save:
            (RESULTS / name).write_text(text)
            (RESULTS / "http-latest.md").write_text(table)
    print(table)
    if not args.no_save:
        print(f"results: bench/results/{name}, bench/results/http-latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
