"""Scale-out on one machine: two app nodes and two workers against one PostgreSQL and one
Redis, behind a round-robin proxy (bench/proxy.py); shown to work, then measured.

    python bench/scaleout.py [--quick] [--seconds S] [--no-save]

On a throwaway PostgreSQL database (bench/database.py) with the demo province and
generated cases, with ``REDIS_URL`` on a Redis database of its own (cache and rate limits
shared by every process), it starts two gunicorn nodes (``tongban serve``'s argv, 2
workers x 4 threads each), two ``tongban worker`` processes and the proxy, then checks:

- sessions: a staff member signs in with the login form through the proxy and the session
  works on either node; an API token issued through the proxy works on either node;
- data: a case created, given its materials and submitted on node A is the same case on
  node B (API, staff page, material file); a task completed on B shows on A;
- rate limits: a per-address limit counts requests to both nodes together;
- outbox: under a burst of submissions through the proxy, every event is delivered once
  (one attempt, one receipt per handler) and the two workers' counts add up to the events;
- periodic jobs (at short intervals for the run): each runs once per interval in total,
  never twice within an interval, and the runs the workers log add up to those seen;

then measures a read mix with wrk (status query API, service search API, the service
search page, and the three interleaved) against node A directly, through the proxy to
node A only, and through the proxy to both nodes; and finally kills node B during a load
run (the proxy skips it) and restarts it (it rejoins).

Results: ``bench/results/scaleout-<date>-<commit>[-quick].json`` and
``scaleout-latest.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the bench package importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench_scaleout"
REDIS_URL = os.environ.get("BENCH_SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/9")
WORKERS, THREADS = 2, 4  # per node: `tongban serve`'s defaults
CKAN_RATE = 10  # anonymous CKAN calls per minute and address during the run
# Periodic jobs at short intervals while the workers are watched (seconds).
SHORT_INTERVALS = {
    "TONGBAN_WORKFLOW_TIMER_SECONDS": "3",
    "TONGBAN_AUDIT_CHECKPOINT_SECONDS": "3",
    "TONGBAN_SUPERVISION_SWEEP_SECONDS": "4",
}
ENDPOINTS = ("status_api", "search_api", "search_page", "mix")
LABELS = {
    "status_api": "status query API",
    "search_api": "service search API",
    "search_page": "service search page",
    "mix": "mix of the three",
}
CONFIGS = ("direct", "proxy-1", "proxy-2")
CONFIG_LABELS = {
    "direct": "node A directly",
    "proxy-1": "proxy -> node A",
    "proxy-2": "proxy -> nodes A + B",
}
STAFF, APPLICANT = "chuangkou", "hbcanyin"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Params:
    cases: int
    seconds: int
    warmup: int
    connections: int
    burst_seconds: int
    citizens: int
    watch_seconds: int  # how long the periodic jobs are watched at least


FULL = Params(
    cases=10_000,
    seconds=8,
    warmup=2,
    connections=16,
    burst_seconds=6,
    citizens=8,
    watch_seconds=24,
)
QUICK = Params(
    cases=2_000,
    seconds=3,
    warmup=1,
    connections=16,
    burst_seconds=3,
    citizens=4,
    watch_seconds=15,
)


# ----------------------------------------------------------------------------- HTTP


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers.items():
            if name == "set-cookie":
                for cookie in value.split("\n"):
                    key, _, rest = cookie.partition("=")
                    found[key.strip()] = rest.split(";", 1)[0]
        return found


def fetch(
    base: str,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request on a new connection, redirects not followed."""
    import http.client

    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        collected: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            collected[key] = f"{collected[key]}\n{value}" if key in collected else value
        return Reply(response.status, collected, response.read())
    finally:
        connection.close()


