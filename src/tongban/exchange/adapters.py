"""Read-only connectors to departments' own systems (数据库查询代理 / 应用网关).

Three kinds read other systems, configured as data (``Adapter.config``) and read through
field mappings:

* ``sql``: SQLAlchemy Core over a URL and a table (or one fixed SELECT); SQLite files are
  opened read-only (``mode=ro``), PostgreSQL sessions are read-only; each statement has a
  timeout (SQLite: a progress handler that aborts it; PostgreSQL: ``statement_timeout``);
  one connection pool per adapter. Filters are bound parameters, never formatted SQL.
* ``rest``: an HTTP GET with the filters as query parameters, JSON list in the answer.
* ``file``: CSV (utf-8-sig by default) or XLSX (openpyxl read-only), cached by mtime.

A fourth, ``platform``, serves data the platform itself holds (电子证照库): an app above the
exchange registers a fetch function under a name (``platform_source_register``, from its
``AppConfig.ready``) and the adapter's ``config["source"]`` names it. Its rows are already
keyed by data item key, so field mappings are optional; the function is told which
department consumes the data, since what it may return depends on it.

Every kind pages (``fetch_page``): ``sql`` by keyset on the unique column named by
``config["order_by"]`` (by offset when none is configured), ``rest``, ``file`` and
``platform`` by row number. A position is a small dict (``{"key": ...}`` or
``{"offset": n}``) that the gateway hands out as an opaque, encrypted cursor.

Errors surface as :class:`AdapterFailed` or :class:`AdapterTimeout`; the gateway turns them
into 502 and 504.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from django.utils.translation import gettext as _
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from tongban.exchange import transforms as tf

MAX_REST_BYTES = 5 * 1024 * 1024
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
WRITE_WORDS = re.compile(
    r"\b(insert|update|delete|merge|drop|alter|create|truncate|attach|detach|pragma|replace|"
    r"grant|revoke|vacuum|copy|call|execute|do|set|lock)\b",
    re.IGNORECASE,
)


class AdapterFailed(Exception):
    """The source system failed or answered something unusable."""


class AdapterTimeout(AdapterFailed):
    """The source system did not answer in time."""


class AdapterConfigError(ValueError):
    """A configuration that cannot work; the message is for people (Chinese)."""


@dataclass(frozen=True)
class SourceField:
    key: str
    source: str
    transforms: tuple[tf.Transform, ...]

    def read(self, raw: Any) -> Any:
        return tf.apply(list(self.transforms), raw)

    def to_source(self, value: Any) -> Any:
        return tf.reverse(list(self.transforms), value)


@dataclass(frozen=True)
class Query:
    adapter_id: int
    kind: str
    config: dict[str, Any]
    fields: dict[str, SourceField]  # every mapped item, by key
    wanted: list[str]
    filters: dict[str, Any]
    limit: int
    timeout: float
    # Where the previous page ended (``Page.next`` of that page); None for the first page.
    after: dict[str, Any] | None = None
    # The department the data is for (the caller's, or the one it acts on behalf of).
    consumer_department_id: int | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    # Where the next page starts, or None when this page is the last one.
    next: dict[str, Any] | None


def fetch(query: Query) -> list[dict[str, Any]]:
    """Rows of normalised values keyed by data item key, at most ``query.limit``."""
    return fetch_page(query).rows


def fetch_page(query: Query) -> Page:
    """One page of rows (at most ``query.limit``) from ``query.after`` on."""
    if query.kind == "platform":
        return _platform_fetch(query)
    missing = [k for k in [*query.wanted, *query.filters] if k not in query.fields]
    if missing:
        raise AdapterFailed(f"no field mapping for {', '.join(sorted(set(missing)))}")
    if query.kind == "sql":
        return _sql_fetch(query)
    if query.kind == "rest":
        return _rest_fetch(query)
    if query.kind == "file":
        return _file_fetch(query)
    raise AdapterFailed(f"unknown adapter kind {query.kind!r}")


def _offset(after: dict[str, Any] | None) -> int:
    if not after:
        return 0
    offset = after.get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise AdapterFailed("bad paging position")
    return offset


# ------------------------------------------------------------------------- configuration


def select_only(sql: str) -> str:
    """Refuse anything but one plain SELECT statement."""
    statement = sql.strip().rstrip(";").strip()
    if not re.match(r"^(select|with)\b", statement, re.IGNORECASE):
        raise AdapterConfigError(_("只允许 SELECT 查询语句"))
    if ";" in statement:
        raise AdapterConfigError(_("只允许单条 SELECT 查询语句"))
    if WRITE_WORDS.search(statement):
        raise AdapterConfigError(_("查询语句含有写操作或会话设置关键字，已拒绝"))
    return statement


def config_check(kind: str, config: Any) -> dict[str, Any]:
    """Validated configuration of an adapter kind; ``AdapterConfigError`` explains problems."""
    if not isinstance(config, dict):
        raise AdapterConfigError(_("连接配置应为 JSON 对象"))
    timeout = config.get("timeout", 5)
    if not isinstance(timeout, int | float) or not 0 < timeout <= 120:
        raise AdapterConfigError(_("超时时间（timeout）应为 0 到 120 秒之间的数字"))
    if kind == "sql":
        url = config.get("url")
        if not isinstance(url, str) or not url:
            raise AdapterConfigError(_("请填写数据库连接地址（url）"))
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise AdapterConfigError(_("数据库连接地址（url）格式不正确")) from None
        if backend == "sqlite" and not make_url(url).database:
            raise AdapterConfigError(_("SQLite 连接地址必须指向数据库文件"))
        table, query = config.get("table"), config.get("query")
        if bool(table) == bool(query):
            raise AdapterConfigError(_("请填写表名（table）或固定查询语句（query）之一"))
        if table:
            for part in str(table).split("."):
                if not IDENTIFIER.match(part):
                    raise AdapterConfigError(_("表名只能包含字母、数字和下划线"))
        if query:
            select_only(str(query))
        order_by = config.get("order_by")
        if order_by is not None and (
            not isinstance(order_by, str) or not IDENTIFIER.match(order_by)
        ):
            raise AdapterConfigError(_("分页排序列（order_by）只能包含字母、数字和下划线"))
    elif kind == "rest":
        base = config.get("base_url")
        if not isinstance(base, str) or not re.match(r"^https?://", base):
            raise AdapterConfigError(_("请填写以 http:// 或 https:// 开头的接口地址（base_url）"))
    elif kind == "file":
        path = config.get("path")
        if not isinstance(path, str) or not path:
            raise AdapterConfigError(_("请填写文件路径（path）"))
        if config.get("format", "csv") not in ("csv", "xlsx"):
            raise AdapterConfigError(_("文件格式（format）只能是 csv 或 xlsx"))
        try:
            import codecs

            codecs.lookup(str(config.get("encoding", "utf-8-sig")))
        except LookupError:
            raise AdapterConfigError(_("未知的文件编码（encoding）")) from None
    elif kind == "platform":
        source = config.get("source")
        if not isinstance(source, str) or not source:
            raise AdapterConfigError(_("请填写平台内数据源名称（source）"))
        if source not in _platform_sources:
            raise AdapterConfigError(
                _("平台内数据源“%(source)s”未注册，可用的有：%(names)s")
                % {"source": source, "names": "、".join(sorted(_platform_sources)) or "—"}
            )
    else:
        raise AdapterConfigError(_("适配器类型只能是 sql、rest、file 或 platform"))
    return config


# ----------------------------------------------------------------------------------- SQL

_engines: dict[tuple[int, str], Engine] = {}
_engines_lock = threading.Lock()


def _engine(adapter_id: int, url: str) -> Engine:
    key = (adapter_id, url)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            for old in [k for k in _engines if k[0] == adapter_id]:
                _engines.pop(old).dispose()
            engine = _create_engine(url)
            _engines[key] = engine
        return engine


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = str(Path(str(parsed.database)).resolve())

        def connect() -> sqlite3.Connection:
            uri = f"file:{quote(path)}?mode=ro"
            return sqlite3.connect(uri, uri=True, check_same_thread=False)

        return sa.create_engine(
            "sqlite://", creator=connect, poolclass=QueuePool, pool_size=5, max_overflow=5
        )
    return sa.create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def engines_dispose() -> None:
    """Close every adapter pool (tests, configuration changes)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _source_selectable(config: dict[str, Any], columns: Iterable[str]) -> Any:
    cols: list[Any] = [sa.column(c) for c in dict.fromkeys(columns)]
    if config.get("query"):
        statement = select_only(str(config["query"]))
        return sa.text(statement).columns(*cols).subquery("src")
    schema, _dot, name = str(config["table"]).rpartition(".")
    return sa.table(name, *cols, schema=schema or None)


