"""The exchange gateway (issue 4): what the gateway adds to a query over calling the adapter
directly, and what batch signing of the message log saves over signing every message.

Gateway overhead: the same lookups on the demo 公安 household register (the legacy SQLite
source the demo builds into the var/ directory, resource ``10100100001``) as the demo client
``demo-rsj-system`` of 武汉市人社局 makes them:

* ``adapter``: ``adapters.fetch_page`` with the resource's field mappings (parsed once);
* ``service``: ``exchange.services.gateway_query`` in-process (client and rate check, grant
  check item by item, mapping, masking, the cursor, one hash-chained message log record);
* ``http``: ``POST /exchange/v1/{code}/query`` through Django's test client (middleware,
  client-credentials bearer token, request parsing and response serialisation), the same
  call over the whole request stack without a socket.

Lookups: by ID number (one row), and pages of 100 rows walked with the cursor. The three
variants run interleaved, call by call, on the same inputs, so that a shared machine's
drift affects them alike.

Message log: ``message_record`` with batch signing at several batch sizes, each run ending
with ``message_batch_close`` so that every record is signed, against the baseline of
signing every record (``message_record`` without batch signing, then the platform signer
once per record, in the same loop), and the cost of one signature.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from sqlalchemy.engine import make_url

from bench.writes import count_writes
from tongban.core.crypto import platform_signer, sm3_hex
from tongban.demo.exchange_demo import CLIENT_ID, CLIENT_SECRET, POPULATION
from tongban.exchange import adapters, services
from tongban.exchange import transforms as tf
from tongban.exchange.models import FieldMapping, MessageBatch, MessageLog
from tongban.exchange.selectors import message_log_verify, resource_get

Progress = Callable[[str], None]

FIELDS = ["name", "id_number", "address"]  # what the demo grant gives 人社
PURPOSE = "参保登记核验身份"
BY_ID_LIMIT = 20  # the gateway's default page size: a lookup by ID number asks no limit
PAGE = 100  # the gateway's largest page
WARMUP = 3
STATEMENT_CALLS = 3  # untimed calls under the write counter, per lookup and variant
VARIANTS = ("adapter", "service", "http")
# No limit while measuring: the gateway's rate limit (600/min by default) would answer 429.
UNLIMITED = "1000000000/m"
NEVER = 10**12  # a batch size no run reaches: no batch signing


def _quiet(_line: str) -> None:
    pass


def timing(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    total = sum(durations)
    return {
        "ops": len(durations),
        "seconds": total,
        "per_s": len(durations) / total if total else 0.0,
        "ms_mean": total / len(durations) * 1000,
        "ms_median": statistics.median(ordered) * 1000,
        "ms_p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    }


# ------------------------------------------------------------------------ gateway overhead


class Gateway:
    """The demo population resource, its adapter with parsed mappings, and the demo client
    (in-process id and HTTP bearer token)."""

    def __init__(self) -> None:
        self.resource = resource_get(POPULATION)
        adapter = self.resource.adapter
        if adapter is None:
            raise RuntimeError(f"resource {POPULATION} has no adapter (demo exchange not loaded?)")
        self.adapter = adapter
        self.mappings = {
            m.item_key: adapters.SourceField(
                m.item_key, m.source, tuple(tf.parse_all(m.transforms))
            )
            for m in FieldMapping.objects.filter(adapter=adapter)
        }
        self.timeout = float(adapter.config.get("timeout", 5))
        # WhiteNoise warns once that the throwaway var/ has no collected static files.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        self.http = Client()
        self.url = f"/exchange/v1/{POPULATION}/query"
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self._token()}"}

    def _token(self) -> str:
        import base64

        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        response = self.http.post(
            "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
        )
        if response.status_code != 200:
            raise RuntimeError(f"client credentials token: HTTP {response.status_code}")
        return str(response.json()["access_token"])

    def id_numbers(self, count: int) -> list[str]:
        """ID numbers held by exactly one row of the source, stored in normal form (so that
        the equality filter finds them), read straight from the legacy file."""
        path = make_url(str(self.adapter.config["url"])).database
        column = self.mappings["id_number"].source
        table = str(self.adapter.config["table"])
        sql = (
            f"SELECT {column} FROM {table} WHERE {column} = upper(trim({column})) "  # noqa: S608
            f"GROUP BY {column} HAVING count(*) = 1 ORDER BY {column}"
        )
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            found = [row[0] for row in source.execute(sql)]
        if not found:
            raise RuntimeError("no ID numbers in the legacy source")
        step = max(1, len(found) // count)  # spread over the table
        return [found[(i * step) % len(found)] for i in range(count)]

    # The three variants: each returns (rows, where the next page starts, message id).

    def adapter_call(self, filters: dict[str, Any], limit: int, after: Any) -> tuple:
        query = adapters.Query(
            adapter_id=self.adapter.pk,
            kind=self.adapter.kind,
            config=self.adapter.config,
            fields=self.mappings,
            wanted=FIELDS,
            filters=dict(filters),
            limit=limit,
            timeout=self.timeout,
            after=after,
        )
        page = adapters.fetch_page(query)
        return page.rows, page.next, None

    def service_call(self, filters: dict[str, Any], limit: int, after: Any) -> tuple:
        answer = services.gateway_query(
            client_id=CLIENT_ID,
            resource_code=POPULATION,
            filters=dict(filters),
            fields=list(FIELDS),
            purpose=PURPOSE,
            limit=limit,
            after=after,
        )
        return answer.items, answer.next, answer.message_id

    def http_call(self, filters: dict[str, Any], limit: int, after: Any) -> tuple:
        body = {"filters": filters, "fields": FIELDS, "purpose": PURPOSE, "limit": limit}
        if after is not None:
            body["after"] = after
        response = self.http.post(self.url, body, content_type="application/json", **self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"gateway over HTTP: {response.status_code} {response.content!r}")
        data = response.json()
        return data["items"], data["next"], data["message_id"]

    def call(self, variant: str) -> Callable[[dict[str, Any], int, Any], tuple]:
        return getattr(self, f"{variant}_call")


def _lookup(gateway: Gateway, name: str, calls: int, ids: list[str]) -> dict[str, Any]:
    """``calls`` timed calls of each variant, interleaved, plus warm-up and counted calls."""
    limit = BY_ID_LIMIT if name == "by_id" else PAGE
    after: dict[str, Any] = dict.fromkeys(VARIANTS)
    durations: dict[str, list[float]] = {v: [] for v in VARIANTS}
    rows: dict[str, list[int]] = {v: [] for v in VARIANTS}
    messages: dict[str, list[str]] = {v: [] for v in VARIANTS}

    def one(variant: str, index: int, timed: bool) -> None:
        filters = {"id_number": ids[index % len(ids)]} if name == "by_id" else {}
        call = gateway.call(variant)
        started = time.perf_counter()
        items, following, message_id = call(filters, limit, after[variant])
        elapsed = time.perf_counter() - started
        if name == "page_100":  # walk the pages, back to the first after the last one
            after[variant] = following
        if timed:
            durations[variant].append(elapsed)
            rows[variant].append(len(items))
            if message_id is not None:
                messages[variant].append(str(message_id))

    for index in range(WARMUP):
        for variant in VARIANTS:
            one(variant, calls + index, timed=False)
    for variant in VARIANTS:  # start the timed page walk at the first page for everyone
        after[variant] = None
    logged_before = MessageLog.objects.count()
    for index in range(calls):
        for variant in VARIANTS:
            one(variant, index, timed=True)
    logged = MessageLog.objects.count() - logged_before
    result: dict[str, Any] = {"limit": limit, "calls": calls, "variants": {}}
    for variant in VARIANTS:
        records = MessageLog.objects.filter(message_id__in=messages[variant]).count()
        result["variants"][variant] = {
            **timing(durations[variant]),
            "rows_per_call": sum(rows[variant]) / calls,
            "log_records": records,
        }
    # Every log record written during the timed calls belongs to a gateway call.
    result["log_records_total"] = logged
    result["log_records_per_call"] = {
        v: result["variants"][v]["log_records"] / calls for v in VARIANTS
    }
    # Statements per call (what the gateway adds to the source query), counted on a few
    # untimed calls.
    counted: dict[str, Any] = {}
    for variant in VARIANTS:
        after[variant] = None
        with count_writes() as log:
            for index in range(STATEMENT_CALLS):
                one(variant, index, timed=False)
        counted[variant] = {
            "statements_per_call": log.statements / STATEMENT_CALLS,
            "write_rows_per_call": log.write_rows / STATEMENT_CALLS,
            "write_bytes_per_call": log.write_bytes / STATEMENT_CALLS,
        }
    for variant in VARIANTS:
        result["variants"][variant].update(counted[variant])
    adapter = result["variants"]["adapter"]["ms_median"]
    result["ratios"] = {
        "service_vs_adapter": result["variants"]["service"]["ms_median"] / adapter,
        "http_vs_adapter": result["variants"]["http"]["ms_median"] / adapter,
        "service_vs_adapter_p95": result["variants"]["service"]["ms_p95"]
        / result["variants"]["adapter"]["ms_p95"],
        "http_vs_adapter_p95": result["variants"]["http"]["ms_p95"]
        / result["variants"]["adapter"]["ms_p95"],
    }
    return result


def measure_gateway(calls: int, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Gateway overhead over the adapter: by ID number (one row) and pages of 100 rows."""
    with override_settings(TONGBAN_EXCHANGE_RATE=UNLIMITED):
        gateway = Gateway()
        ids = gateway.id_numbers(calls + WARMUP)
        result: dict[str, Any] = {
            "resource": POPULATION,
            "client_id": CLIENT_ID,
            "fields": FIELDS,
            "source": {"kind": gateway.adapter.kind, "backend": "sqlite (legacy file)"},
            "platform_db": connection.vendor,
            "lookups": {},
        }
        for name in ("by_id", "page_100"):
            found = _lookup(gateway, name, calls, ids)
            result["lookups"][name] = found
            v, r = found["variants"], found["ratios"]
            progress(
                f"    {name}: {calls} calls each; median ms adapter "
                f"{v['adapter']['ms_median']:.2f}, gateway_query {v['service']['ms_median']:.2f} "
                f"({r['service_vs_adapter']:.1f}×), HTTP {v['http']['ms_median']:.2f} "
                f"({r['http_vs_adapter']:.1f}×)"
            )
    return result