def api(base: str, method: str, path: str, token: str = "", payload: Any = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None if payload is None else json.dumps(payload).encode()
    return fetch(base, f"/api/v1{path}", method=method, body=body, headers=headers)


def upload(base: str, path: str, token: str, name: str, content: bytes) -> Reply:
    boundary = f"tongban-{uuid.uuid4().hex}"
    body = b"\r\n".join(
        [
            f"--{boundary}".encode(),
            b'Content-Disposition: form-data; name="name"',
            b"",
            name.encode(),
            f"--{boundary}".encode(),
            b'Content-Disposition: form-data; name="file"; filename="material.pdf"',
            b"Content-Type: application/pdf",
            b"",
            content,
            f"--{boundary}--".encode(),
            b"",
        ]
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    return fetch(base, f"/api/v1{path}", method="POST", body=body, headers=headers)


def token_issue(base: str, username: str) -> str:
    from tongban.demo.data import DEMO_PASSWORD

    reply = api(
        base, "POST", "/auth/token", payload={"username": username, "password": DEMO_PASSWORD}
    )
    expect(reply.status == 200, f"token for {username}: {reply.status} {reply.body[:200]!r}")
    token: str = reply.json()["access_token"]
    return token


def form_login(base: str, username: str) -> str:
    """Sign in with the login form; returns the session cookie."""
    from tongban.demo.data import DEMO_PASSWORD

    page = fetch(base, "/accounts/login/")
    csrf = page.cookies()["csrftoken"]
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if found is None:
        raise CheckFailed("no CSRF token in the login form")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": found.group(1).decode(),
        }
    )
    reply = fetch(
        base,
        "/accounts/login/",
        method="POST",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    expect(reply.status == 302, f"login answered {reply.status}")
    return reply.cookies()["sessionid"]


class CheckFailed(AssertionError):
    """A scale-out property did not hold; the run reports it and goes on."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ProxyProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> str:
        """Stop it and return its closing line (connections per backend)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        lines = self.log.read_text(errors="replace").splitlines()
        return next((line for line in reversed(lines) if "forwarded" in line), "")


def proxy_start(backends: list[str], log_dir: Path) -> ProxyProcess:
    port = free_port()
    log = log_dir / f"proxy-{port}.log"
    argv = [sys.executable, "-m", "bench.proxy", "--listen", f"127.0.0.1:{port}"]
    for backend in backends:
        argv += ["--backend", urllib.parse.urlsplit(backend).netloc]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=out)  # noqa: S603
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"proxy did not start: {log.read_text()}") from None
            time.sleep(0.05)
    return ProxyProcess(f"http://127.0.0.1:{port}", process, log)


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_pids() -> list[int]:
    """The PostgreSQL backends connected to this database, but this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def cpu_snapshot(cluster: Cluster, proxy: ProxyProcess | None) -> dict[str, dict[int, float]]:
    """CPU seconds per process of the nodes (gunicorn masters and their workers), the
    proxy, the Tongban workers and the database backends."""
    groups = {
        "app": [p for node in cluster.nodes for p in [node.pid, *children(node.pid)]],
        "proxy": [proxy.process.pid] if proxy else [],
        "workers": [worker.pid for worker in cluster.workers],
        "database": database_pids(),
    }
    return {name: {pid: process_cpu(pid) for pid in pids} for name, pids in groups.items()}


def cpu_spent(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds per group between two snapshots; a process that started in between
    counts whole, one that ended in between (a database connection recycled) is lost."""
    return {
        name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in pids.items())
        for name, pids in after.items()
    }


