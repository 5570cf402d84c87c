"""The floor: the rate of the most trivial write transaction on the same database.

A transaction that inserts one small row, through Django's connection (no model, no ORM
query building). Throughput figures are reported as ratios to this rate, which absorbs
most of what differs between machines (CPU speed, disk flush latency, database settings).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection, transaction

TABLE = "bench_floor"
PAYLOAD = "floor " * 16


def floor_table_create() -> None:
    if connection.vendor == "postgresql":
        key = "id bigserial PRIMARY KEY"
    else:
        key = "id integer PRIMARY KEY AUTOINCREMENT"
    ddl = f"CREATE TABLE IF NOT EXISTS {TABLE} ({key}, payload text)"
    with connection.cursor() as cursor:
        cursor.execute(ddl)


def measure_floor(*, seconds: float = 2.0, min_ops: int = 100) -> dict[str, Any]:
    """Single-row insert transactions per second, run for about ``seconds``."""
    floor_table_create()
    sql = f"INSERT INTO {TABLE} (payload) VALUES (%s)"  # noqa: S608 - constant table name
    durations: list[float] = []
    began = time.perf_counter()
    while len(durations) < min_ops or time.perf_counter() - began < seconds:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [PAYLOAD])
        durations.append(time.perf_counter() - started)
    total = sum(durations)
    return {
        "ops": len(durations),
        "seconds": total,
        "per_s": len(durations) / total,
        "ms_median": statistics.median(durations) * 1000,
    }