# -------------------------------------------------------------------------- message log


def configured_batch_size() -> int:
    """The batch size the platform signs the log at (``TONGBAN_EXCHANGE_BATCH_SIZE``):
    the fewest records that need one signature, by the service's own count."""
    return next(n for n in range(1, 1 << 20) if services.batches_expected(n + 1) > 1)


def measure_signature(count: int) -> dict[str, Any]:
    """The platform signer: one signature, and building the signer from its key (which
    ``_batch_sign`` does for every batch: for SM2 it derives the public key)."""
    built: list[float] = []
    for _ in range(max(1, min(count, 5))):
        started = time.perf_counter()
        signer = platform_signer()
        built.append(time.perf_counter() - started)
    message = b"tongban-bench " * 8
    signed: list[float] = []
    for index in range(count):
        started = time.perf_counter()
        signer.sign(message + str(index).encode())
        signed.append(time.perf_counter() - started)
    return {
        "algorithm": signer.algorithm,
        "sign": timing(signed),
        "signer_build_ms_median": statistics.median(built) * 1000,
    }


def _record_args(index: int) -> dict[str, Any]:
    return {
        "message_id": uuid.uuid4(),
        "client_id": CLIENT_ID,
        "consumer_id": None,
        "provider_id": None,
        "resource_code": POPULATION,
        "purpose": PURPOSE,
        "fields": FIELDS,
        "filter_keys": ["id_number"],
        "request_hash": sm3_hex(f"request {index}".encode()),
        "response_hash": sm3_hex(f"response {index}".encode()),
        "status": 200,
    }