def node_kill(server: Any) -> None:
    """SIGKILL a gunicorn node, workers first, as if its machine died."""
    for pid in [*children(server.pid), server.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    server.process.wait()


def access_lines(server: Any) -> int:
    try:
        with server.access_log.open("rb") as log:
            return sum(1 for _ in log)
    except OSError:
        return 0


@dataclass
class Cluster:
    env: dict[str, str]
    log_dir: Path
    nodes: list[Any] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    proxies: dict[str, ProxyProcess] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    def node_start(self, index: int, port: int) -> Any:
        from bench.serving import gunicorn_start

        server = gunicorn_start(
            port=port, workers=WORKERS, env=self.env, threads=THREADS, log_dir=self.log_dir
        )
        if index < len(self.nodes):
            self.nodes[index] = server
        else:
            self.nodes.append(server)
            self.ports.append(port)
        return server

    def workers_start(self, tag: str, timeout: float = 120) -> None:
        """Two workers (with this process's environment under the cluster's), returning
        once both have said they started."""
        from bench.serving import worker_start

        for n in range(2):
            path = self.log_dir / f"worker-{tag}-{n + 1}.log"
            with path.open("w") as log:
                self.workers.append(worker_start(self.env, log))
            self.worker_logs.append(path)
        deadline = time.monotonic() + timeout
        while not all("worker started" in path.read_text() for path in self.worker_logs):
            if time.monotonic() > deadline or any(w.poll() is not None for w in self.workers):
                raise RuntimeError(f"the workers did not start; see {self.log_dir}")
            time.sleep(0.2)

    def workers_stop(self) -> list[str]:
        """SIGTERM (a worker finishes its pass); returns the logs of the stopped workers."""
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        logs = [path.read_text(errors="replace") for path in self.worker_logs]
        self.workers, self.worker_logs = [], []
        return logs

    def stop(self) -> None:
        for proxy in self.proxies.values():
            proxy.stop()
        self.workers_stop()
        for node in self.nodes:
            node.stop()


# ----------------------------------------------------------------------------- the checks


def verify(
    results: dict[str, Any],
    name: str,
    progress: Progress,
    function: Callable[..., dict[str, Any]],
    *args: Any,
) -> None:
    """Run a check and record what it found (``ok`` and its details) under ``name``."""
    try:
        found = {"ok": True, **function(*args)}
    except CheckFailed as exc:
        found = {"ok": False, "failure": str(exc)}
    results[name] = found
    progress(f"  check {name}: {'ok' if found['ok'] else 'FAILED: ' + found['failure']}")


def sessions_shared(cluster: Cluster) -> dict[str, Any]:
    """A session from the login form and a token, both obtained through the proxy, work on
    each node directly."""
    proxy = cluster.proxies["proxy-2"].url
    session = form_login(proxy, STAFF)
    pages = {}
    for label, node in zip("AB", cluster.nodes, strict=True):
        page = fetch(node.url, "/workbench/", headers={"Cookie": f"sessionid={session}"})
        expect(page.status == 200, f"workbench on node {label}: {page.status} (not signed in)")
        pages[label] = page.status
    token = token_issue(proxy, APPLICANT)
    users = {}
    for label, node in zip("AB", cluster.nodes, strict=True):
        reply = api(node.url, "GET", "/me", token)
        expect(reply.status == 200, f"/api/v1/me on node {label}: {reply.status}")
        users[label] = reply.json()["username"]
    expect(set(users.values()) == {APPLICANT}, f"token users {users}")
    return {"workbench_status": pages, "token_user": users}


def case_across_nodes(cluster: Cluster) -> dict[str, Any]:
    """Create, fill and submit a case on node A; read it on node B; decide on B, read on A."""
    from bench.cases import BUNDLE, FORM
    from bench.web import pdf_bytes

    a, b = (node.url for node in cluster.nodes)
    applicant = token_issue(a, APPLICANT)
    created = api(a, "POST", "/applications", applicant, {"bundle": BUNDLE, "form": FORM})
    expect(created.status == 201, f"create on A: {created.status} {created.body[:300]!r}")
    case = created.json()
    content = pdf_bytes(4096)
    for material in case["required_materials"]:
        if material["required"]:
            stored = upload(
                a, f"/applications/{case['id']}/materials", applicant, material["name"], content
            )
            expect(stored.status == 201, f"material on A: {stored.status}")
    submitted = api(a, "POST", f"/applications/{case['id']}/submit", applicant)
    expect(submitted.status == 200, f"submit on A: {submitted.status} {submitted.body[:300]!r}")
    number = submitted.json()["number"]
    on_b = api(b, "GET", f"/applications/{case['id']}", applicant).json()
    expect(
        (on_b["number"], on_b["status"]) == (number, "submitted"),
        f"on B: {on_b.get('number')} {on_b.get('status')}",
    )
    material = on_b["materials"][0]
    file = fetch(
        b,
        f"/api/v1/applications/{case['id']}/materials/{material['id']}/file",
        headers={"Authorization": f"Bearer {applicant}"},
    )
    expect(file.status == 200 and file.body == content, f"material file on B: {file.status}")
    session = form_login(b, STAFF)
    page = fetch(b, f"/workbench/cases/{case['id']}/", headers={"Cookie": f"sessionid={session}"})
    expect(page.status == 200 and number.encode() in page.body, f"staff page on B: {page.status}")
    staff = token_issue(b, STAFF)
    tasks = api(b, "GET", "/tasks", staff).json()["items"]
    mine = [
        t for t in tasks if t["business_type"] == "case" and t["business_id"] == str(case["id"])
    ]
    expect(len(mine) == 1, f"intake tasks of the case in the inbox on B: {len(mine)}")
    task = mine[0]
    decided = api(
        b, "POST", f"/tasks/{task['id']}/complete", staff, {"decision": "approve", "comment": ""}
    )
    expect(decided.status == 200, f"intake on B: {decided.status} {decided.body[:300]!r}")
    on_a = api(a, "GET", f"/applications/{case['id']}", applicant).json()
    expect(on_a["status"] == "in_review", f"after intake on B, A says {on_a['status']}")
    return {"case": number, "status_on_b": on_b["status"], "status_on_a_after_b": on_a["status"]}


def rate_limit_shared(cluster: Cluster) -> dict[str, Any]:
    """Anonymous CKAN calls, alternately to node A and node B: the limit counts them all."""
    answers = [
        fetch(cluster.nodes[n % 2].url, "/api/3/action/package_list").status
        for n in range(2 * CKAN_RATE)
    ]
    allowed = answers.count(200)
    expect(allowed == CKAN_RATE, f"{allowed} of {len(answers)} allowed at {CKAN_RATE}/min")
    return {
        "limit_per_min": CKAN_RATE,
        "requests": len(answers),
        "allowed": allowed,
        "refused": answers.count(429),
    }


# ----------------------------------------------------------------------------- outbox, jobs


class JobWatcher:
    """Polls the periodic jobs' state rows; every new ``last_run_at`` is one run. The values
    found at the start (the setup's runs) count for the gaps, not as runs."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.initial: dict[str, datetime] = {}
        self.seen: dict[str, set[datetime]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> JobWatcher:
        self.poll_once()
        self.initial = {name: max(times) for name, times in self.seen.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.poll_once()  # a run that committed after the thread's last look

    def poll_once(self) -> None:
        from tongban.core.models import PeriodicJobState

        for name, at in PeriodicJobState.objects.values_list("name", "last_run_at"):
            if at is not None:
                self.seen.setdefault(name, set()).add(at)

    def _poll(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(self.interval):
                self.poll_once()
        finally:
            connection.close()


WORKER_PASS = re.compile(r"delivered (\d+) events; ran (.*)$")


def worker_passes(log: str) -> tuple[int, list[str]]:
    """Events delivered and job runs in a worker's log."""
    jobs: list[str]
    delivered, jobs = 0, []
    for line in log.splitlines():
        found = WORKER_PASS.search(line)
        if found:
            delivered += int(found.group(1))
            if found.group(2) != "no jobs":
                jobs += found.group(2).split(", ")
    return delivered, jobs


def outbox_mark() -> int:
    from tongban.core.models import OutboxEvent

    return OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def outbox_drained(mark: int, timeout: float) -> float:
    """Wait until every event after ``mark`` is delivered (or failed for good)."""
    from tongban.core.models import OutboxEvent

    started = time.monotonic()
    pending = OutboxEvent.objects.filter(id__gt=mark, delivered_at__isnull=True)
    while pending.exists():
        expect(time.monotonic() - started < timeout, f"{pending.count()} events still pending")
        time.sleep(0.5)
    return time.monotonic() - started


def outbox_once(mark: int, logs: list[str]) -> dict[str, Any]:
    from django.db.models import Count

    from tongban.core import events
    from tongban.core.models import HandlerReceipt, OutboxEvent

    created = OutboxEvent.objects.filter(id__gt=mark)
    total = created.count()
    delivered = created.filter(delivered_at__isnull=False).count()
    attempts = dict(created.values_list("attempts").annotate(n=Count("id")).order_by("attempts"))
    expected = sum(
        len(events.subscribers(topic)) for topic in created.values_list("topic", flat=True)
    )
    receipts = HandlerReceipt.objects.filter(event_id__gt=mark).count()
    per_worker = [worker_passes(log)[0] for log in logs]
    found = {
        "events": total,
        "delivered": delivered,
        "attempts": attempts,
        "handler_receipts": receipts,
        "receipts_expected": expected,
        "delivered_per_worker": per_worker,
    }
    expect(total > 0, "no events were written")
    expect(delivered == total, f"{total - delivered} events undelivered")
    expect(set(attempts) == {1}, f"events delivered in more than one attempt: {attempts}")
    expect(receipts == expected, f"{receipts} handler receipts, {expected} expected")
    expect(sum(per_worker) == total, f"workers report {per_worker} deliveries for {total} events")
    return found


@dataclass
class JobRuns:
    every_s: int
    runs: int  # by the workers while watched
    runs_logged_per_worker: list[int]
    min_gap_s: float  # between consecutive runs, the setup's run included


def periodic_once(watcher: JobWatcher, logs: list[str], seconds: float) -> dict[str, Any]:
    """Every job due several times while watched ran at most once per interval in all,
    and what the two workers logged adds up to the runs seen in the database."""
    from tongban.core import periodic

    per_worker = [worker_passes(log)[1] for log in logs]
    jobs: dict[str, JobRuns] = {}
    for job in periodic.jobs():
        times = sorted(watcher.seen.get(job.name, set()))
        if job.every_seconds > seconds / 3 or len(times) < 2:
            continue
        gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
        jobs[job.name] = JobRuns(
            every_s=job.every_seconds,
            runs=len([t for t in times if t != watcher.initial.get(job.name)]),
            runs_logged_per_worker=[jobs_of.count(job.name) for jobs_of in per_worker],
            min_gap_s=round(min(gaps), 3),
        )
    expect(bool(jobs), "no periodic job ran several times while watched")
    for name, found in jobs.items():
        expect(found.min_gap_s >= found.every_s, f"{name} ran twice in {found.min_gap_s} s")
        expect(
            sum(found.runs_logged_per_worker) == found.runs,
            f"{name}: workers logged {found.runs_logged_per_worker} runs, {found.runs} seen",
        )
    return {"watched_s": round(seconds, 1), "jobs": {n: asdict(j) for n, j in jobs.items()}}


# ----------------------------------------------------------------------------- measuring


def mix_write(inputs: Any) -> dict[str, str]:
    """The three read endpoints' requests interleaved line by line, in one file."""
    files = [Path(inputs.env[name]["WRK_REQUESTS"]) for name in ENDPOINTS[:3]]
    rows = [path.read_text(encoding="utf-8").splitlines() for path in files]
    shortest = min(len(r) for r in rows)
    mixed = [line for group in zip(*(r[:shortest] for r in rows), strict=True) for line in group]
    path = inputs.directory / "mix.txt"
    path.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    return {"WRK_REQUESTS": str(path)}


def targets(cluster: Cluster) -> dict[str, str]:
    return {
        "direct": cluster.nodes[0].url,
        "proxy-1": cluster.proxies["proxy-1"].url,
        "proxy-2": cluster.proxies["proxy-2"].url,
    }


def measure_one(
    cluster: Cluster, config: str, endpoint: str, env: dict[str, str], params: Params
) -> dict[str, Any]:
    from bench.serving import wrk_run

    url = targets(cluster)[config] + "/"

    def run(seconds: int) -> Any:
        return wrk_run(
            url, seconds=seconds, connections=params.connections, script="requests.lua", env=env
        )

    run(params.warmup)
    proxy = cluster.proxies.get(config)
    lines = [access_lines(node) for node in cluster.nodes]
    before = cpu_snapshot(cluster, proxy)
    result = run(params.seconds)
    spent = cpu_spent(before, cpu_snapshot(cluster, proxy))
    per = 1000 / result.requests if result.requests else 0.0
    return {
        "config": config,
        "endpoint": endpoint,
        **result.as_dict(),
        "per_node_requests": [
            access_lines(node) - n for node, n in zip(cluster.nodes, lines, strict=True)
        ],
        "app_cpu_ms_per_request": spent["app"] * per,
        "proxy_cpu_ms_per_request": spent["proxy"] * per,
        "database_cpu_ms_per_request": spent["database"] * per,
        "client_cpu_ms_per_request": result.client_cpu_s * per,
        "load_average": os.getloadavg()[0],
    }


AVERAGED = (
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "app_cpu_ms_per_request",
    "proxy_cpu_ms_per_request",
    "database_cpu_ms_per_request",
    "client_cpu_ms_per_request",
)


def measure(
    cluster: Cluster, inputs: Any, params: Params, progress: Progress
) -> list[dict[str, Any]]:
    """Each endpoint against each target, in two rounds in opposite orders (so that drift
    on a shared machine does not favour one target)."""
    rows = []
    for endpoint in ENDPOINTS:
        env = mix_write(inputs) if endpoint == "mix" else inputs.env[endpoint]
        for round_, order in enumerate((CONFIGS, CONFIGS[::-1])):
            for config in order:
                env = {**env, "WRK_RUN": str(time.time_ns())}
                row = {"round": round_, **measure_one(cluster, config, endpoint, env, params)}
                rows.append(row)
                progress(
                    f"  {endpoint:11} {config:7} {row['rps']:7.1f} req/s  p50 {row['p50_ms']:.1f}"
                    f" p95 {row['p95_ms']:.1f} p99 {row['p99_ms']:.1f} ms  errors {row['errors']}"
                    f"  nodes {row['per_node_requests']}"
                )
    return rows


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per endpoint and target: the means of the rounds, their requests and errors added
    up, and how far the rounds' rates were apart."""
    found = []
    for endpoint in ENDPOINTS:
        for config in CONFIGS:
            runs = [r for r in rows if (r["endpoint"], r["config"]) == (endpoint, config)]
            rates = [r["rps"] for r in runs]
            found.append(
                {
                    "endpoint": endpoint,
                    "config": config,
                    **{name: statistics.fmean(r[name] for r in runs) for name in AVERAGED},
                    "rps_spread": (max(rates) - min(rates)) / statistics.fmean(rates),
                    "requests": sum(r["requests"] for r in runs),
                    "errors": sum(r["errors"] for r in runs),
                    "per_node_requests": [
                        sum(n) for n in zip(*(r["per_node_requests"] for r in runs), strict=True)
                    ],
                }
            )
    return found


def failover(cluster: Cluster, inputs: Any, params: Params) -> dict[str, Any]:
    """Kill node B during a load run through the proxy; the proxy skips it; restart it and
    it gets connections again."""
    from bench.serving import wrk_run

    proxy = cluster.proxies["proxy-2"]
    seconds = max(2 * params.seconds, 8)
    kill_at = seconds / 3
    before = [access_lines(node) for node in cluster.nodes]
    killer = threading.Timer(kill_at, node_kill, args=(cluster.nodes[1],))
    killer.start()
    env = {**inputs.env["search_api"], "WRK_RUN": str(time.time_ns())}
    result = wrk_run(
        proxy.url + "/",
        seconds=seconds,
        connections=params.connections,
        script="requests.lua",
        env=env,
    )
    killer.join()
    served = [access_lines(node) - n for node, n in zip(cluster.nodes, before, strict=True)]
    after = [fetch(proxy.url, "/healthz").status for _ in range(20)]
    expect(after == [200] * 20, f"after the kill, through the proxy: {after}")
    expect(result.rps > 0 and served[0] > served[1], f"requests per node during the run: {served}")
    cluster.node_start(1, cluster.ports[1])
    time.sleep(2.5)  # the proxy's cooldown (2 s) for a backend that refused
    rejoined_before = access_lines(cluster.nodes[1])
    back = [fetch(proxy.url, "/healthz").status for _ in range(10)]
    rejoined = access_lines(cluster.nodes[1]) - rejoined_before
    expect(back == [200] * 10 and rejoined > 0, f"after restarting B: {back}, B served {rejoined}")
    return {
        "run_s": seconds,
        "killed_at_s": kill_at,
        "requests": result.requests,
        "rps": result.rps,
        "errors": result.errors,
        "error_share": result.errors / max(result.requests, 1),
        "served_per_node": served,
        "after_kill_healthz": f"{after.count(200)}/20 ok",
        "after_restart_b_served": rejoined,
    }


# ----------------------------------------------------------------------------- the run


def tables_count() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 - catalog names
            counts[name] = cursor.fetchone()[0]
    return counts


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size: int = cursor.fetchone()[0]
        return size


def growth_per_case(before: dict[str, int], after: dict[str, int], cases: int) -> dict[str, float]:
    """Rows each submitted case added per table (the twelve that grew most), with what the
    workers wrote while delivering its events."""
    grown = {name: (after[name] - before.get(name, 0)) / cases for name in after}
    top = sorted(grown.items(), key=lambda item: -item[1])[:12]
    return {name: round(rows, 2) for name, rows in top if rows > 0}


def burst(cluster: Cluster, inputs: Any, params: Params) -> dict[str, Any]:
    """Complete submissions through the proxy, one citizen per connection."""
    from bench.serving import wrk_run

    env = {**inputs.env["submission"], "WRK_RUN": str(time.time_ns())}
    connections = params.citizens
    result = wrk_run(
        cluster.proxies["proxy-2"].url + "/",
        seconds=params.burst_seconds,
        connections=connections,
        threads=connections,
        script="submit.lua",
        env=env,
    )
    submissions = int(result.extra.get("submissions", 0))
    return {
        "connections": connections,
        "seconds": result.seconds,
        "requests": result.requests,
        "errors": result.errors,
        "submissions": submissions,
        "submissions_per_s": submissions / result.seconds if result.seconds else 0.0,
        "p50_ms": result.p50_ms,
        "p95_ms": result.p95_ms,
    }


def redis_flushed() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).flushdb()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis is needed for the scale-out run ({REDIS_URL}): {exc}") from exc
    return REDIS_URL


