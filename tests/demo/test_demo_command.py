"""`tongban demo` against a real SQLite file, as a newcomer runs it."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DEMO_SECRETS = ("420102199003071232", "420902200005124560", "13800001234", "13900005678")


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    database = var / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=f"sqlite:///{database}", TONGBAN_VAR_DIR=str(var))
    runs = [
        subprocess.run(
            [sys.executable, "-m", "tongban.cli", "demo", "--no-serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        for _ in range(2)
    ]
    return database, runs


def table_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if not row[0].startswith("sqlite_")
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_demo_runs_twice_and_shows_progress(demo_database):
    _database, runs = demo_database
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
        assert "[1/3] Migrating" in run.stdout and "demo data ready" in run.stdout
    assert "new accounts: 21" in runs[0].stdout
    assert "new accounts: 0" in runs[1].stdout
    assert "sample cases: 3" in runs[0].stdout
    assert "sample cases: already there" in runs[1].stdout
    assert "exchange: 3 resources, client demo-rsj-system" in runs[1].stdout
    assert "appeals: already loaded" in runs[1].stdout
    assert "decision-support figures:" in runs[0].stdout
    assert "requests from cases: 2" in runs[0].stdout
    assert "office: already there" in runs[1].stdout


def test_second_run_creates_nothing_twice(demo_database, tmp_path):
    database, _runs = demo_database
    counts = table_counts(database)
    assert counts["org_division"] == 7
    assert counts["accounts_user"] == 21
    assert counts["accounts_citizenprofile"] == 2
    # the OIDC client and the exchange clients
    assert counts["oauth2_provider_application"] == 1 + counts["exchange_exchangeclient"]
    assert counts["disclosure_article"] == 11
    assert counts["accounts_staffrole"] == 18
    assert counts["analytics_fact"] > 0  # figures of the sample cases and appeals
    assert counts["cases_case"] == 3
    assert counts["supervision_rating"] == 1
    # three legacy sources, 电子证照库 and the sources of the open datasets
    assert counts["exchange_resource"] == 4 + counts["opendata_dataset"]
    assert counts["licences_licencetype"] == 6
    assert counts["licences_licence"] == 1  # the sample social security card (no worker ran)
    assert counts["exchange_sharingrequest"] == 4  # 人社 on 公安; the registries on 3
    assert counts["registries_registrysource"] == 4
    # demo-rsj-system, tongban-registries (the registries' sync), the platform's own client
    assert counts["exchange_exchangeclient"] == 3
    # issue 6: 200+ appeals, a knowledge base, two open drafts, a survey with answers,
    # 100 publications, 10 information requests
    assert counts["interaction_appeal"] >= 200
    assert counts["knowledge_entry"] >= 40
    assert counts["participation_solicitation"] >= 3
    assert counts["participation_response"] >= 1
    assert counts["disclosure_publication"] == 100
    assert counts["disclosure_inforequest"] == 10
    # issue 7: at least 20 open datasets from the departments' resources, three files each
    assert counts["opendata_dataset"] >= 20
    assert counts["opendata_distribution"] == 3 * counts["opendata_dataset"]
    # issue 10: 30+ documents, 10+ work items, notices, two groups, requests from a case
    assert counts["office_document"] >= 30
    assert counts["office_workitem"] >= 10
    assert counts["office_notice"] >= 1
    assert counts["office_group"] == 2
    assert counts["office_internalrequest"] == 2


def test_database_file_holds_no_plaintext_personal_identifiers(demo_database):
    database, _runs = demo_database
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    raw = b"".join(p.read_bytes() for p in files)
    assert b"sm4gcm:" in raw
    for secret in DEMO_SECRETS:
        assert secret.encode() not in raw, f"{secret} found in clear in the database file"


def test_demo_keys_are_generated_privately(demo_database):
    database, _runs = demo_database
    keys = database.parent / "keys"
    assert {"field-k1", "lookup", "platform-sm2", "oidc-rsa.pem"} <= {
        p.name for p in keys.iterdir()
    }
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in keys.iterdir())