def _log_run(records: int, batch_size: int | None) -> dict[str, Any]:
    """``records`` calls of ``message_record``; with a batch size, batches are signed as
    they fill and the tail is closed at the end (timed); without, the platform signer signs
    every record's hash in the same loop. Raw durations under ``_durations``/``_signing``."""
    args = [_record_args(i) for i in range(records)]
    with override_settings(TONGBAN_EXCHANGE_BATCH_SIZE=batch_size or NEVER):
        services.message_batch_close()  # start from a fully signed log (untimed)
        batches_before = MessageBatch.objects.count()
        signer = platform_signer() if batch_size is None else None
        durations: list[float] = []
        signing: list[float] = []
        for kwargs in args:
            started = time.perf_counter()
            record = services.message_record(**kwargs)
            if signer is not None:
                signed = time.perf_counter()
                signer.sign(str(record.hash).encode())
                signing.append(time.perf_counter() - signed)
            durations.append(time.perf_counter() - started)
        close = 0.0
        if batch_size is not None:
            started = time.perf_counter()
            services.message_batch_close()
            close = time.perf_counter() - started
        batches = MessageBatch.objects.count() - batches_before
    if batch_size is None:
        services.message_batch_close()  # leave the log signed for the next run (untimed)
    return {
        "batch_size": batch_size,
        "close": close,
        "batches": batches,
        "_durations": durations,
        "_signing": signing,
    }