@contextmanager
def environment(progress: Progress) -> Iterator[Any]:
    from bench.database import Environment

    os.environ.setdefault("BENCH_POSTGRES_URL", POSTGRES_URL)
    # This process reads the periodic jobs' intervals too (the checks compare with them).
    os.environ.update(SHORT_INTERVALS)
    env = Environment("postgres")
    env.configure()
    try:
        import django

        django.setup()
        yield env
    finally:
        progress("cleaning up")
        env.cleanup()


def node_env(env: Any, redis_url: str) -> dict[str, str]:
    from bench.serving import BENCH_SETTINGS
    from bench.web import RATES_LIFTED

    return {
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "DATABASE_URL": env.url,
        "TONGBAN_VAR_DIR": str(env.var_dir),
        "REDIS_URL": redis_url,
        "TONGBAN_RATE_CKAN": f"{CKAN_RATE}/m",
        "PYTHONUNBUFFERED": "1",
        **RATES_LIFTED,
    }


def prepare(env: Any, params: Params, progress: Progress) -> dict[str, Any]:
    """Migrate, load the demo, generate cases and citizens; deliver the setup's events and
    mark every periodic job as just run, so that the workers start with nothing left over
    (the first registry sync alone takes minutes, and only the short jobs are watched)."""
    from django.utils import timezone

    from bench.web import citizens_create, grow
    from tongban.core import periodic
    from tongban.core.models import PeriodicJobState
    from tongban.core.services import outbox_deliver

    setup: dict[str, Any] = env.prepare(progress)
    started = time.perf_counter()
    setup["generated"] = grow(params.cases, 0, 1, progress)["generated"]
    setup["generate_s"] = time.perf_counter() - started
    progress(f"  {params.cases:,} cases generated in {setup['generate_s']:.0f} s")
    setup["citizens"] = citizens_create(params.citizens)
    started = time.perf_counter()
    while outbox_deliver():
        pass
    setup["outbox_backlog_s"] = time.perf_counter() - started
    progress(f"  the setup's events delivered in {setup['outbox_backlog_s']:.0f} s")
    now = timezone.now()
    for job in periodic.jobs():
        PeriodicJobState.objects.update_or_create(name=job.name, defaults={"last_run_at": now})
    return setup


