"""The app behind a real socket for HTTP benchmarks: the production server (gunicorn with
the argv of ``tongban serve``), the worker, and the wrk load generator with its figures.

The server runs the bench settings (``bench.floor_app.settings``: the product's settings
plus the floor endpoints under ``/bench/``) unless ``env`` names other settings.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
ENSURE_TOOLS = ROOT / "scripts" / "ensure-bench-tools.sh"
BENCH_SETTINGS = "bench.floor_app.settings"
HOST = "127.0.0.1"
# What each access-log line records: method, path without the query (status queries carry
# ID numbers), status, and the time gunicorn spent on the request in microseconds.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
RESULT_MARKER = "WRK_RESULT "
NOTE_MARKER = "WRK_NOTE "


class WrkMissing(RuntimeError):
    """wrk is not installed and scripts/ensure-bench-tools.sh could not install it."""


@dataclass
class Server:
    """A running gunicorn; ``access_log`` has one line per request (ACCESS_LOG_FORMAT)."""

    url: str
    process: subprocess.Popen[bytes]
    argv: list[str]
    access_log: Path
    error_log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 30) -> None:
        """Graceful stop (SIGTERM lets requests in flight finish), then kill."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class WrkResult:
    """One wrk run. Latencies are wrk's (client side, connect excluded) in milliseconds;
    ``errors`` counts responses with status >= 400 plus socket errors and timeouts;
    ``extra`` holds what a script's ``done`` hook added (e.g. completed submissions) and
    its notes (e.g. the last failed response of each connection)."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    mean_ms: float = 0.0
    max_ms: float = 0.0
    connections: int = 0
    threads: int = 0
    client_cpu_s: float = 0.0  # wrk's own CPU time, on the same machine as the server
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def server_env(env: dict[str, str]) -> dict[str, str]:
    """The process environment with ``env`` over it, the bench settings unless ``env``
    names others (a benchmark process has the product's settings in its own environment),
    and the checkout on the import path (the bench settings live in ``bench/``)."""
    merged = {**os.environ, **env}
    merged["DJANGO_SETTINGS_MODULE"] = env.get("DJANGO_SETTINGS_MODULE", BENCH_SETTINGS)
    merged["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT), merged.get("PYTHONPATH", "")) if part
    )
    return merged


def gunicorn_argv(*, port: int, workers: int, threads: int, access_log: Path) -> list[str]:
    """``tongban serve``'s command line with this port, thread count and access log file."""
    from tongban.cli import _gunicorn_argv

    argv = _gunicorn_argv(HOST, port, workers)
    argv[argv.index("--threads") + 1] = str(threads)
    argv[argv.index("--access-logfile") + 1] = str(access_log)
    return [*argv, "--access-logformat", ACCESS_LOG_FORMAT]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def gunicorn_start(
    *,
    port: int,
    workers: int,
    env: dict[str, str],
    threads: int = 4,
    log_dir: Path | None = None,
    timeout: float = 90,
) -> Server:
    """Start gunicorn on 127.0.0.1:``port`` and wait until ``/healthz`` answers 200.

    Logs go to ``log_dir`` (a new temporary directory by default): ``gunicorn-<port>.log``
    (errors) and ``access-<port>.log``."""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="tongban-serve-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    access_log = log_dir / f"access-{port}.log"
    error_log = log_dir / f"gunicorn-{port}.log"
    argv = gunicorn_argv(port=port, workers=workers, threads=threads, access_log=access_log)
    with error_log.open("ab") as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv,
            cwd=ROOT,
            env=server_env(env),
            stdin=subprocess.DEVNULL,
            stdout=errors,
            stderr=errors,
        )
    server = Server(f"http://{HOST}:{port}", process, argv, access_log, error_log)
    deadline = time.monotonic() + timeout
    while not _answers(f"{server.url}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"gunicorn did not come up on {server.url}:\n{_tail(error_log)}")
        time.sleep(0.2)
    return server


def worker_start(env: dict[str, str], log: TextIO | None = None) -> subprocess.Popen[bytes]:
    """A ``tongban worker`` process (events and periodic jobs) with ``env``; its output goes
    to ``log`` (discarded by default)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "worker"],
        cwd=ROOT,
        env=server_env(env),
        stdin=subprocess.DEVNULL,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )


def ensure_wrk() -> str:
    """The path of wrk, installing it with scripts/ensure-bench-tools.sh when missing."""
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["bash", str(ENSURE_TOOLS)], check=False, timeout=600)  # noqa: S603, S607
        found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk is not installed (apt-get install wrk)")
    return found


def _script_path(script: str | None) -> Path:
    """A script name is looked up in bench/wrk/; without one, plain requests to ``url``."""
    path = Path(script or "plain.lua")
    return path if path.is_absolute() or path.exists() else WRK_DIR / path


def _parse(stdout: str, connections: int, threads: int) -> WrkResult:
    results = [line for line in stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if not results:
        raise RuntimeError(f"wrk printed no result line:\n{stdout[-2000:]}")
    data: dict[str, Any] = json.loads(results[-1][len(RESULT_MARKER) :])
    seconds = data.pop("duration_us") / 1e6
    requests = int(data.pop("requests"))
    errors = sum(int(data.pop(f"errors_{kind}")) for kind in _ERROR_KINDS)
    latency = {name: (data.pop(f"{name}_us") or 0.0) / 1000 for name in _LATENCIES}
    lines = stdout.splitlines()
    notes = [line[len(NOTE_MARKER) :] for line in lines if line.startswith(NOTE_MARKER)]
    if notes:
        data["notes"] = notes
    return WrkResult(
        requests=requests,
        seconds=seconds,
        rps=requests / seconds if seconds else 0.0,
        p50_ms=latency["p50"],
        p95_ms=latency["p95"],
        p99_ms=latency["p99"],
        errors=errors,
        mean_ms=latency["mean"],
        max_ms=latency["max"],
        connections=connections,
        threads=threads,
        extra=data,
    )


_ERROR_KINDS = ("status", "connect", "read", "write", "timeout")
_LATENCIES = ("p50", "p95", "p99", "mean", "max")


def wrk_run(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 1,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> WrkResult:
    """Run wrk against ``url`` for ``seconds`` with ``connections`` open connections.

    ``script`` is a Lua file (a name in bench/wrk/ or a path) whose ``done`` hook prints the
    figures through bench/wrk/report.lua; ``env`` is passed to it (scripts read their
    inputs with os.getenv)."""
    argv = [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    argv += ["--timeout", "30s", "-s", str(_script_path(script)), url]
    environment = {**os.environ, "LUA_PATH": f"{WRK_DIR}/?.lua;;", **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(  # noqa: S603 - fixed argv
        argv,
        env=environment,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = _parse(done.stdout, connections, threads)
    result.client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result
