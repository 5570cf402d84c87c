"""The base registries sync from the demo's legacy systems through the exchange gateway
(issue 4): configured ``RegistrySource`` rows, one logged message per page, found versus
planted as good as reading the files directly (``test_legacy_demo``)."""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.accounts.selectors import user_by_username
from tongban.core.errors import ValidationFailed
from tongban.demo import exchange_demo
from tongban.demo.loader import load_demo
from tongban.exchange import adapters
from tongban.exchange import services as exchange
from tongban.exchange.models import MessageLog, RequestStatus, SharingRequest
from tongban.registries import planted, readers, selectors, services
from tongban.registries.admin import RegistrySourceForm
from tongban.registries.models import RegistrySource, SourceRecord

CLIENT = exchange_demo.REGISTRIES_CLIENT_ID


def quiet(_line: str) -> None:
    pass


@pytest.fixture
def demo(db, settings, tmp_path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_EXCHANGE_RATE = "10000/m"
    load_demo(progress=quiet, catalog=False, sample_cases=False, office=False)
    return tmp_path / "legacy"


def _messages() -> int:
    return MessageLog.objects.filter(client_id=CLIENT).count()


def test_the_demo_configures_the_sources_once(demo):
    assert sorted(RegistrySource.objects.values_list("source", "kind")) == [
        ("gongan", "person"),
        ("rsj", "legal"),
        ("rsj", "person"),
        ("scjg", "legal"),
    ]
    grants = SharingRequest.objects.filter(consumer__code="zsj", status=RequestStatus.APPROVED)
    assert grants.count() == 3
    load_demo(progress=quiet, catalog=False, sample_cases=False, office=False)
    assert RegistrySource.objects.count() == 4
    assert SharingRequest.objects.filter(consumer__code="zsj").count() == 3


GOOD = {
    "source": "gongan2",
    "kind": "person",
    "label": "公安（第二来源）",
    "resource_code": exchange_demo.POPULATION,
    "client_id": CLIENT,
    "attribute_map": {"source_id": "person_no", "name": "name"},
}


STATUS_MAP = {"item": "status", "values": [1]}
BAD = [
    ({"source": "GA"}, "source", "来源代码"),
    ({"kind": "thing"}, "kind", "类别"),
    ({"client_id": "nobody"}, "client_id", "未登记"),
    ({"resource_code": "99999900001"}, "resource_code", "不存在"),
    ({"attribute_map": {"name": "name"}}, "attribute_map", "source_id"),
    ({"attribute_map": {"source_id": "person_no", "shoe": "x"}}, "attribute_map.shoe", "没有属性"),
    ({"attribute_map": {"source_id": "nope"}}, "attribute_map.source_id", "没有信息项"),
    (
        {"attribute_map": {"source_id": "person_no", "status": STATUS_MAP}},
        "attribute_map.status",
        "values",
    ),
    ({"derive": "employers"}, "derive", "法人"),
    ({"page_size": 500}, "page_size", "100"),
]


def test_source_configuration_is_validated(demo):
    for change, field, reason in BAD:
        with pytest.raises(ValidationFailed, match=reason) as caught:
            services.registry_source_upsert(**{**GOOD, **change})
        assert caught.value.field == field, change
    assert services.registry_source_upsert(**GOOD).pk
    data = {**GOOD, "attribute_map": '{"source_id": "x"}', "page_size": 100}
    form = RegistrySourceForm(data=data)
    assert not form.is_valid() and "没有信息项" in str(form.errors)


def test_the_command_syncs_one_source_and_fails_loudly(demo):
    out = StringIO()
    call_command("registries", "sync", "--source", "scjg", stdout=out)
    assert "scjg/legal: page 15," in out.getvalue()
    RegistrySource.objects.filter(source="scjg").update(client_id="demo-rsj-system")
    with pytest.raises(CommandError, match=r"scjg/legal failed: .*20100100001"):
        call_command("registries", "sync", "--source", "scjg", stdout=StringIO())


def test_sync_through_the_gateway_finds_what_was_planted(demo, monkeypatch, capsys):
    assert readers.readers() == []  # nothing registered: only the configured sources
    adapter_pages = []
    fetch_page = adapters.fetch_page

    def counting(query):
        page = fetch_page(query)
        adapter_pages.append(query.limit)
        return page

    monkeypatch.setattr(adapters, "fetch_page", counting)
    lines: list[str] = []
    started = time.monotonic()
    results = services.registry_sync(progress=lines.append)
    elapsed = time.monotonic() - started

    assert [r.error for r in results] == ["", "", "", ""]
    by_key = {(r.source, r.kind): r for r in results}
    pages = [line for line in lines if ": page " in line]
    # Every page is one call of the gateway, one adapter read and one logged message.
    assert _messages() == len(pages) == len(adapter_pages)
    assert set(adapter_pages) == {100}
    assert not MessageLog.objects.filter(client_id=CLIENT).exclude(status=200).exists()
    assert set(MessageLog.objects.filter(client_id=CLIENT).values_list("purpose", flat=True)) == {
        readers.PURPOSE
    }
    gongan = by_key[("gongan", "person")]
    assert sum(1 for line in pages if line.startswith("gongan/person")) == -(-gongan.rows // 100)
    assert gongan.rows > 2900 and gongan.created == gongan.rows
    assert by_key[("scjg", "legal")].rows > 1400
    assert by_key[("rsj", "person")].rows > 2500
    assert by_key[("rsj", "legal")].rows > 100

    report = selectors.reconcile_report(details=True)
    rows = planted.compare(report, planted.load(demo / "manifest.json"))
    with capsys.disabled():
        print(f"\nregistry sync through the gateway: {elapsed:.1f}s, {len(pages)} pages")
        print(planted.table(rows))
    assert {row.category for row in rows} == set(planted.KNOWN)
    for row in rows:
        assert row.found_share >= 0.9, row
        assert row.extra <= max(2, row.planted // 10), row

    # Nothing changed at the sources: a second sync reads them again and creates nothing.
    records = SourceRecord.objects.count()
    again = services.registry_sync(progress=quiet)
    assert all(r.created == 0 and r.changed == 0 and not r.error for r in again)
    assert SourceRecord.objects.count() == records
    assert _messages() == 2 * len(pages)

    # 公安 withdraws its grant: that source fails with the reason, the others go on.
    grant = SharingRequest.objects.get(
        consumer__code="zsj", resource__code=exchange_demo.POPULATION
    )
    exchange.grant_revoke(
        actor=user_by_username("gaj-shuju"), request_id=grant.pk, reason="用途变更，停止共享"
    )
    lines = []
    third = {(r.source, r.kind): r for r in services.registry_sync(progress=lines.append)}
    failed = third[("gongan", "person")]
    assert failed.rows == 0
    assert exchange_demo.POPULATION in failed.error
    assert "本部门没有该资源的有效共享授权" in failed.error
    assert any(line.startswith("gongan/person: failed: ") for line in lines)
    for key in [("rsj", "person"), ("rsj", "legal"), ("scjg", "legal")]:
        assert not third[key].error and third[key].rows == by_key[key].rows
    assert MessageLog.objects.filter(client_id=CLIENT, status=403).count() == 1