def run_all(params: Params, progress: Progress) -> dict[str, Any]:
    from django.db import connection

    from bench.report import database_info
    from bench.web import inputs_write, server_warm, tokens_issue

    result: dict[str, Any] = {}
    with environment(progress) as env:
        result["database"] = database_info()
        result["setup"] = prepare(env, params, progress)
        citizens = result["setup"].pop("citizens")
        cluster = Cluster(node_env(env, redis_flushed()), env.var_dir / "logs")
        connection.close()
        try:
            for index in range(2):
                node = cluster.node_start(index, free_port())
                progress(f"node {'AB'[index]}: {WORKERS} workers x {THREADS} threads, {node.url}")
                server_warm(node, seconds=params.warmup)
            urls = [node.url for node in cluster.nodes]
            cluster.proxies["proxy-2"] = proxy_start(urls, cluster.log_dir)
            cluster.proxies["proxy-1"] = proxy_start(urls[:1], cluster.log_dir)
            for name, proxy in cluster.proxies.items():
                progress(f"{name}: {proxy.url} -> {CONFIG_LABELS[name].split('-> ')[1]}")
            tokens = tokens_issue(cluster.proxies["proxy-2"].url, citizens)
            inputs = inputs_write(env.var_dir / "wrk", samples=2_000, tokens=tokens, url=urls[0])
            result["checks"] = checks_run(cluster, inputs, params, progress)
            for name in SHORT_INTERVALS:
                os.environ.pop(name)
            cluster.workers_start("default")
            progress("two workers at the default intervals; measuring")
            result["measurements"] = measure(cluster, inputs, params, progress)
            result["summary"] = summary(result["measurements"])
            progress("killing node B during a run through the proxy")
            verify(result["checks"], "failover", progress, failover, cluster, inputs, params)
            result["proxy_counters"] = {
                name: proxy.stop() for name, proxy in cluster.proxies.items()
            }
        finally:
            cluster.stop()
            connection.close()
    return result