POSITION = "tongban_position"


def _sql_fetch(q: Query) -> Page:
    url = str(q.config["url"])
    engine = _engine(q.adapter_id, url)
    order_by = str(q.config.get("order_by") or "")
    used = [q.fields[k].source for k in [*q.wanted, *q.filters]]
    source = _source_selectable(q.config, [*used, order_by] if order_by else used)
    columns = [source.c[q.fields[k].source].label(k) for k in q.wanted]
    if order_by:
        columns.append(source.c[order_by].label(POSITION))
    statement = sa.select(*columns)
    for key, value in q.filters.items():
        field = q.fields[key]
        statement = statement.where(source.c[field.source] == field.to_source(value))
    offset = 0
    if order_by:
        if q.after:
            if "key" not in q.after:
                raise AdapterFailed("bad paging position")
            statement = statement.where(source.c[order_by] > q.after["key"])
        statement = statement.order_by(source.c[order_by])
    else:
        offset = _offset(q.after)
        statement = statement.offset(offset) if offset else statement
    # One row more than asked says whether there is a next page.
    statement = statement.limit(q.limit + 1)
    try:
        with engine.connect() as conn:
            rows = _execute(conn, statement, q.timeout)
    except AdapterFailed:
        raise
    except SQLAlchemyError as exc:
        text = str(getattr(exc, "orig", exc))
        if "interrupted" in text or "statement timeout" in text or "canceling statement" in text:
            raise AdapterTimeout(text[:200]) from exc
        raise AdapterFailed(text[:200]) from exc
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    position: dict[str, Any] | None = None
    if more and order_by:
        position = {"key": rows[-1][POSITION]}
    elif more:
        position = {"offset": offset + q.limit}
    return Page([{k: q.fields[k].read(row[k]) for k in q.wanted} for row in rows], position)