def _log_figures(*runs: dict[str, Any]) -> dict[str, Any]:
    """Figures of one variant from its run(s): the baseline runs in two halves, before and
    after the batch runs, so that drift of a shared machine touches both sides alike."""
    durations = [d for run in runs for d in run["_durations"]]
    signing = [d for run in runs for d in run["_signing"]]
    close = sum(run["close"] for run in runs)
    batch_size = runs[0]["batch_size"]
    records = len(durations)
    total = sum(durations) + close
    batches = sum(run["batches"] for run in runs)
    result = {
        **timing(durations),
        "records": records,
        "batch_size": batch_size,
        "seconds": total,
        "per_s": records / total,
        "tail_close_ms": close * 1000,
        "batches": batches,
        "signatures": batches if batch_size is not None else len(signing),
    }
    if signing:
        result["sign_ms_median"] = statistics.median(signing) * 1000
        result["sign_share"] = sum(signing) / total
    return result


def measure_message_log(
    records: int,
    batch_sizes: list[int],
    *,
    signatures: int = 20,
    verify: bool = True,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Records/s of ``message_record`` with batch signing at each size vs signing each."""
    result: dict[str, Any] = {"records": records, "batch_sizes": list(batch_sizes)}
    result["signature"] = measure_signature(signatures)
    sig = result["signature"]
    progress(
        f"    one {sig['algorithm']} signature: {sig['sign']['ms_median']:.2f} ms "
        f"(building the signer {sig['signer_build_ms_median']:.2f} ms)"
    )
    half = records // 2
    first = _log_run(half, None)
    runs: dict[str, Any] = {}
    for size in batch_sizes:
        runs[f"batch_{size}"] = run = _log_figures(_log_run(records, size))
        expected = math.ceil(records / size)
        if run["batches"] != expected:
            raise RuntimeError(f"batch {size}: {run['batches']} signatures, expected {expected}")
        progress(
            f"    batch {size}: {records} records, {run['batches']} signatures, "
            f"{run['per_s']:.0f} records/s"
        )
    second = _log_run(records - half, None)
    runs["sign_each"] = each = _log_figures(first, second)
    progress(
        f"    sign each: {records} records, {each['signatures']} signatures, "
        f"{each['per_s']:.0f} records/s"
    )
    result["variants"] = runs
    result["ratios"] = {
        f"{name}_vs_sign_each": run["per_s"] / each["per_s"]
        for name, run in runs.items()
        if name != "sign_each"
    }
    if verify:
        started = time.perf_counter()
        checked = message_log_verify()
        result["verification"] = {
            "ok": checked.ok,
            "records": checked.checked,
            "reason": checked.reason,
            "seconds": time.perf_counter() - started,
        }
        if not checked.ok:
            raise RuntimeError(f"message log does not verify: {checked}")
        progress(f"    whole log verified: {checked.checked} records, chain and batch signatures")
    return result