def checks_run(cluster: Cluster, inputs: Any, params: Params, progress: Progress) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    mark = outbox_mark()
    with JobWatcher() as watcher:
        cluster.workers_start("short")
        started = time.monotonic()
        progress(f"two workers, periodic jobs every {', '.join(SHORT_INTERVALS.values())} s")
        verify(checks, "sessions", progress, sessions_shared, cluster)
        verify(checks, "case_across_nodes", progress, case_across_nodes, cluster)
        verify(checks, "rate_limit", progress, rate_limit_shared, cluster)
        before, size = tables_count(), database_bytes()
        cpu = cpu_snapshot(cluster, cluster.proxies["proxy-2"])
        load = burst(cluster, inputs, params)
        rate = load["submissions_per_s"]
        progress(f"  burst: {load['submissions']} submissions through the proxy ({rate:.1f}/s)")
        drained = outbox_drained(mark, timeout=120)
        spent = cpu_spent(cpu, cpu_snapshot(cluster, cluster.proxies["proxy-2"]))
        after = tables_count()
        cases = max(load["submissions"], 1)
        load["drain_after_s"] = drained
        # The whole cost of a submission: its requests, and its events in the workers.
        load["cpu_ms_per_case"] = {name: 1000 * s / cases for name, s in spent.items()}
        load["rows_per_case"] = growth_per_case(before, after, cases)
        load["database_bytes_per_case"] = (database_bytes() - size) / cases
        checks["burst"] = load
        time.sleep(max(0.0, params.watch_seconds - (time.monotonic() - started)))
        watched = time.monotonic() - started
        logs = cluster.workers_stop()
    verify(checks, "outbox_once", progress, outbox_once, mark, logs)
    verify(checks, "periodic_once", progress, periodic_once, watcher, logs, watched)
    return checks


