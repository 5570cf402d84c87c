"""Counting what a block of code writes to the database: statements, rows and bytes per table.

Installed with ``connection.execute_wrapper``, so it sees every statement Django sends,
including those of ``bulk_create`` (a multi-row ``VALUES`` list, or ``UNNEST`` of arrays on
PostgreSQL). Rows of INSERT statements are counted from their parameters; rows of UPDATE and
DELETE statements from the cursor's row count. Bytes are the size of the parameters sent
(text as UTF-8, JSON as its JSON text): a proxy for what the database has to store and log.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.I)
_COLUMNS = re.compile(r"\(([^()]*)\)\s*(?:VALUES|SELECT)", re.I)


def param_bytes(value: Any) -> int:
    """Approximate size of one statement parameter as sent to the database."""
    if value is None:
        return 0
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, list | tuple):
        return sum(param_bytes(item) for item in value)
    wrapped = getattr(value, "obj", None)  # psycopg's Json/Jsonb adapters
    if wrapped is not None:
        return len(json.dumps(wrapped, ensure_ascii=False).encode())
    return len(str(value).encode())


def _insert_rows(sql: str, params: Any) -> int:
    if not params:
        return 1
    params = list(params)
    if all(isinstance(p, list | tuple) for p in params):  # UNNEST((%s)::t[], ...)
        return len(params[0])
    found = _COLUMNS.search(sql)
    columns = found.group(1).count(",") + 1 if found else len(params)
    return max(1, len(params) // columns)


@dataclass
class TableWrites:
    statements: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    bytes: int = 0

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class WriteLog:
    """Writes per table, and the number of statements of any kind."""

    tables: dict[str, TableWrites] = field(default_factory=lambda: defaultdict(TableWrites))
    statements: int = 0

    def table(self, name: str) -> TableWrites:
        return self.tables.get(name, TableWrites())

    @property
    def write_bytes(self) -> int:
        return sum(t.bytes for t in self.tables.values())

    @property
    def write_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        self.statements += 1
        match = _WRITE.match(sql)
        if match is None:
            return result
        kind, table = match.group(1).split()[0].upper(), match.group(2)
        entry = self.tables[table]
        entry.statements += 1
        batches = list(params) if many else [params]
        entry.bytes += sum(param_bytes(list(batch or ())) for batch in batches)
        if kind == "INSERT":
            entry.inserted += sum(_insert_rows(sql, batch) for batch in batches)
        else:
            rowcount = max(context["cursor"].rowcount, 0)
            if kind == "UPDATE":
                entry.updated += rowcount
            else:
                entry.deleted += rowcount
        return result


@contextmanager
def count_writes() -> Iterator[WriteLog]:
    """``with count_writes() as log:`` records the writes of the block in ``log``."""
    log = WriteLog()
    with connection.execute_wrapper(log):
        yield log
