"""Machine information and the Markdown summary of a benchmark run."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.stats import statistic

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv
            ["git", *args],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def machine_info() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain")),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average_at_start": [round(x, 2) for x in load],
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "django": _version("django"),
        "spiffworkflow": _version("SpiffWorkflow"),
        "psycopg": _version("psycopg"),
    }


def database_info() -> dict[str, Any]:
    """The database Django is connected to: version and the settings that decide how
    expensive a commit is."""
    from django.db import connection

    info: dict[str, Any] = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["version"] = cursor.fetchone()[0]
            for name in ("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers"):
                cursor.execute(f"SHOW {name}")
                info[name] = cursor.fetchone()[0]
        else:
            import sqlite3

            info["version"] = sqlite3.sqlite_version
            for pragma in ("journal_mode", "synchronous"):
                cursor.execute(f"PRAGMA {pragma}")
                info[pragma] = cursor.fetchone()[0]
            info["file_system"] = _file_system(Path(connection.settings_dict["NAME"]).parent)
    return info


def _file_system(path: Path) -> str:
    out = subprocess.run(  # noqa: S603 - fixed argv
        ["df", "--output=fstype", str(path)],  # noqa: S607 - df from PATH
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.split()
    return lines[-1] if len(lines) > 1 else ""


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def markdown(run: dict[str, Any]) -> str:
    machine = run["machine"]
    dbs = run["databases"]
    dirty = " + uncommitted changes" if machine["uncommitted_changes"] else ""
    commit = machine["commit"] + dirty
    lines = [
        "# Tongban benchmark — latest run",
        "",
        f"- date: {machine['date']}; commit: {commit}; mode: {run['mode']}"
        f" (N = {run['params']['cases']} cases; K = {run['params']['sizes']}"
        + (
            f"; {run['params']['gateway_calls']} gateway calls per variant; "
            f"{run['params']['log_records']} log records per mode"
            if "gateway_calls" in run["params"]
            else ""
        )
        + ")",
        f"- machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), load average at start "
        f"{machine['load_average_at_start']}; {machine['platform']}",
        f"- Python {machine['python']}, Django {machine['django']}, SpiffWorkflow "
        f"{machine['spiffworkflow']}, psycopg {machine['psycopg']}",
    ]
    for name, result in dbs.items():
        db = result["database"]
        details = ", ".join(f"{k}={v}" for k, v in db.items() if k not in ("vendor", "version"))
        lines.append(f"- {name}: {db['vendor']} {db['version']} ({details})")
    lines += [
        "",
        "Rates are measured in one process, one operation at a time. The floor is a transaction "
        "inserting one small row on the same database; *ratio* is rate / floor rate and "
        "*floor-tx/op* says how many floor transactions one operation costs. Compare ratios, "
        "not absolute rates, across machines.",
        "",
        "## Throughput",
        "",
        "| database | floor tx/s | submissions/s | ratio | floor-tx/op | completions/s | ratio "
        "| floor-tx/op |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        floor = result["floor"]["per_s"]
        sub, com = result["submissions"], result["completions"]
        lines.append(
            f"| {name} | {_f(floor, 0)} | {_f(sub['per_s'])} | {sub['per_s'] / floor:.4f} "
            f"| {_f(floor / sub['per_s'])} | {_f(com['per_s'])} | {com['per_s'] / floor:.4f} "
            f"| {_f(floor / com['per_s'])} |"
        )
    lines += [
        "",
        "Submission = case_create + attach the bundle's required materials (reusing one stored "
        "file) + case_submit (starts the process). Completion = one workflow.services."
        "task_complete.",
        "",
        "| database | operation | n | ms mean | ms median | ms p95 | statements/op "
        "| bytes written/op |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        submissions = result["submissions"]
        rows = [("submission", submissions)]
        rows += [(f"complete: {p}", v) for p, v in result["completions"]["phases"].items()]
        for label, item in rows:
            if label == "submission":
                for part, figures in submissions.get("parts", {}).items():
                    lines.append(
                        f"| {name} | submission, {part} part | {item['ops']} "
                        f"| {_f(figures['ms_mean'])} | | | {_f(figures['statements_per_op'])} | |"
                    )
            lines.append(
                f"| {name} | {label} | {item['ops']} | {_f(item['ms_mean'])} "
                f"| {_f(item['ms_median'])} | {_f(item['ms_p95'])} "
                f"| {_f(item['statements_per_op'])} | {_f(item['write_bytes_per_op'], 0)} |"
            )
    lines += [
        "",
        "## Per-step cost vs process size",
        "",
        "Generated processes with K user tasks (sequential, or parallel between a split and a "
        "join), completed one task per step. *rows written* = InstanceTask rows inserted, "
        "updated or deleted by the step; *state bytes* = bytes of InstanceTask and "
        "ProcessInstance writes; *all bytes* = every write of the step (inbox, audit, outbox "
        "...). *whole* = SpiffWorkflow's serializer on the whole workflow (spec + tasks), the "
        "baseline of writing everything at every step, measured in the same run. "
        "*restore* / *snapshot* = the in-memory engine work of a step: rebuilding the workflow "
        "from its rows, serialising it to find what changed. Per step: times are medians, "
        "rows and bytes are means; *completions/s* = 1000 / ms per step (one at a time); "
        "*ours/whole* = state bytes / whole bytes.",
        "",
        "| database | shape | K | task rows | ms/step | completions/s | rows written "
        "| state bytes | all bytes | whole bytes | whole w/o spec | whole ms | ours/whole "
        "| restore ms | snapshot ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        for shape, data in result["steps"]["shapes"].items():
            for r in data["runs"]:
                m = {key: value[statistic(key)] for key, value in r["per_step"].items()}
                lines.append(
                    f"| {name} | {shape} | {r['k']} | {_f(m['task_rows_total'], 0)} "
                    f"| {_f(m['ms'])} | {_f(1000 / m['ms'])} | {_f(m['task_rows_written'])} "
                    f"| {_f(m['state_bytes'], 0)} "
                    f"| {_f(m['all_write_bytes'], 0)} | {_f(m['whole_bytes'], 0)} "
                    f"| {_f(m['whole_bytes_without_spec'], 0)} | {_f(m['whole_ms'], 2)} "
                    f"| {r['ratios']['state_bytes_vs_whole']:.3f} "
                    f"| {_f(m['engine_restore_ms'], 2)} | {_f(m['engine_snapshot_ms'], 2)} |"
                )
    lines += [
        "",
        "Growth from the smallest to the largest K (per-step figure at the largest K / at the "
        "smallest K; 1.0× = flat):",
        "",
        "| database | shape | K | ms/step | rows written | state bytes | whole bytes | whole ms "
        "| restore ms |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        for shape, data in result["steps"]["shapes"].items():
            g = data["growth"]
            ks = [r["k"] for r in data["runs"]]
            lines.append(
                f"| {name} | {shape} | {min(ks)} → {max(ks)} | {g['ms']:.2f}× "
                f"| {g['task_rows_written']:.2f}× | {g['state_bytes']:.2f}× "
                f"| {g['whole_bytes']:.2f}× | {g['whole_ms']:.2f}× "
                f"| {g['engine_restore_ms']:.2f}× |"
            )
    if any("gateway" in result for result in dbs.values()):
        lines += _gateway_table(dbs)
    if any("message_log" in result for result in dbs.values()):
        lines += _message_log_table(dbs)
    if any("licences" in result for result in dbs.values()):
        lines += _licences_table(dbs)
    lines += ["", f"Raw results: `{run['json']}`.", ""]
    return "\n".join(lines)


LOOKUPS = {"by_id": "by ID number (1 row)", "page_100": "page of 100 rows"}


def _gateway_table(dbs: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Exchange gateway overhead vs calling the adapter",
        "",
        "The same queries on the demo 公安 household register (resource 10100100001, a legacy "
        "SQLite file whatever the platform database) by the demo client demo-rsj-system "
        "(items name, id_number, address): **a** = the SQL adapter called directly "
        "(`adapters.fetch_page` with the resource's field mappings); **b** = "
        "`exchange.services.gateway_query` in-process (client and rate check, grant check, "
        "mapping, masking, cursor, one hash-chained message log record, batch-signed as "
        "configured); **c** = `POST /exchange/v1/10100100001/query` with a client-credentials "
        "bearer token through Django's test client (middleware, auth, parsing, serialisation; no "
        "socket). Pages are walked with the cursor. The variants run interleaved call by call; "
        "ms per call, median / p95; *b/a*, *c/a* = ratios of medians; *stmts* = SQL statements "
        "per call on the platform database.",
        "",
        "| database | lookup | calls | a: adapter ms | b: gateway_query ms | c: HTTP ms "
        "| b/a | c/a | stmts b / c | log records/call b / c |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        gateway = result.get("gateway")
        if not gateway:
            continue
        for lookup, data in gateway["lookups"].items():
            v, r = data["variants"], data["ratios"]
            a, b, c = v["adapter"], v["service"], v["http"]
            per_call = data["log_records_per_call"]
            lines.append(
                f"| {name} | {LOOKUPS.get(lookup, lookup)} | {data['calls']} "
                f"| {_f(a['ms_median'], 2)} / {_f(a['ms_p95'], 2)} "
                f"| {_f(b['ms_median'], 2)} / {_f(b['ms_p95'], 2)} "
                f"| {_f(c['ms_median'], 2)} / {_f(c['ms_p95'], 2)} "
                f"| {r['service_vs_adapter']:.2f}× | {r['http_vs_adapter']:.2f}× "
                f"| {_f(b['statements_per_call'])} / {_f(c['statements_per_call'])} "
                f"| {per_call['service']:g} / {per_call['http']:g} |"
            )
    return lines


def _message_log_table(dbs: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Message log: batch signing vs signing each message",
        "",
        "`exchange.services.message_record` (one transaction: lock the head, append the "
        "hash-chained record) N times. *batch S*: a batch is signed (Merkle root of its "
        "records, one platform signature) whenever S records are unsigned, and the tail is "
        "closed with `message_batch_close` at the end, inside the timing, so every record is "
        "signed: ⌈N/S⌉ signatures. *sign each* (baseline, simulated in the bench): batch "
        "signing off, the platform signer signs each record's hash in the same loop, run in "
        "two halves before and after the batch runs. *ratio* = records/s / sign-each "
        "records/s. The whole log (chain and every batch signature) is verified afterwards.",
        "",
        "| database | mode | records | signatures | records/s | ms/record median | ms p95 "
        "| ratio vs sign each |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    signatures = []
    for name, result in dbs.items():
        log = result.get("message_log")
        if not log:
            continue
        runs = log["variants"]
        configured = log.get("configured_batch_size")
        for key, run in runs.items():
            if key == "sign_each":
                mode, ratio = "sign each", "1.00×"
            else:
                note = " (configured)" if run["batch_size"] == configured else ""
                mode = f"batch {run['batch_size']}{note}"
                ratio = f"{log['ratios'][f'{key}_vs_sign_each']:.2f}×"
            lines.append(
                f"| {name} | {mode} | {run['records']} | {run['signatures']} "
                f"| {_f(run['per_s'])} | {_f(run['ms_median'], 2)} | {_f(run['ms_p95'], 2)} "
                f"| {ratio} |"
            )
        sig = log["signature"]
        share = runs["sign_each"].get("sign_share")
        share_text = f"; signing is {share:.0%} of the sign-each time" if share else ""
        signatures.append(
            f"- {name}: one {sig['algorithm']} signature {_f(sig['sign']['ms_median'], 2)} ms "
            f"median ({_f(sig['sign']['ms_p95'], 2)} ms p95, n = {sig['sign']['ops']}); building "
            f"the platform signer from its key (done once per batch) "
            f"{_f(sig['signer_build_ms_median'], 2)} ms{share_text}"
        )
    if signatures:
        lines += ["", "Signature cost on this machine (software key, in-process):", ""]
        lines += signatures
    return lines


def _licences_table(dbs: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## E-licences: issued and verified per second",
        "",
        "*issue*: `licences.services.licence_issue` of a business licence (checks, serial, "
        "canonical JSON, one signature with the department key, encrypted row, history, "
        "audit chain, outbox) vs *sign only*: the department signer on the same payloads. "
        "*verify online*: `licences.services.licence_verify` (key set from the database, "
        "signature, validity, current status) and *verify offline*: "
        "`signed.verify_document` with a key set loaded once (what the CLI does) vs "
        "*verify only*: one signature verification. Ratios are of operations per second.",
        "",
        "| database | algorithm | N | issued/s | sign only/s | ratio | verified online/s "
        "| offline/s | verify only/s | online ratio | offline ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in dbs.items():
        lic = result.get("licences")
        if not lic:
            continue
        r = lic["ratios"]
        lines.append(
            f"| {name} | {lic['algorithm']} | {lic['count']} | {_f(lic['issue']['per_s'])} "
            f"| {_f(lic['sign_only']['per_s'])} | {r['issue_vs_sign']:.2f}× "
            f"| {_f(lic['verify_online']['per_s'])} | {_f(lic['verify_offline']['per_s'])} "
            f"| {_f(lic['verify_only']['per_s'])} | {r['verify_online_vs_verify_only']:.2f}× "
            f"| {r['verify_offline_vs_verify_only']:.2f}× |"
        )
    return lines
