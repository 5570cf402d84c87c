"""Outgoing documents (发文) through the services: drafting, versions, the route with
parallel countersigning, numbering, sealing and dispatch, refusal and resubmission."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.office.models import (
    Countersign,
    Document,
    DocumentTerm,
    DocumentVersion,
    IssuerProfile,
    Receipt,
    TrailEntry,
)
from tongban.office.selectors import documents as selectors
from tongban.office.services import documents as services
from tongban.workflow.models import HumanTask, ProcessDefinition
from tongban.workflow.selectors import task_inbox

pytestmark = pytest.mark.django_db

TITLE = "关于开展食品安全专项检查的通知"
BODY = "为加强食品安全监管，决定开展专项检查。\n请各单位认真组织实施。"


def draft(org: Any, **overrides: Any) -> Document:
    values: dict[str, Any] = {
        "user": org.user("scjg"),
        "title": TITLE,
        "body": BODY,
        "main_recipient_ids": [org.xg_scjg.pk],
        "countersign_department_ids": [org.wh_xfzd.pk, org.wh_sthjj.pk],
    }
    values.update(overrides)
    return services.document_create(**values)


def open_task(org: Any, username: str, document: Any = None, receipt: Any = None) -> int:
    tasks = selectors.office_tasks_for(
        org.user(username),
        document_id=document.pk if document else None,
        receipt_id=receipt.pk if receipt else None,
    )
    assert len(tasks) == 1, (username, tasks)
    return tasks[0].task_id


def complete(org: Any, username: str, task_id: int, decision: str = "approve", **kw: Any) -> None:
    services.office_task_complete(
        user=org.user(username),
        task_id=task_id,
        decision=decision,
        comment=kw.pop("comment", "同意"),
        **kw,
    )


def route_to_dispatch(org: Any, document: Document) -> Document:
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document), comment="核稿无误")
    if Countersign.objects.filter(document=document).exists():
        complete(org, "xfzd-head", open_task(org, "xfzd-head", document), comment="消防同意")
        complete(org, "sthjj-head", open_task(org, "sthjj-head", document), comment="环保同意")
    complete(org, "scjg-head", open_task(org, "scjg-head", document), comment="签发")
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document), comment="编号用印")
    document.refresh_from_db()
    return document


def test_drafting_needs_an_issuer_profile(office_org: Any) -> None:
    IssuerProfile.objects.filter(department=office_org.wh_scjg).delete()
    with pytest.raises(ValidationFailed) as refused:
        draft(office_org)
    assert refused.value.message == "本部门尚未设置发文机关标志和发文字号代字，请联系管理员"
    assert not Document.objects.exists()


def test_drafting_validates_in_chinese(office_org: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draft(office_org, title=" ")
    assert refused.value.field == "title" and "标题" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        draft(office_org, main_recipient_ids=[])
    assert refused.value.field == "main_recipient_ids"
    with pytest.raises(ValidationFailed) as refused:
        draft(office_org, countersign_department_ids=[office_org.wh_scjg.pk])
    assert refused.value.field == "countersign_department_ids"
    with pytest.raises(ValidationFailed):
        draft(office_org, main_recipient_ids=[999999])
    with pytest.raises(PermissionDenied):
        draft(office_org, user=office_org.user("chuangkou"))
    with pytest.raises(PermissionDenied):
        draft(office_org, department_id=office_org.wh_xfzd.pk)


def test_the_whole_route_dispatches_to_the_recipient(office_org: Any) -> None:
    org = office_org
    document = draft(org)
    assert document.status == "draft" and document.version == 1
    assert DocumentTerm.objects.filter(document=document, term="食品安全").exists()
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "reviewing"
    assert ProcessDefinition.objects.filter(key="office_outgoing").count() == 1
    # The drafter holds the reviewer role too, but may not review their own draft.
    own = open_task(org, "scjg", document)
    with pytest.raises(PermissionDenied) as refused:
        complete(org, "scjg", own)
    assert "核稿人不能是拟稿人" in refused.value.message
    assert HumanTask.objects.get(pk=own).status == "open"

    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document), comment="核稿无误")
    document.refresh_from_db()
    assert document.status == "countersigning"
    # 会签 in parallel: one task in each countersigning department head's inbox.
    fire = HumanTask.objects.get(step="countersign", department_code="xfzd")
    env = HumanTask.objects.get(step="countersign", department_code="sthjj")
    assert fire.division_code == env.division_code == "420100" and fire.role == "head"
    assert [t.pk for t in task_inbox(user=org.user("xfzd-head")).items] == [fire.pk]
    assert task_inbox(user=org.user("xiaofang")).items == []
    complete(org, "sthjj-head", env.pk, comment="环保同意")
    document.refresh_from_db()
    assert document.status == "countersigning"
    complete(org, "xfzd-head", fire.pk, comment="消防同意")
    document.refresh_from_db()
    assert document.status == "signing"
    rows = {c.department_id: c for c in Countersign.objects.filter(document=document)}
    assert rows[org.wh_xfzd.pk].status == "agreed" and rows[org.wh_xfzd.pk].comment == "消防同意"
    assert rows[org.wh_sthjj.pk].signed_by.username == "sthjj-head"
    assert rows[org.wh_sthjj.pk].signed_at is not None

    complete(org, "scjg-head", open_task(org, "scjg-head", document), comment="签发")
    document.refresh_from_db()
    assert document.status == "issuing" and document.signer.username == "scjg-head"
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document), comment="编号用印")
    document.refresh_from_db()
    year = document.number_year
    assert document.status == "dispatched"
    assert document.number == f"武市监发〔{year}〕1号" and document.number_serial == 1
    assert len(document.content_digest) == 64 and document.seal_signature
    assert services.seal_verify(document)

    receipt = Receipt.objects.get(document=document)
    assert receipt.department_id == org.xg_scjg.pk and receipt.status == "pending"
    register = HumanTask.objects.get(instance_id=receipt.process_instance_id)
    assert register.step == "register"
    assert [t.pk for t in task_inbox(user=org.user("xg-scjg")).items] == [register.pk]

    steps = [(e.step, e.decision, e.actor.username) for e in selectors.document_trail(document.pk)]
    assert steps[:2] == [("create", "done", "scjg"), ("submit", "submit", "scjg")]
    assert ("review", "approve", "scjg-hegao") in steps
    assert ("countersign", "approve", "xfzd-head") in steps
    assert ("countersign", "approve", "sthjj-head") in steps
    assert ("sign", "approve", "scjg-head") in steps
    assert [s[0] for s in steps[-4:]] == ["issue", "number", "seal", "dispatch"]
    assert selectors.trail_verify(document.pk)
    assert AuditEntry.objects.filter(
        action="office.document.issue", object_id=str(document.pk)
    ).exists()

    # The chain detects an edited opinion.
    TrailEntry.objects.filter(document=document, step="sign").update(comment="不同意")
    assert not selectors.trail_verify(document.pk)


def test_no_countersign_departments_skips_countersigning(office_org: Any) -> None:
    org = office_org
    document = draft(org, countersign_department_ids=[])
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document))
    document.refresh_from_db()
    assert document.status == "signing"
    assert not HumanTask.objects.filter(step="countersign").exists()
    assert open_task(org, "scjg-head", document)


def test_numbers_follow_per_issuer_and_year(office_org: Any) -> None:
    org = office_org
    first = route_to_dispatch(org, _submitted(org))
    second = route_to_dispatch(org, _submitted(org, title="关于第二次检查的通知"))
    assert (first.number_serial, second.number_serial) == (1, 2)
    assert second.number.endswith("〕2号")
    assert selectors.document_number_next(issuer_id=org.wh_scjg.pk, year=first.number_year) == 3
    # The database refuses a second document with the same serial.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=second.pk).update(number_serial=1)


def test_numbering_without_profile_refuses_the_issue_step(office_org: Any) -> None:
    org = office_org
    document = _submitted(org, countersign_department_ids=[])
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document))
    complete(org, "scjg-head", open_task(org, "scjg-head", document))
    IssuerProfile.objects.filter(department=org.wh_scjg).delete()
    task_id = open_task(org, "scjg-hegao", document)
    with pytest.raises(ValidationFailed) as refused:
        complete(org, "scjg-hegao", task_id)
    assert "发文字号代字" in refused.value.message
    document.refresh_from_db()
    assert document.status == "issuing" and not document.number
    assert HumanTask.objects.get(pk=task_id).status == "open"


def _submitted(org: Any, **overrides: Any) -> Document:
    document = draft(org, **overrides)
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    return document


def test_a_countersign_refusal_returns_the_document_and_resubmission_restarts(
    office_org: Any,
) -> None:
    org = office_org
    document = _submitted(org)
    complete(org, "scjg-hegao", open_task(org, "scjg-hegao", document))
    with pytest.raises(ValidationFailed):
        complete(
            org, "xfzd-head", open_task(org, "xfzd-head", document), decision="reject", comment=""
        )
    complete(
        org,
        "xfzd-head",
        open_task(org, "xfzd-head", document),
        decision="reject",
        comment="消防条款不全",
    )
    document.refresh_from_db()
    assert document.status == "returned"
    assert Countersign.objects.get(document=document, department=org.wh_xfzd).status == "disagreed"
    # The other department's countersign task is withdrawn.
    assert selectors.office_tasks_for(org.user("sthjj-head"), document_id=document.pk) == []
    assert HumanTask.objects.get(step="countersign", department_code="sthjj").status == "cancelled"
    entry = TrailEntry.objects.filter(document=document, step="countersign").last()
    assert entry.decision == "reject" and entry.comment == "消防条款不全"

    with pytest.raises(PermissionDenied):
        services.document_update(user=org.user("scjg-hegao"), document_id=document.pk, body="x")
    services.document_update(
        user=org.user("scjg"), document_id=document.pk, body=BODY + "\n补充消防要求。", note="补充"
    )
    document.refresh_from_db()
    assert document.version == 2
    assert list(
        DocumentVersion.objects.filter(document=document).values_list("number", flat=True)
    ) == [1, 2]
    diff = selectors.version_diff(document.pk, 1, 2)
    assert ("+", "补充消防要求。") in [(d.kind, d.text) for d in diff]
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "reviewing"
    assert set(Countersign.objects.filter(document=document).values_list("status", flat=True)) == {
        "pending"
    }
    with pytest.raises(Conflict):
        services.document_submit(user=org.user("scjg"), document_id=document.pk)
    route_to_dispatch(org, document)
    document.refresh_from_db()
    assert document.status == "dispatched" and selectors.trail_verify(document.pk)


def test_a_review_refusal_ends_the_route(office_org: Any) -> None:
    org = office_org
    document = _submitted(org)
    complete(
        org,
        "scjg-hegao",
        open_task(org, "scjg-hegao", document),
        decision="reject",
        comment="请修改标题",
    )
    document.refresh_from_db()
    assert document.status == "returned"
    assert not HumanTask.objects.filter(step="countersign").exists()
    assert not HumanTask.objects.filter(
        status="open", instance_id=document.process_instance_id
    ).exists()


def test_a_numbering_collision_retries_with_the_next_serial(
    office_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two issue steps racing for the same serial: the unique constraint refuses the loser's
    first attempt (inside a savepoint) and it takes the next serial."""
    org = office_org
    first = route_to_dispatch(org, _submitted(org, countersign_department_ids=[]))
    second = _submitted(org, countersign_department_ids=[], title="关于第二次检查的通知")
    real = selectors.document_number_next
    calls: list[int] = []

    def stale(*, issuer_id: int, year: int) -> int:
        calls.append(1)
        return 1 if len(calls) == 1 else real(issuer_id=issuer_id, year=year)

    monkeypatch.setattr(selectors, "document_number_next", stale)
    route_to_dispatch(org, second)
    second.refresh_from_db()
    assert len(calls) == 2 and second.number_serial == 2 and first.number_serial == 1
    assert second.number.endswith("〕2号")
