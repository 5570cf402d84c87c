"""Incoming documents (收文) through the services: a dispatched document's receipt is
registered with a receipt number, proposed, instructed with handling departments (in
parallel, one task each), handled, circulated with read receipts and filed."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.office.models import Circulation, IssuerProfile, Receipt, ReceiptHandler
from tongban.office.selectors import documents as selectors
from tongban.office.services import access
from tongban.office.services import documents as services
from tongban.org.selectors import department_by_code
from tongban.workflow.models import HumanTask

pytestmark = pytest.mark.django_db


def step(org: Any, username: str, receipt: Receipt, comment: str = "同意", **kw: Any) -> None:
    tasks = selectors.office_tasks_for(org.user(username), receipt_id=receipt.pk)
    assert len(tasks) == 1, (username, tasks)
    services.office_task_complete(
        user=org.user(username), task_id=tasks[0].task_id, decision="approve", comment=comment, **kw
    )
    receipt.refresh_from_db()


def dispatched(org: Any, **overrides: Any) -> Receipt:
    values: dict[str, Any] = {
        "user": org.user("scjg"),
        "title": "关于开展食品安全专项检查的通知",
        "body": "请各单位认真组织实施。",
        "main_recipient_ids": [org.xg_scjg.pk],
        "countersign_department_ids": [],
    }
    values.update(overrides)
    document = services.document_create(**values)
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    for username in ("scjg-hegao", "scjg-head", "scjg-hegao"):
        task = selectors.office_tasks_for(org.user(username), document_id=document.pk)[0]
        services.office_task_complete(
            user=org.user(username), task_id=task.task_id, decision="approve"
        )
    return Receipt.objects.get(document=document, department=org.xg_scjg)


def test_the_incoming_route(office_org: Any, office_staff: Any) -> None:
    org = office_org
    receipt = dispatched(org)
    assert receipt.status == "pending"
    assert [r.pk for r in selectors.incoming_for(org.user("xg-scjg")).items] == [receipt.pk]

    step(org, "xg-scjg", receipt, comment="")
    year = receipt.number_year
    assert receipt.status == "registered" and receipt.number == f"孝市监收〔{year}〕1号"
    assert receipt.registered_by.username == "xg-scjg"
    with pytest.raises(ValidationFailed):
        step(org, "xg-scjg", receipt, comment="")
    step(org, "xg-scjg", receipt, comment="拟请邓局长阅示")
    assert receipt.status == "proposed" and receipt.proposal == "拟请邓局长阅示"

    # 批示 needs handling departments of the same division.
    with pytest.raises(ValidationFailed) as refused:
        step(org, "xg-scjg-head", receipt, comment="请办理", handling_department_ids=[])
    assert refused.value.field == "handling_department_ids"
    with pytest.raises(ValidationFailed):
        step(
            org, "xg-scjg-head", receipt, comment="请办理", handling_department_ids=[org.wh_scjg.pk]
        )
    xg_zsj = department_by_code(division_code="420900", code="zsj")
    assert xg_zsj is not None
    zsj_staff = office_staff("xg-zsj", xg_zsj, "reviewer")
    step(
        org,
        "xg-scjg-head",
        receipt,
        comment="请市场监管局牵头、政务办配合",
        handling_department_ids=[org.xg_scjg.pk, xg_zsj.pk],
    )
    assert receipt.status == "handling" and receipt.instructed_by.username == "xg-scjg-head"
    handle_tasks = HumanTask.objects.filter(instance_id=receipt.process_instance_id, step="handle")
    assert {(t.division_code, t.department_code, t.role) for t in handle_tasks} == {
        ("420900", "scjg", "reviewer"),
        ("420900", "zsj", "reviewer"),
    }
    assert set(
        ReceiptHandler.objects.filter(receipt=receipt).values_list("department_id", flat=True)
    ) == {
        org.xg_scjg.pk,
        xg_zsj.pk,
    }
    step(org, "xg-scjg", receipt, comment="已完成专项检查")
    assert receipt.status == "handling"
    # The handling department sees the receipt and its document, and handles its share.
    assert access.receipt_open(user=zsj_staff, receipt_id=receipt.pk).pk == receipt.pk
    assert access.document_open(user=zsj_staff, document_id=receipt.document_id)
    assert [r.pk for r in selectors.incoming_for(zsj_staff).items] == [receipt.pk]
    task = selectors.office_tasks_for(zsj_staff, receipt_id=receipt.pk)[0]
    services.office_task_complete(
        user=zsj_staff, task_id=task.task_id, decision="approve", comment="配合完成"
    )
    receipt.refresh_from_db()
    assert receipt.status == "circulating"
    assert set(ReceiptHandler.objects.filter(receipt=receipt).values_list("status", flat=True)) == {
        "done"
    }
    step(org, "xg-scjg", receipt, comment="归档")
    assert receipt.status == "filed" and receipt.filed_at is not None
    steps = [
        e.step for e in selectors.document_trail(receipt.document_id) if e.receipt_id == receipt.pk
    ]
    assert steps == ["register", "propose", "instruct", "handle", "handle", "file"]
    assert selectors.trail_verify(receipt.document_id)


def test_receipt_number_without_profile_is_plain(office_org: Any) -> None:
    org = office_org
    receipt = dispatched(org)
    IssuerProfile.objects.filter(department=org.xg_scjg).delete()
    step(org, "xg-scjg", receipt, comment="")
    assert receipt.number == f"收〔{receipt.number_year}〕1号"


def test_reject_is_refused_on_incoming_steps(office_org: Any) -> None:
    org = office_org
    receipt = dispatched(org)
    task = selectors.office_tasks_for(org.user("xg-scjg"), receipt_id=receipt.pk)[0]
    with pytest.raises(ValidationFailed):
        services.office_task_complete(
            user=org.user("xg-scjg"), task_id=task.task_id, decision="reject", comment="不收"
        )
    assert HumanTask.objects.get(pk=task.task_id).status == "open"


def test_circulation_with_read_receipts(office_org: Any) -> None:
    org = office_org
    receipt = dispatched(org)
    head = org.user("xg-scjg-head")
    with pytest.raises(Conflict):  # not registered yet
        services.receipt_circulate(
            user=org.user("xg-scjg"), receipt_id=receipt.pk, reader_ids=[head.pk]
        )
    step(org, "xg-scjg", receipt, comment="")
    with pytest.raises(ValidationFailed):  # not of the receiving department
        services.receipt_circulate(
            user=org.user("xg-scjg"), receipt_id=receipt.pk, reader_ids=[org.user("scjg").pk]
        )
    with pytest.raises(PermissionDenied):  # the sender is outside the receipt
        services.receipt_circulate(
            user=org.user("scjg"), receipt_id=receipt.pk, reader_ids=[head.pk]
        )
    assert (
        services.receipt_circulate(
            user=org.user("xg-scjg"), receipt_id=receipt.pk, reader_ids=[head.pk]
        )
        == 1
    )
    assert (
        services.receipt_circulate(
            user=org.user("xg-scjg"), receipt_id=receipt.pk, reader_ids=[head.pk]
        )
        == 0
    )
    circulation = Circulation.objects.get(receipt=receipt, reader=head)
    assert circulation.read_at is None and circulation.sent_by.username == "xg-scjg"
    with pytest.raises(NotFound):
        services.circulation_read(user=org.user("xg-scjg"), receipt_id=receipt.pk)
    services.circulation_read(user=head, receipt_id=receipt.pk, comment="已阅，同意拟办")
    circulation.refresh_from_db()
    assert circulation.read_at is not None and circulation.comment == "已阅，同意拟办"
    with pytest.raises(Conflict):
        services.circulation_read(user=head, receipt_id=receipt.pk)
    actions = set(
        AuditEntry.objects.filter(
            object_type="office.receipt", object_id=str(receipt.pk)
        ).values_list("action", flat=True)
    )
    assert {"office.receipt.circulate", "office.receipt.read", "office.receipt.register"} <= actions


def test_receipt_open_checks_department_and_clearance(office_org: Any) -> None:
    org = office_org
    receipt = dispatched(org)
    assert access.receipt_open(user=org.user("xg-scjg"), receipt_id=receipt.pk).pk == receipt.pk
    with pytest.raises(PermissionDenied):
        access.receipt_open(user=org.user("chuangkou"), receipt_id=receipt.pk)
    assert AuditEntry.objects.filter(
        action="office.receipt.denied", object_id=str(receipt.pk)
    ).exists()
    with pytest.raises(NotFound):
        access.receipt_open(user=org.user("xg-scjg"), receipt_id=999999)