def _execute(conn: sa.Connection, statement: Any, timeout: float) -> list[Any]:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        raw: Any = conn.connection.dbapi_connection
        deadline = time.monotonic() + timeout
        raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
        try:
            return [row._mapping for row in conn.execute(statement)]
        finally:
            raw.set_progress_handler(None, 0)
    if dialect == "postgresql":
        with conn.begin():
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout * 1000)}"))
            return [row._mapping for row in conn.execute(statement)]
    return [row._mapping for row in conn.execute(statement)]


# ---------------------------------------------------------------------------------- REST


def _matches(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    return all(str(row.get(k)) == str(v) for k, v in filters.items())


def _rest_fetch(q: Query) -> Page:
    url = str(q.config["base_url"]).rstrip("/")
    if q.config.get("path"):
        url += "/" + str(q.config["path"]).lstrip("/")
    params = {q.fields[k].source: q.fields[k].to_source(v) for k, v in q.filters.items()}
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=q.timeout) as response:  # noqa: S310
            body = response.read(MAX_REST_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise AdapterFailed(f"HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise AdapterTimeout(str(exc.reason)) from exc
        raise AdapterFailed(str(exc.reason)[:200]) from exc
    except TimeoutError as exc:
        raise AdapterTimeout(str(exc)) from exc
    except OSError as exc:
        raise AdapterFailed(str(exc)[:200]) from exc
    if len(body) > MAX_REST_BYTES:
        raise AdapterFailed("response too large")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AdapterFailed("response is not JSON") from exc
    if isinstance(data, dict):
        data = data.get(str(q.config.get("items_key", "items")))
    if not isinstance(data, list):
        raise AdapterFailed("response holds no list of records")
    return _normalised([r for r in data if isinstance(r, dict)], q)


def _normalised(raw_rows: list[dict[str, Any]], q: Query) -> Page:
    """Matching rows from raw row number ``after["offset"]`` on; the next page starts
    after the last row returned."""
    keys = list(dict.fromkeys([*q.wanted, *q.filters]))
    found: list[dict[str, Any]] = []
    start = _offset(q.after)
    for number in range(start, len(raw_rows)):
        raw = raw_rows[number]
        row = {k: q.fields[k].read(raw.get(q.fields[k].source)) for k in keys}
        if _matches(row, q.filters):
            if len(found) >= q.limit:
                return Page(found, {"offset": number})
            found.append({k: row[k] for k in q.wanted})
    return Page(found, None)


# ---------------------------------------------------------------------------------- file

_file_cache: dict[str, tuple[int, int, list[dict[str, Any]]]] = {}
_file_lock = threading.Lock()


def _file_rows(config: dict[str, Any]) -> list[dict[str, Any]]:
    path = Path(str(config["path"]))
    try:
        stat = path.stat()
    except OSError as exc:
        raise AdapterFailed(f"cannot read {path.name}") from exc
    key = str(path.resolve())
    with _file_lock:
        cached = _file_cache.get(key)
        if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
    try:
        if config.get("format", "csv") == "xlsx":
            rows = _read_xlsx(path, config.get("sheet"))
        else:
            rows = _read_csv(path, str(config.get("encoding", "utf-8-sig")))
    except (OSError, ValueError, KeyError) as exc:
        raise AdapterFailed(f"cannot read {path.name}: {exc}"[:200]) from exc
    with _file_lock:
        _file_cache[key] = (stat.st_mtime_ns, stat.st_size, rows)
    return rows


def _read_csv(path: Path, encoding: str) -> list[dict[str, Any]]:
    with path.open(encoding=encoding, newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def _read_xlsx(path: Path, sheet: Any) -> list[dict[str, Any]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[str(sheet)] if sheet else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        return [dict(zip(header, row, strict=False)) for row in rows if any(row)]
    finally:
        book.close()


def _file_fetch(q: Query) -> Page:
    return _normalised(_file_rows(q.config), q)


# ------------------------------------------------------------------------------ platform

# fetch(consumer_department_id, filters, limit) -> rows keyed by data item key
PlatformFetch = Callable[[int, dict[str, Any], int], list[dict[str, Any]]]
_platform_sources: dict[str, PlatformFetch] = {}


def platform_source_register(name: str, fetch: PlatformFetch) -> None:
    """Make data the platform holds available to ``platform`` adapters as ``name``.

    ``fetch(consumer_department_id, filters, limit)`` returns at most ``limit`` rows of
    scalar values keyed by the resource's data item keys, only those the consuming
    department may see. Registering a name again replaces its function (reloads)."""
    if not name or not callable(fetch):
        raise ValueError("a platform source needs a name and a fetch function")
    _platform_sources[name] = fetch


def platform_sources() -> list[str]:
    return sorted(_platform_sources)


def _platform_fetch(q: Query) -> Page:
    fetch = _platform_sources.get(str(q.config.get("source", "")))
    if fetch is None:
        raise AdapterFailed(f"platform source {q.config.get('source')!r} is not registered")
    if q.consumer_department_id is None:
        raise AdapterFailed("a platform source needs the consuming department")
    start = _offset(q.after)
    # One row more than asked says whether there is a next page.
    raw = fetch(q.consumer_department_id, dict(q.filters), start + q.limit + 1)
    if not isinstance(raw, list):
        raise AdapterFailed("platform source answered no list of records")
    rows = [r for r in raw[start:] if isinstance(r, dict)]
    more = len(rows) > q.limit
    page = [_platform_row(row, q) for row in rows[: q.limit]]
    return Page(page, {"offset": start + q.limit} if more else None)


def _platform_row(row: dict[str, Any], q: Query) -> dict[str, Any]:
    """The wanted items of a row; a mapping, if one is configured, renames and transforms."""
    out: dict[str, Any] = {}
    for key in q.wanted:
        field = q.fields.get(key)
        out[key] = field.read(row.get(field.source)) if field else row.get(key)
    return out
