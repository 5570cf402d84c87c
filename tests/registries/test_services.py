from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tests.registries.factories import (
    WANG,
    ZHANG,
    gongan_rows,
    mistype,
    rsj_rows,
    scjg_rows,
)
from tongban.accounts.selectors import user_by_username
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.core.periodic import jobs
from tongban.registries import readers, selectors, services
from tongban.registries.models import (
    AttributeValue,
    Conflict,
    ConflictStatus,
    Entity,
    LinkMethod,
    SourceRecord,
)

T0 = timezone.make_aware(datetime.datetime(2026, 11, 1, 8, 0))
T1 = T0 + datetime.timedelta(hours=1)


def ingest_all(seen_at=T0, rsj=None):
    services.registry_ingest(source="gongan", kind="person", records=gongan_rows(), seen_at=seen_at)
    services.registry_ingest(
        source="rsj", kind="person", records=rsj if rsj is not None else rsj_rows(), seen_at=seen_at
    )
    services.registry_ingest(source="scjg", kind="legal", records=scjg_rows(), seen_at=seen_at)


def entity_of(source, source_id):
    return SourceRecord.objects.get(source=source, source_id=source_id).entity


def chosen(entity, attribute):
    return AttributeValue.objects.get(entity=entity, attribute=attribute, chosen=True)


@pytest.mark.django_db
def test_exact_linking_across_sources_and_traditional_name():
    ingest_all()
    zhang = entity_of("gongan", "G1")
    assert entity_of("rsj", "R1") == zhang  # 張三 / 张三, same ID number
    assert SourceRecord.objects.get(source="rsj", source_id="R1").link_method == LinkMethod.EXACT_ID
    assert entity_of("rsj", "R2") == entity_of("gongan", "G2")
    assert not Conflict.objects.filter(entity=zhang, attribute="name").exists()
    assert chosen(zhang, "name").value == "张三"
    assert Entity.objects.filter(kind="person").count() == 4


@pytest.mark.django_db
def test_mistyped_id_links_probabilistically_to_the_right_person():
    ingest_all()
    record = SourceRecord.objects.get(source="rsj", source_id="R3")
    assert not record.id_valid
    assert record.link_method == LinkMethod.PROBABILISTIC
    assert record.entity == entity_of("gongan", "G3")
    assert record.link_score is not None and record.link_score >= 0.9
    # The golden record keeps the valid number from the household register.
    assert chosen(record.entity, "id_number").value == WANG


@pytest.mark.django_db
def test_a_stranger_with_the_same_name_is_not_linked():
    stranger = {
        "source_id": "R9",
        "id_number": mistype(ZHANG, 14),
        "name": "张三",
        "sex": "女",
        "birth_date": "2001-02-03",
        "address": "潜江市园林办事处章华南路22号",
    }
    services.registry_ingest(source="gongan", kind="person", records=gongan_rows(), seen_at=T0)
    services.registry_ingest(source="rsj", kind="person", records=[stranger], seen_at=T0)
    record = SourceRecord.objects.get(source="rsj", source_id="R9")
    assert record.link_method == LinkMethod.NEW
    assert record.entity != entity_of("gongan", "G1")


@pytest.mark.django_db
def test_different_address_opens_a_conflict_with_both_values_and_sources():
    ingest_all()
    li = entity_of("gongan", "G2")
    conflict = Conflict.objects.get(entity=li, attribute="address")
    assert conflict.status == ConflictStatus.OPEN
    values = {(v["source"], v["value"]) for v in conflict.values}
    assert values == {
        ("gongan", "武汉市武昌区中南路8号"),
        ("rsj", "武汉市洪山区珞喻路1037号"),
    }
    assert all(v["seen_at"].startswith("2026-11-01") for v in conflict.values)
    # Until a steward decides, the household register wins.
    assert chosen(li, "address").source == "gongan"


@pytest.mark.django_db
def test_cancelled_person_still_insured_is_a_status_conflict():
    ingest_all()
    zhao = entity_of("gongan", "G4")
    conflict = Conflict.objects.get(entity=zhao, attribute="status")
    assert {v["value"] for v in conflict.values} == {"cancelled", "active"}
    assert selectors.reconcile_report().stale == 1


