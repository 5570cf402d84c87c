"""Restarting PostgreSQL under load: the served app recovers on its own and loses no
accepted submission.

The test brings its own cluster (``initdb`` into a temporary directory, a free port,
``fsync=off``: the restarts stop PostgreSQL's processes, not the machine, so nothing is
lost from the OS cache either way), migrates it, loads the demo catalog and serves the app
with its production server (``tongban serve``, gunicorn, two workers). Two citizens then
apply as fast as they can over HTTP, each application with its own ``Idempotency-Key``
and retried with that key until accepted, as the API asks clients to do. Meanwhile the
cluster is restarted with ``pg_ctl restart -m fast`` and ``-m immediate`` (a crash), then
once more while nobody applies, so that the app's pooled connections are all dead when
the next applications come.

The cluster tests run once per suite, in the SQLite pass: they never use the test
database, so the PostgreSQL pass would only repeat them. The machine's shared PostgreSQL
is never touched. The last test replays, on the test database, the outage that strikes
after a commit, which the load run can only meet by chance.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tests.reliability.conftest import BUNDLE, REPO, restaurant_form, wait_until
from tongban.cases.models import Case, CaseEvent, IdempotencyKey
from tongban.core.models import AuditEntry
from tongban.demo.data import DEMO_PASSWORD

INITDB, PG_CTL = shutil.which("initdb"), shutil.which("pg_ctl")
# PostgreSQL refuses to run as root: root runs it as the postgres user.
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
MISSING = [name for name in ("initdb", "pg_ctl", *AS_POSTGRES[:1]) if not shutil.which(name)]
APPLICANTS = ("hbcanyin", "zhangsan")
ACCEPTED_PER_PHASE = 15
SERVE = [sys.executable, "-m", "tongban.cli", "serve", "--host", "127.0.0.1"]


def with_own_cluster(test: Any) -> Any:
    """The tests on the private cluster: skipped without the PostgreSQL server programs,
    and in the PostgreSQL pass of the suite (they never use its test database)."""
    tools = pytest.mark.skipif(
        bool(MISSING), reason=f"needs {', '.join(MISSING)} (PostgreSQL server programs)"
    )
    once = pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="runs once per suite, in the SQLite pass: it brings its own PostgreSQL cluster",
    )
    return tools(once(test))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A private PostgreSQL cluster in ``root``, on a port of its own."""

    def __init__(self, root: Path):
        self.root, self.data, self.port = root, root / "data", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tongban"
        self.options = (
            f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=50"
        )

    def _run(self, *argv: str) -> None:
        subprocess.run([*AS_POSTGRES, *argv], check=True, capture_output=True, timeout=120)

    def _pg_ctl(self, *argv: str) -> None:
        assert PG_CTL is not None
        log = str(self.root / "postgres.log")
        self._run(PG_CTL, "-D", str(self.data), "-l", log, "-w", "-t", "60", *argv)

    def create(self) -> None:
        assert INITDB is not None
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        self._run(INITDB, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._pg_ctl("-o", self.options, "start")
        with psycopg.connect(self.url.replace("/tongban", "/postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE tongban")

    def restart(self, mode: str) -> None:
        """Stop the server (``fast``: end sessions and shut down cleanly; ``immediate``:
        kill every process, recovery on start), start it and wait until it accepts."""
        self._pg_ctl("-m", mode, "-o", self.options, "restart")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop")


class Server:
    """``tongban serve`` (gunicorn) on the cluster."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.port, self.env, self.log = free_port(), env, root / "server.log"
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--port", str(self.port), "--workers", "2"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.healthy, what=f"the server to start\n{self.log_tail()}", timeout=120)

    def healthy(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log_tail()
        try:
            return requests.get(f"{self.url}/healthz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or workers still booting
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


PREPARE = f"""
import json
from django.core.management import call_command
from tongban.catalog import selectors as catalog
from tongban.demo.cases_demo import sample_form
from tongban.demo.loader import load_demo

call_command("migrate", interactive=False, verbosity=0)
load_demo(progress=lambda line: None, sample_cases=False, exchange=False, interaction=False,
          opendata=False, analytics=False, office=False)
print(json.dumps(sample_form(catalog.bundle_get({BUNDLE!r}).form_schema)))
"""


@dataclass
class Stack:
    cluster: Cluster
    server: Server
    env: dict[str, str]
    form: dict[str, Any] = field(default_factory=dict)

    def manage(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tongban.cli", *argv],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="tongban-pg-restart-"))
    cluster = Cluster(root)
    env = {
        # Its own cache and no debug pages: the production error handling is under test.
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TONGBAN_DEBUG")},
        "DJANGO_SETTINGS_MODULE": "tongban.settings.base",
        "DATABASE_URL": cluster.url,
        "TONGBAN_VAR_DIR": str(root / "var"),
        "TONGBAN_RATE_TOKEN": "100000/m",
    }
    stack = Stack(cluster, Server(root, env), env)
    try:
        cluster.create()
        stack.form = json.loads(stack.manage("manage", "shell", "-c", PREPARE).splitlines()[-1])
        stack.server.start()
        yield stack
    finally:
        stack.server.stop()
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Attempt:
    """One POST /applications: its key, when it started, what came back."""

    key: str
    started: float
    outcome: str  # accepted, refused (4xx), failed-json, failed-html, no-answer
    status: int | None = None
    case_id: int | None = None
    code: str = ""  # the API error's code
    retry_after: str = ""


class Citizen(threading.Thread):
    """Applies again and again; each application gets a key and is retried with it until
    the server accepts it (or a generous bound passes)."""

    def __init__(self, server: Server, username: str, form: dict[str, Any], log: list[Attempt]):
        super().__init__(name=username, daemon=True)
        self.server, self.username, self.form, self.log = server, username, form, log
        self.stopping = threading.Event()
        self.session = requests.Session()

    def sign_in(self) -> None:
        response = self.session.post(
            f"{self.server.url}/api/v1/auth/token",
            json={"username": self.username, "password": DEMO_PASSWORD},
            timeout=30,
        )
        assert response.status_code == 200, response.text[:500]
        token = response.json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            self.apply_until_accepted(f"{self.username}-{number}")

    def apply_until_accepted(self, key: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            attempt = self.apply(key)
            self.log.append(attempt)
            if attempt.outcome in ("accepted", "refused"):
                return
            time.sleep(0.05)  # a polite client backs off a little before retrying

    def apply(self, key: str) -> Attempt:
        started = time.monotonic()
        try:
            response = self.session.post(
                f"{self.server.url}/api/v1/applications",
                json={"bundle": BUNDLE, "form": self.form},
                headers={"Idempotency-Key": key},
                timeout=30,
            )
        except requests.RequestException:
            return Attempt(key, started, "no-answer")
        status = response.status_code
        if 200 <= status < 300:
            return Attempt(key, started, "accepted", status, int(response.json()["id"]))
        if status < 500:
            return Attempt(key, started, "refused", status)
        retry_after = response.headers.get("Retry-After", "")
        if not response.headers.get("Content-Type", "").startswith("application/json"):
            return Attempt(key, started, "failed-html", status, retry_after=retry_after)
        code = str(response.json().get("code", ""))
        return Attempt(key, started, "failed-json", status, code=code, retry_after=retry_after)


def accepted_since(log: list[Attempt], moment: float) -> int:
    return sum(1 for a in list(log) if a.outcome == "accepted" and a.started >= moment)


def accepted_enough(log: list[Attempt], moment: float) -> Callable[[], bool]:
    return lambda: accepted_since(log, moment) >= ACCEPTED_PER_PHASE


@dataclass
class Run:
    """What the citizens saw and what the database holds afterwards."""

    attempts: list[Attempt]
    back: dict[str, float]  # when each restart had finished: "fast", "immediate", "idle"
    keys: dict[str, int]  # Idempotency-Key -> case id, as stored
    cases: set[int]
    created: dict[int, int]  # case id -> its "create" timeline entries
    audited: list[int]  # case ids of the "case.create" audit entries
    audit_verify: str

    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome != "accepted"]


def under_load(stack: Stack, citizens: list[Citizen], log: list[Attempt]) -> dict[str, float]:
    """Both citizens apply without pause while the cluster is restarted fast, then killed
    (immediate); each time, nobody restarts the app: it must serve again by itself."""
    back: dict[str, float] = {}
    for citizen in citizens:
        citizen.start()
    try:
        for mode in ("fast", "immediate"):
            moment = time.monotonic()
            wait_until(
                accepted_enough(log, moment),
                what=f"applications to be accepted\n{stack.server.log_tail()}",
            )
            stack.cluster.restart(mode)
            back[mode] = time.monotonic()
            wait_until(
                accepted_enough(log, back[mode]),
                what=f"the app to serve again after a {mode} restart\n{stack.server.log_tail()}",
            )
    finally:
        for citizen in citizens:
            citizen.stopping.set()
        for citizen in citizens:
            citizen.join(timeout=120)
    assert not any(citizen.is_alive() for citizen in citizens)
    return back


def while_idle(stack: Stack, citizens: list[Citizen]) -> float:
    """The cluster restarts while nobody applies (a night-time failover); the morning's
    first applications find the app's pooled connections dead."""
    stack.cluster.restart("fast")
    back = time.monotonic()
    for citizen in citizens:
        for number in range(ACCEPTED_PER_PHASE // len(citizens) + 1):
            citizen.apply_until_accepted(f"{citizen.username}-morning-{number}")
    return back


def rows(cluster: Cluster, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.url) as session:
        return session.execute(sql).fetchall()


@pytest.fixture(scope="module")
def run(stack: Stack) -> Run:
    log: list[Attempt] = []
    citizens = [Citizen(stack.server, name, stack.form, log) for name in APPLICANTS]
    for citizen in citizens:
        citizen.sign_in()
    back = under_load(stack, citizens, log)
    back["idle"] = while_idle(stack, citizens)
    cluster = stack.cluster
    keys = f"SELECT key, case_id FROM {IdempotencyKey._meta.db_table}"
    cases = f"SELECT id FROM {Case._meta.db_table}"
    created = (
        f"SELECT case_id, count(*) FROM {CaseEvent._meta.db_table}"
        " WHERE action = 'create' GROUP BY case_id"
    )
    audited = f"SELECT object_id FROM {AuditEntry._meta.db_table} WHERE action = 'case.create'"
    result = Run(
        attempts=log,
        back=back,
        keys=dict(rows(cluster, keys)),
        cases={row[0] for row in rows(cluster, cases)},
        created=dict(rows(cluster, created)),
        audited=sorted(int(row[0]) for row in rows(cluster, audited)),
        audit_verify=stack.manage("audit", "verify"),
    )
    print(f"\nattempts by outcome and status: {dict(Counter((a.outcome, a.status) for a in log))}")
    return result


@with_own_cluster
def test_every_accepted_application_is_stored_once_and_whole(run):
    answered: dict[str, set[int]] = {}
    for attempt in run.attempts:
        if attempt.case_id is not None:
            answered.setdefault(attempt.key, set()).add(attempt.case_id)
    assert set(answered) == {a.key for a in run.attempts}, "an application never got through"
    assert all(len(ids) == 1 for ids in answered.values()), "one key answered with two cases"
    assert run.keys == {key: min(ids) for key, ids in answered.items()}
    assert run.cases == set(run.keys.values()), "a case without its key or a key without its case"
    assert run.created == dict.fromkeys(run.cases, 1), "a case without its timeline"
    assert run.audited == sorted(run.cases), "a case without its audit entry"
    assert "audit log intact" in run.audit_verify


@with_own_cluster
def test_the_app_serves_again_after_each_restart_without_being_restarted(run, stack):
    assert stack.server.process is not None and stack.server.process.poll() is None
    for mode, moment in run.back.items():
        assert accepted_since(run.attempts, moment) >= ACCEPTED_PER_PHASE, mode
    refused = [a for a in run.attempts if a.outcome == "refused"]
    assert refused == [], "an outage must never look like the client's fault (4xx)"


@with_own_cluster
def test_no_request_fails_once_the_database_is_back(run):
    """Pooled connections the restart killed are noticed before a request uses them (with
    ``CONN_MAX_AGE`` alone, each would fail one request after the database was back)."""
    late = [a for a in run.failures() if a.started >= run.back["idle"]]
    assert late == [], f"{len(late)} requests failed after the database was back"


@with_own_cluster
def test_requests_during_the_outage_fail_cleanly_in_the_api_error_shape(run):
    failed = [a for a in run.failures() if a.outcome != "no-answer"]
    assert failed, "no request met the outage"
    assert {(a.outcome, a.status, a.code) for a in failed} == {
        ("failed-json", 503, "service_unavailable")
    }
    assert all(a.retry_after for a in failed), "a 503 tells the client when to retry"


@pytest.mark.django_db
def test_an_outage_after_the_commit_does_not_claim_nothing_was_saved(api_token, monkeypatch):
    """The connection drops while the response of a committed application is built."""

    def connection_lost(case: Case) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("tongban.cases.api.case_out", connection_lost)
    response = Client(raise_request_exception=False).post(
        "/api/v1/applications",
        {"bundle": BUNDLE, "form": restaurant_form()},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **api_token("hbcanyin"),
    )
    assert response.status_code == 503
    assert Case.objects.count() == 1  # the application was saved all the same
    assert "没有生效" not in response.json()["message"]
