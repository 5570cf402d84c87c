"""Reconciliation over the demo legacy sources, checked against their manifest."""

from __future__ import annotations

import importlib
import time

import pytest

from tests.registries import legacy as read
from tongban.registries import planted, selectors, services

# The package exports a function named like its module; take the module itself.
legacy = importlib.import_module("tongban.demo.legacy.build")


@pytest.mark.django_db
def test_reconciliation_finds_the_planted_inconsistencies(tmp_path, capsys):
    legacy.build(tmp_path, progress=lambda _line: None)
    started = time.monotonic()
    people = read.rsj_rows(tmp_path / legacy.RSJ_CSV_FILE)
    services.registry_ingest(
        source="gongan", kind="person", records=read.gongan_rows(tmp_path / legacy.GONGAN_FILE)
    )
    services.registry_ingest(source="rsj", kind="person", records=people)
    services.registry_ingest(
        source="scjg", kind="legal", records=read.scjg_rows(tmp_path / legacy.SCJG_FILE)
    )
    services.registry_ingest(source="rsj", kind="legal", records=read.rsj_employer_rows(people))
    elapsed = time.monotonic() - started
    report = selectors.reconcile_report(details=True)
    rows = planted.compare(report, planted.load(tmp_path / "manifest.json"))
    with capsys.disabled():
        print(
            f"\nlegacy demo ingest+reconcile: {elapsed:.1f}s; links {report.links}; "
            f"conflicts {report.conflicts}"
        )
        print(planted.table(rows))
    by_category = {row.category: row for row in rows}
    assert set(by_category) == set(planted.KNOWN)
    for row in rows:
        assert row.found_share >= 0.9, row
        assert row.extra <= max(2, row.planted // 10), row
