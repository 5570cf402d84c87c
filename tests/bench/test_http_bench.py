"""The HTTP benchmark at its smallest, end to end: gunicorn, wrk and every endpoint on a
throwaway database of the suite's kind (SQLite, or PostgreSQL when the suite runs on it).
Structure and correctness only, never timings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.web import _earlier_databases, markdown

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {
    "floor_write",
    "floor_read",
    "status_api",
    "status_page",
    "search_api",
    "search_page",
    "submission",
}


@pytest.fixture(scope="module")
def database() -> str:
    return "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, database: str) -> dict[str, Any]:
    ensure = ROOT / "scripts" / "ensure-bench-tools.sh"
    subprocess.run(["bash", str(ensure)], check=False, timeout=600)
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed and scripts/ensure-bench-tools.sh could not install it")
    out = tmp_path_factory.mktemp("http-bench") / "run.json"
    # The benchmark makes its own database and settings.
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    command = [sys.executable, str(ROOT / "bench" / "web.py"), "--quick", "--db", database]
    command += ["--seconds", "1", "--no-save", "--json", str(out)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.read_text())
    result["stdout"] = done.stdout
    return result


def test_every_endpoint_is_loaded_without_errors(run, database):
    step = run["databases"][database]["sizes"][0]
    assert step["cases"] == 10_000
    assert step["case_rows"] >= 10_000
    rows = {row["endpoint"]: row for row in step["results"]}
    assert set(rows) == ENDPOINTS
    for name, row in rows.items():
        assert row["requests"] > 0, name
        assert row["errors"] == 0, (name, row)
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"], name
    assert rows["submission"]["extra"]["failures"] == 0, rows["submission"]["extra"]


def test_reads_and_the_submission_are_compared_with_their_floors(run, database):
    rows = {r["endpoint"]: r for r in run["databases"][database]["sizes"][0]["results"]}
    for name in ("status_api", "status_page", "search_api", "search_page"):
        assert rows[name]["floor_ops_per_s"] == rows["floor_read"]["ops_per_s"]
    assert rows["submission"]["floor_ops_per_s"] == rows["floor_write"]["ops_per_s"]
    assert "floor_ops_per_s" not in rows["floor_read"]


def test_the_server_log_and_statement_counts_see_the_real_api(run, database):
    step = run["databases"][database]["sizes"][0]
    rows = {r["endpoint"]: r for r in step["results"]}
    assert set(rows["status_api"]["server"]) == {"GET /api/v1/applications/status"}
    assert set(rows["floor_write"]["server"]) == {"POST /bench/floor"}
    assert "POST /api/v1/applications/{id}/materials" in rows["submission"]["server"]
    statements = step["statements"]
    assert statements["floor_read"] == statements["floor_write"] == 1
    # A submission is many requests, each with several statements.
    assert statements["submission"] > 10 * rows["submission"]["requests_per_op"]


def test_the_summary_names_the_server_settings(run, database):
    server = run["databases"][database]["server"]
    assert (server["workers"], server["threads"]) == (2, 4)
    assert "--threads" in server["argv"]
    assert "| database | cases | endpoint |" in run["stdout"]


def test_a_run_of_one_database_keeps_the_others_rows_from_an_earlier_run(
    run: dict[str, Any], database: str, tmp_path: Path
) -> None:
    other = "postgres" if database == "sqlite" else "sqlite"
    earlier = {
        "machine": {**run["machine"], "commit": "abc1234", "date": "2026-12-01T00:00:00+00:00"},
        "databases": {database: {}, other: run["databases"][database]},
    }
    path = tmp_path / "http-earlier.json"
    path.write_text(json.dumps(earlier))
    kept = _earlier_databases(path, database)
    assert set(kept) == {other}  # the database measured now is not taken from the old run
    assert kept[other]["from_run"]["commit"] == "abc1234"
    table = markdown({**run, "databases": {database: run["databases"][database], **kept}})
    assert f"- {other} rows: from the earlier run of 2026-12-01" in table
    assert "commit abc1234 (`bench/results/http-earlier.json`)" in table
    assert f"| {other} | 10,000 |" in table
