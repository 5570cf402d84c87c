"""The exchange benchmarks at tiny sizes: structure and counts, not timing."""

from __future__ import annotations

import math

import pytest
from bench.exchange import (
    STATEMENT_CALLS,
    VARIANTS,
    WARMUP,
    measure_gateway,
    measure_message_log,
    measure_signature,
)
from bench.report import _gateway_table, _message_log_table

from tongban.demo.loader import load_demo
from tongban.exchange import services
from tongban.exchange.models import MessageBatch, MessageLog

TIMING_KEYS = {"ops", "seconds", "per_s", "ms_mean", "ms_median", "ms_p95"}


@pytest.fixture(scope="module")
def legacy_dir(tmp_path_factory):
    """One var/ directory for the module: the legacy sources are built once."""
    return tmp_path_factory.mktemp("bench-var")


@pytest.fixture
def demo_exchange(db, settings, legacy_dir):
    settings.VAR_DIR = legacy_dir
    load_demo(progress=lambda _line: None, catalog=False, sample_cases=False, office=False)


def test_gateway_overhead_structure_and_one_log_record_per_gateway_call(demo_exchange):
    logged = MessageLog.objects.count()
    result = measure_gateway(2)
    assert set(result["lookups"]) == {"by_id", "page_100"}
    timed = 0
    for name, lookup in result["lookups"].items():
        assert set(lookup["variants"]) == set(VARIANTS)
        assert set(lookup["ratios"]) == {
            "service_vs_adapter",
            "http_vs_adapter",
            "service_vs_adapter_p95",
            "http_vs_adapter_p95",
        }
        for variant, figures in lookup["variants"].items():
            assert set(figures) >= TIMING_KEYS and figures["ops"] == 2
            assert figures["statements_per_call"] >= 0
            # The same rows whichever way the source is reached.
            assert figures["rows_per_call"] == (1 if name == "by_id" else 100), variant
        # The adapter writes nothing; each gateway call writes one log record of its own.
        assert lookup["log_records_per_call"] == {"adapter": 0, "service": 1, "http": 1}
        assert lookup["log_records_total"] == 2 * 2
        assert lookup["variants"]["adapter"]["write_rows_per_call"] == 0
        assert lookup["variants"]["service"]["write_rows_per_call"] >= 1
        timed += lookup["log_records_total"]
    # Timed calls, plus warm-up and counted calls, all logged: 2 gateway variants each.
    extra = 2 * 2 * (WARMUP + STATEMENT_CALLS)
    assert MessageLog.objects.count() - logged == timed + extra
    table = _gateway_table({"sqlite": {"gateway": result}})
    assert sum(line.startswith("| sqlite | ") for line in table) == 2


def test_batch_signing_makes_ceil_n_over_size_signatures(demo_exchange):
    services.message_batch_close()  # start from a fully signed log
    batches = MessageBatch.objects.count()
    result = measure_message_log(10, [4, 16], signatures=2, verify=True)
    runs = result["variants"]
    assert set(runs) == {"batch_4", "batch_16", "sign_each"}
    assert runs["batch_4"]["signatures"] == math.ceil(10 / 4) == 3
    assert runs["batch_16"]["signatures"] == 1
    assert runs["sign_each"]["signatures"] == 10 and runs["sign_each"]["batches"] == 0
    for run in runs.values():
        assert run["records"] == 10 and run["per_s"] > 0
        assert "_durations" not in run
    assert set(result["ratios"]) == {"batch_4_vs_sign_each", "batch_16_vs_sign_each"}
    assert result["verification"]["ok"]
    # 3 + 1 batches measured, plus the untimed closes after each half of the baseline.
    assert MessageBatch.objects.count() - batches == 3 + 1 + 2
    assert MessageLog.objects.count() >= 30
    table = _message_log_table({"sqlite": {"message_log": result}})
    assert sum(line.startswith("| sqlite | ") for line in table) == 3
    assert any("signature" in line for line in table if line.startswith("- sqlite"))


def test_signature_cost(settings):
    result = measure_signature(2)
    assert result["sign"]["ops"] == 2 and result["signer_build_ms_median"] > 0
    assert result["algorithm"] in ("SM2-SM3", "Ed25519")