@pytest.mark.django_db
def test_resolving_applies_the_value_and_survives_a_resync(demo):
    steward = user_by_username("shuju")
    ingest_all()
    li = entity_of("gongan", "G2")
    conflict = Conflict.objects.get(entity=li, attribute="address")
    services.conflict_resolve(
        user=steward, conflict_id=conflict.pk, value_source="rsj", note="已电话核实"
    )
    assert chosen(li, "address").source == "rsj"
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RESOLVED
    assert conflict.decided_by == steward
    entry = AuditEntry.objects.get(action="registries.conflict_resolved")
    assert entry.actor_id == steward.pk and entry.detail["source"] == "rsj"
    assert "珞喻路" not in str(entry.detail)
    # The same content again: the decision stands, nothing reopens.
    ingest_all(seen_at=T1)
    assert chosen(li, "address").source == "rsj"
    assert not Conflict.objects.filter(entity=li, status=ConflictStatus.OPEN).exists()
    # A source changes the address again: a new conflict for the steward.
    rows = rsj_rows()
    rows[1]["address"] = "武汉市洪山区珞喻路1号"
    ingest_all(seen_at=T1, rsj=rows)
    reopened = Conflict.objects.get(entity=li, attribute="address", status=ConflictStatus.OPEN)
    # Lineage: the changed value is dated by this sync, the unchanged name keeps its date.
    record = SourceRecord.objects.get(source="rsj", source_id="R2")
    assert record.values.get(attribute="address").seen_at == T1
    assert record.values.get(attribute="name").seen_at == T0
    assert {v["value"] for v in reopened.values} == {
        "武汉市武昌区中南路8号",
        "武汉市洪山区珞喻路1号",
    }


@pytest.mark.django_db
def test_resolve_rejects_a_source_not_in_the_conflict(demo):
    ingest_all()
    conflict = Conflict.objects.filter(attribute="address").first()
    with pytest.raises(ValidationFailed):
        services.conflict_resolve(
            user=user_by_username("shuju"), conflict_id=conflict.pk, value_source="scjg"
        )
    with pytest.raises(PermissionDenied):
        services.conflict_resolve(
            user=user_by_username("chuangkou"), conflict_id=conflict.pk, value_source="rsj"
        )


@pytest.mark.django_db
def test_unchanged_reingest_creates_nothing():
    ingest_all()
    counts = (
        SourceRecord.objects.count(),
        AttributeValue.objects.count(),
        Conflict.objects.count(),
        Entity.objects.count(),
    )
    result = services.registry_ingest(source="rsj", kind="person", records=rsj_rows(), seen_at=T1)
    assert (result.created, result.changed, result.unchanged) == (0, 0, 4)
    assert result.conflicts_opened == 0
    assert counts == (
        SourceRecord.objects.count(),
        AttributeValue.objects.count(),
        Conflict.objects.count(),
        Entity.objects.count(),
    )
    assert SourceRecord.objects.get(source="rsj", source_id="R1").last_seen_at == T1


@pytest.mark.django_db
def test_in_source_duplicate_is_reported():
    rows = gongan_rows()
    rows.append({**rows[0], "source_id": "G1-dup", "id_number": mistype(ZHANG)})
    # The household register carries birth date and sex in their own columns.
    rows.append(
        {**rows[1], "source_id": "G2-noid", "id_number": "", "sex": "男", "birth_date": "19851112"}
    )
    services.registry_ingest(source="gongan", kind="person", records=rows, seen_at=T0)
    report = selectors.reconcile_report(details=True)
    assert report.duplicates == 2
    assert ("gongan", "G1-dup") in report.duplicate_records
    assert ("gongan", "G2-noid") in report.duplicate_records


@pytest.mark.django_db
def test_personal_values_are_not_stored_in_plaintext():
    ingest_all()
    secrets = [ZHANG, "13800001234", "解放大道", "珞喻路"]
    with connection.cursor() as cursor:
        for table in (
            "registries_sourcerecord",
            "registries_attributevalue",
            "registries_conflict",
        ):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                text = " ".join(str(cell) for cell in row)
                for secret in secrets:
                    assert secret not in text, (table, secret)


@pytest.mark.django_db
def test_report_counts():
    ingest_all()
    report = selectors.reconcile_report()
    assert report.records == {"gongan/person": 4, "rsj/person": 4, "scjg/legal": 1}
    assert report.entities == {"person": 4, "legal": 1}
    assert report.links["exact_id"] == 8  # 4 new golden records + 3 rsj rows + 1 enterprise
    assert report.links["probabilistic"] == 1
    assert report.duplicates == 0
    assert report.conflicts == {"address": {"open": 1}, "status": {"open": 1}}
    assert report.legal_rep_persons == 1


@pytest.mark.django_db
def test_sync_reads_the_registered_readers():
    readers.reader_register(
        readers.CallableReader(source="gongan", kind="person", label="公安户籍", fetch=gongan_rows)
    )
    lines: list[str] = []
    try:
        results = services.registry_sync(progress=lines.append)
        again = services.registry_sync(source="gongan", progress=lines.append)
    finally:
        readers.reader_unregister("gongan", "person")
    assert [r.created for r in results] == [4]
    assert [r.unchanged for r in again] == [4]
    assert any("gongan/person: 4 rows, 4 new" in line for line in lines)
    with pytest.raises(ValidationFailed):
        services.registry_sync(source="nowhere")


def test_the_worker_syncs_periodically():
    job = next(j for j in jobs() if j.name == "registries.sync")
    assert job.every_seconds == 3600
    assert job.job is services.registry_sync_job
