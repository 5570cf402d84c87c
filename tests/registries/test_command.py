from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.registries.factories import gongan_rows
from tests.registries.test_services import ingest_all
from tongban.registries import readers


@pytest.mark.django_db
def test_sync_prints_counts_per_source():
    readers.reader_register(
        readers.CallableReader(source="gongan", kind="person", label="公安户籍", fetch=gongan_rows)
    )
    out = StringIO()
    try:
        call_command("registries", "sync", "--source", "gongan", stdout=out)
    finally:
        readers.reader_unregister("gongan", "person")
    assert "gongan/person: 4 rows, 4 new" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("registries", "sync", "--source", "nowhere", stdout=StringIO())


@pytest.mark.django_db
def test_report_against_a_manifest(tmp_path):
    ingest_all()
    manifest = {
        "planted": {
            "address_conflicts": [{"ids": {"gongan": ["G2"], "rsj": ["R2"]}}],
            "stale_persons": [{"ids": {"gongan": ["G4"], "rsj": ["R4"]}}],
            "name_variants": [{"ids": {"gongan": ["G1"], "rsj": ["R1"]}}],
            "legal_representatives": [{"ids": {"gongan": ["G1"], "scjg": ["S1"]}}],
            "duplicates": [{"ids": {"rsj": ["R9", "R10"]}}],
            "something_new": [{"ids": {}}],
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    out = StringIO()
    call_command("registries", "report", "--manifest", str(path), stdout=out)
    lines = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines() if line}
    assert lines["address_conflicts"] == ["1", "1", "0", "0"]
    assert lines["stale_persons"] == ["1", "1", "0", "0"]
    assert lines["name_variants"] == ["1", "1", "0", "0"]
    assert lines["legal_representatives"] == ["1", "1", "0", "0"]
    assert lines["duplicates"] == ["1", "0", "1", "0"]
    assert lines["something_new"] == ["(unmapped)", "1", "0", "1", "0"]