# ----------------------------------------------------------------------------- the report


def _load_during(run: dict[str, Any]) -> str:
    return f"{statistics.fmean(r['load_average'] for r in run['measurements']):.1f}"


def markdown(run: dict[str, Any]) -> str:
    machine, params = run["machine"], run["params"]
    dirty = " + uncommitted changes" if machine["uncommitted_changes"] else ""
    db = run["database"]
    lines = [
        "# Tongban scale-out on one machine — latest run",
        "",
        f"- date: {machine['date']}; commit: {machine['commit']}{dirty}; mode: {run['mode']}; "
        f"{params['seconds']} s per measurement after a {params['warmup']} s warm-up, "
        f"{params['connections']} connections",
        f"- machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), load average at start "
        f"{machine['load_average_at_start'][0]}, {_load_during(run)} after the measurements "
        "on average (above the CPU count, other work competed for them); everything on it: "
        "PostgreSQL, Redis, two gunicorn nodes "
        f"({WORKERS} workers x {THREADS} threads each), two workers, the proxy "
        "(bench/proxy.py, asyncio, one process) and wrk",
        f"- {db['vendor']} {db['version']}; {params['cases']:,} generated cases on top of the demo "
        "province; Redis cache shared by all processes",
        "",
        "## Correctness",
        "",
        "| check | result | details |",
        "|---|---|---|",
    ]
    for name, found in run["checks"].items():
        if name == "burst":
            continue
        details = found.get("failure") or json.dumps(
            {k: v for k, v in found.items() if k != "ok"}, ensure_ascii=False
        )
        lines.append(f"| {name} | {'ok' if found['ok'] else '**FAILED**'} | {details} |")
    load = run["checks"]["burst"]
    lines += [
        "",
        f"Burst: {load['submissions']} complete submissions (create + materials + submit) in "
        f"{load['seconds']:.1f} s through the proxy to both nodes "
        f"({load['submissions_per_s']:.1f}/s, "
        f"{load['connections']} citizens at once, {load['errors']} errors) while the workers "
        f"delivered their events; outbox empty {load['drain_after_s']:.1f} s after the burst. "
        "CPU per submitted case, burst and delivery together (ms): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in load["cpu_ms_per_case"].items())
        + f". Database growth per case: {load['database_bytes_per_case'] / 1024:.0f} KiB; "
        "rows added per submitted case in the tables that grew most (the drafts the burst left "
        "unfinished included, so upper bounds): "
        + ", ".join(f"`{name}` {rows}" for name, rows in load["rows_per_case"].items())
        + ".",
        "",
        "## Read throughput: one node directly vs the proxy",
        "",
        "Two rounds per endpoint and target, in opposite orders; figures are the rounds' means "
        "(*spread* = how far the two rounds' req/s were apart). *app CPU* = the gunicorn "
        "nodes' CPU per request, *proxy CPU* = the proxy's, *DB CPU* = PostgreSQL's "
        "backends', *wrk CPU* = the load generator's; *per node* = requests each node served "
        "(access logs). Two cores in all: a second node adds processes, not CPU.",
        "",
        "| endpoint | target | req/s | spread | p50 ms | p95 ms | p99 ms | errors "
        "| per node (A, B) | app CPU ms/req | proxy CPU ms/req | DB CPU ms/req "
        "| wrk CPU ms/req |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for row in run["summary"]:
        lines.append(
            f"| {LABELS[row['endpoint']]} | {CONFIG_LABELS[row['config']]} | {row['rps']:,.0f} "
            f"| {row['rps_spread']:.0%} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} "
            f"| {', '.join(f'{n:,}' for n in row['per_node_requests'])} "
            f"| {row['app_cpu_ms_per_request']:.2f} | {row['proxy_cpu_ms_per_request']:.2f} "
            f"| {row['database_cpu_ms_per_request']:.2f} | {row['client_cpu_ms_per_request']:.2f} |"
        )
    fail = run["checks"].get("failover", {})
    if fail.get("ok"):
        lines += [
            "",
            "## Losing a node",
            "",
            f"Node B was killed (SIGKILL, workers and master) {fail['killed_at_s']:.1f} s into a "
            f"{fail['run_s']} s search API run through the proxy: {fail['requests']:,} requests, "
            f"{fail['rps']:,.0f}/s, {fail['errors']} errors ({fail['error_share']:.2%}: the "
            "requests in flight on B's connections); served per node (A, B): "
            f"{fail['served_per_node']}. Afterwards {fail['after_kill_healthz']} through the "
            f"proxy; B restarted on its port served {fail['after_restart_b_served']} of the next "
            "10 connections (it rejoins after the proxy's 2 s cooldown).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from bench.report import machine_info
    from bench.serving import ensure_wrk

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases, short runs")
    parser.add_argument("--seconds", type=int, help="seconds per measurement")
    parser.add_argument("--no-save", action="store_true", help="print, do not write results")
    args = parser.parse_args(argv)
    params = QUICK if args.quick else FULL
    if args.seconds:
        params = Params(**{**asdict(params), "seconds": args.seconds})
    ensure_wrk()
    began = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[scaleout {time.perf_counter() - began:6.1f}s] {line}", flush=True)

    run: dict[str, Any] = {
        "machine": machine_info(),
        "mode": "quick" if args.quick else "full",
        "params": asdict(params),
        **run_all(params, progress),
    }
    run["seconds"] = time.perf_counter() - began
    table = markdown(run)
    print(table)
    if not args.no_save:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        commit = run["machine"]["commit"] or "nocommit"
        name = f"scaleout-{stamp}-{commit}{'-quick' if args.quick else ''}.json"
        (RESULTS / name).write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str))
        (RESULTS / "scaleout-latest.md").write_text(table)
        print(f"results: bench/results/{name}, bench/results/scaleout-latest.md")
    failed = [name for name, found in run["checks"].items() if found.get("ok") is False]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
