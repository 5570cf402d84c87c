"""Official documents (公文) going out (发文) and coming in (收文).

Outgoing: a reviewer or head drafts (拟稿) a document of their department; each change of
title or body is a new version (稿本); submitting starts the ``office_outgoing`` process:
核稿 (another reviewer) -> 会签 (the heads of the countersigning departments, in parallel)
-> 签发 (the head) -> 编号用印分发: numbering (发文字号, one serial per issuer and year),
sealing (SM3 digest of the content signed by the platform signer) and dispatch, which
creates one receipt (收文) per recipient and starts its ``office_incoming`` process, so the
recipient finds the document in its queue without re-typing it. Any refusal ends the route
and returns the document to its drafter.

Incoming: 登记 (a receipt number), 拟办, 批示 (the head names the handling departments),
承办 (one task per handling department), 归档; circulation (传阅) with read receipts.

Each step is completed in the staff inbox; :func:`document_step_done` and
:func:`receipt_step_done` follow every completion in the same transaction (workflow
business hooks) and may refuse it. Every step is written to the document's trail (意见), a
hash chain of SM3 digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.crypto import platform_signer, sm3_hex
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.notify.services import notification_send
from tongban.office.models import (
    Attachment,
    Circulation,
    Classification,
    Countersign,
    CountersignStatus,
    Direction,
    Document,
    DocumentRecipient,
    DocumentStatus,
    DocumentTerm,
    DocumentVersion,
    HandlingStatus,
    IssuerProfile,
    Receipt,
    ReceiptHandler,
    ReceiptStatus,
    RecipientKind,
    TrailEntry,
    Urgency,
)
from tongban.office.selectors import collab as collab_selectors
from tongban.office.selectors import documents as selectors
from tongban.office.services.files import file_content_type, office_file_read
from tongban.org.selectors import Role, department_by_code, department_full_name, department_get
from tongban.workflow.selectors import tasks_by_ids, tasks_of_instance
from tongban.workflow.services import (
    StepOutcome,
    process_cancel,
    process_register,
    process_start,
    task_complete,
)

OUTGOING = "office_outgoing"
INCOMING = "office_incoming"
PROCESS_DIR = Path(__file__).resolve().parent.parent / "processes"
DRAFT_ROLES = frozenset({Role.REVIEWER, Role.HEAD})
TITLE_MAX = 200
BODY_MAX = 100_000
NOTE_MAX = 200
SECRECY_MAX = 20
MAX_DEPARTMENTS = 50
MAX_READERS = 200
NUMBER_ATTEMPTS = 5
OPEN_TASK = frozenset({"open", "claimed", "waiting"})
NO_ISSUER = "本部门尚未设置发文机关标志和发文字号代字，请联系管理员"


# ---------------------------------------------------------------------------- processes


def processes_ensure() -> None:
    """Register the office processes (product, not demo data) if they are missing or
    changed; unchanged files register nothing, so a fresh database just works."""
    for key in (OUTGOING, INCOMING):
        process_register(bpmn_xml=(PROCESS_DIR / f"{key}.bpmn").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- trail


def trail_append(
    *,
    document: Document,
    step: str,
    actor: Any,
    decision: str,
    comment: str = "",
    department_id: int | None = None,
    receipt: Receipt | None = None,
) -> TrailEntry:
    """Append a signed-off step to the document's trail; its digest chains the previous
    one (the document row is locked, so the chain never forks)."""
    Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").first()
    entry = TrailEntry(
        document_id=document.pk,
        receipt=receipt,
        step=step,
        department_id=department_id,
        actor=actor,
        decision=decision,
        comment=comment,
        version=document.version,
        at=timezone.now(),
    )
    entry.digest = selectors.trail_digest(selectors.trail_head(document.pk), entry)
    entry.save()
    return entry


# ---------------------------------------------------------------------------- drafting


def _issuing_department_id(user: Any, department_id: int | None) -> int:
    grants = [g for g in staff_roles(user) if g.role in DRAFT_ROLES]
    if not grants:
        raise PermissionDenied(_("只有部门工作人员或负责人可以起草公文"))
    if department_id is None:
        return int(grants[0].department_id)
    if not any(g.department_id == department_id for g in grants):
        raise PermissionDenied(_("您不能以该部门的名义起草公文"))
    return department_id


def _require_issuer_profile(department_id: int) -> IssuerProfile:
    profile = IssuerProfile.objects.filter(department_id=department_id).first()
    if profile is None:
        raise ValidationFailed(_(NO_ISSUER), field="department_id", code="no_issuer_profile")
    return profile


def _department_ids(ids: Sequence[int] | None, field: str) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in (ids or [])))
    if len(ids) > MAX_DEPARTMENTS:
        raise ValidationFailed(_("最多选择 %(n)d 个部门") % {"n": MAX_DEPARTMENTS}, field=field)
    for department_id in ids:
        try:
            department_get(department_id)
        except NotFound:
            raise ValidationFailed(
                _("部门 %(id)s 不存在") % {"id": department_id}, field=field
            ) from None
    return ids


def _clean(
    *,
    issuer_id: int,
    title: str,
    body: str,
    main_recipient_ids: Sequence[int],
    copy_recipient_ids: Sequence[int],
    countersign_department_ids: Sequence[int],
    classification: int,
    urgency: str,
    secrecy_period: str,
    direction: str,
) -> dict[str, Any]:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise ValidationFailed(_("请填写公文标题"), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("标题不能超过%(n)d个字") % {"n": TITLE_MAX}, field="title")
    if not body:
        raise ValidationFailed(_("请填写公文正文"), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(_("正文过长"), field="body")
    if classification not in Classification.values:
        raise ValidationFailed(
            _("密级应为 0（非密）、1（内部）、2（秘密）或 3（机密）"), field="classification"
        )
    if urgency not in Urgency.values:
        raise ValidationFailed(_("紧急程度应为 normal、urgent 或 extra_urgent"), field="urgency")
    if direction not in Direction.values:
        raise ValidationFailed(
            _("行文方向应为 down（下行文）、parallel（平行文）或 up（上行文）"), field="direction"
        )
    secrecy_period = (secrecy_period or "").strip()
    if len(secrecy_period) > SECRECY_MAX:
        raise ValidationFailed(
            _("保密期限不能超过%(n)d个字") % {"n": SECRECY_MAX}, field="secrecy_period"
        )
    main = _department_ids(main_recipient_ids, "main_recipient_ids")
    copy = _department_ids(copy_recipient_ids, "copy_recipient_ids")
    countersign = _department_ids(countersign_department_ids, "countersign_department_ids")
    if not main:
        raise ValidationFailed(_("请至少选择一个主送机关"), field="main_recipient_ids")
    if issuer_id in main or issuer_id in copy:
        raise ValidationFailed(_("主送、抄送机关不能是发文部门本身"), field="main_recipient_ids")
    if set(main) & set(copy):
        raise ValidationFailed(_("同一部门不能既主送又抄送"), field="copy_recipient_ids")
    if issuer_id in countersign:
        raise ValidationFailed(_("会签部门不能是发文部门本身"), field="countersign_department_ids")
    return {
        "title": title,
        "body": body,
        "main": main,
        "copy": copy,
        "countersign": countersign,
        "classification": classification,
        "urgency": urgency,
        "secrecy_period": secrecy_period,
        "direction": direction,
    }


def _route_write(document: Document, values: dict[str, Any]) -> None:
    DocumentRecipient.objects.filter(document=document).delete()
    DocumentRecipient.objects.bulk_create(
        [
            DocumentRecipient(document=document, department_id=pk, kind=kind, position=i)
            for kind, ids in (
                (RecipientKind.MAIN, values["main"]),
                (RecipientKind.COPY, values["copy"]),
            )
            for i, pk in enumerate(ids)
        ]
    )
    Countersign.objects.filter(document=document).delete()
    Countersign.objects.bulk_create(
        [
            Countersign(document=document, department_id=pk, position=i)
            for i, pk in enumerate(values["countersign"])
        ]
    )


def _index(document: Document) -> None:
    """Rebuild the document's full-text terms (DocumentTerm)."""
    counts = selectors.document_words(title=document.title, body=document.body)
    DocumentTerm.objects.filter(document=document).delete()
    DocumentTerm.objects.bulk_create(
        DocumentTerm(document=document, term=term, weight=weight) for term, weight in counts.items()
    )


def _version_add(document: Document, user: Any, note: str) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title,
        body=document.body,
        author=user,
        note=note[:NOTE_MAX],
    )


@transaction.atomic
def document_create(
    *,
    user: Any,
    title: str,
    body: str,
    main_recipient_ids: Sequence[int],
    copy_recipient_ids: Sequence[int] = (),
    countersign_department_ids: Sequence[int] = (),
    classification: int = 0,
    urgency: str = "normal",
    secrecy_period: str = "",
    direction: str = Direction.DOWN,
    department_id: int | None = None,
) -> Document:
    """拟稿: a draft of the user's department (one where they are reviewer or head), which
    must be set up to issue documents (发文机关标志, 发文字号代字); ``direction`` is its
    行文方向 (down, parallel or up)."""
    issuer_id = _issuing_department_id(user, department_id)
    _require_issuer_profile(issuer_id)
    values = _clean(
        issuer_id=issuer_id,
        title=title,
        body=body,
        main_recipient_ids=main_recipient_ids,
        copy_recipient_ids=copy_recipient_ids,
        countersign_department_ids=countersign_department_ids,
        classification=classification,
        urgency=urgency,
        secrecy_period=secrecy_period,
        direction=direction,
    )
    document = Document.objects.create(
        issuer_id=issuer_id,
        title=values["title"],
        body=values["body"],
        classification=values["classification"],
        urgency=values["urgency"],
        secrecy_period=values["secrecy_period"],
        direction=values["direction"],
        drafter=user,
        version=1,
    )
    _route_write(document, values)
    _version_add(document, user, "")
    _index(document)
    trail_append(
        document=document, step="create", actor=user, decision="done", department_id=issuer_id
    )
    audit_record(
        action="office.document.create",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"title": document.title, "issuer": issuer_id},
    )
    return document


def _locked_document(document_id: int) -> Document:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("公文不存在"))
    return document


def _drafter_document(user: Any, document_id: int) -> Document:
    document = _locked_document(document_id)
    if document.drafter_id != user.pk:
        raise PermissionDenied(_("只有拟稿人可以修改或提交该公文"))
    if document.status not in selectors.EDITABLE:
        raise Conflict(
            _("公文正在流转或已分发（%(status)s），不能修改或重复提交")
            % {"status": document.get_status_display()},
            code="document_on_route",
        )
    return document


@transaction.atomic
def document_update(
    *,
    user: Any,
    document_id: int,
    title: str | None = None,
    body: str | None = None,
    main_recipient_ids: Sequence[int] | None = None,
    copy_recipient_ids: Sequence[int] | None = None,
    countersign_department_ids: Sequence[int] | None = None,
    classification: int | None = None,
    urgency: str | None = None,
    secrecy_period: str | None = None,
    direction: str | None = None,
    note: str = "",
) -> Document:
    """修改: the drafter changes a draft or a returned document (None keeps a value); a
    changed title or body becomes a new version (稿本)."""
    document = _drafter_document(user, document_id)
    recipients = list(document.recipients.all())
    values = _clean(
        issuer_id=document.issuer_id,
        title=document.title if title is None else title,
        body=document.body if body is None else body,
        main_recipient_ids=(
            [r.department_id for r in recipients if r.kind == RecipientKind.MAIN]
            if main_recipient_ids is None
            else main_recipient_ids
        ),
        copy_recipient_ids=(
            [r.department_id for r in recipients if r.kind == RecipientKind.COPY]
            if copy_recipient_ids is None
            else copy_recipient_ids
        ),
        countersign_department_ids=(
            [c.department_id for c in document.countersigns.all()]
            if countersign_department_ids is None
            else countersign_department_ids
        ),
        classification=document.classification if classification is None else classification,
        urgency=document.urgency if urgency is None else urgency,
        secrecy_period=document.secrecy_period if secrecy_period is None else secrecy_period,
        direction=document.direction if direction is None else direction,
    )
    text_changed = (values["title"], values["body"]) != (document.title, document.body)
    document.title, document.body = values["title"], values["body"]
    document.classification = values["classification"]
    document.urgency, document.secrecy_period = values["urgency"], values["secrecy_period"]
    document.direction = values["direction"]
    if text_changed:
        document.version = selectors.version_next_number(document.pk)
    document.save()
    _route_write(document, values)
    if text_changed:
        _version_add(document, user, note or "")
        _index(document)
    trail_append(
        document=document,
        step="update",
        actor=user,
        decision="done",
        comment=(note or "")[:NOTE_MAX],
        department_id=document.issuer_id,
    )
    audit_record(
        action="office.document.update",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"version": document.version, "text_changed": text_changed},
    )
    return document


@transaction.atomic
def document_submit(*, user: Any, document_id: int) -> Document:
    """提交: start the route (核稿 -> 会签 -> 签发 -> 编号用印分发) of a draft or of a
    returned document (a new process instance)."""
    document = _drafter_document(user, document_id)
    _require_issuer_profile(document.issuer_id)
    processes_ensure()
    countersigns = list(document.countersigns.order_by("position", "id"))
    Countersign.objects.filter(document=document).update(
        status=CountersignStatus.PENDING, comment="", signed_by=None, signed_at=None
    )
    issuer = department_get(document.issuer_id)
    instance = process_start(
        key=OUTGOING,
        business_type=selectors.OFFICE_DOCUMENT,
        business_id=str(document.pk),
        division_code=issuer.division_id,
        department_code=issuer.code,
        data={"countersign_departments": [c.department_id for c in countersigns]},
        actor=user,
    )
    document.status = DocumentStatus.REVIEWING
    document.process_instance_id = instance.pk
    document.save(update_fields=["status", "process_instance_id", "updated_at"])
    trail_append(
        document=document,
        step="submit",
        actor=user,
        decision="submit",
        department_id=document.issuer_id,
    )
    audit_record(
        action="office.document.submit",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"instance": instance.pk, "version": document.version},
    )
    return document


@transaction.atomic
def attachment_add(*, user: Any, document_id: int, upload: UploadedFile) -> Attachment:
    """附件: the drafter attaches a file to a draft or returned document (size and type
    checked by the file's first bytes)."""
    document = _drafter_document(user, document_id)
    name, content = office_file_read(upload)
    attachment = Attachment(
        document=document,
        name=name,
        size=len(content),
        content_type=file_content_type(name),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    audit_record(
        action="office.document.attachment_add",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"attachment": attachment.pk, "name": name, "size": len(content)},
    )
    return attachment


# ---------------------------------------------------------------------------- steps


def _task_of(task_id: int) -> Any:
    found = tasks_by_ids([task_id])
    if not found or not found[0].instance.business_type.startswith("office."):
        raise NotFound(_("任务不存在或不属于您"))
    return found[0]


@transaction.atomic
def office_task_complete(
    *,
    user: Any,
    task_id: int,
    decision: str,
    comment: str = "",
    handling_department_ids: Sequence[int] | None = None,
) -> None:
    """Complete one step of a document or a receipt; 批示 names the handling departments
    (departments of the receiving department's division)."""
    task = _task_of(task_id)
    data: dict[str, Any] | None = None
    if task.instance.business_type == selectors.OFFICE_RECEIPT and task.step == "instruct":
        receipt = (
            Receipt.objects.select_related("department")
            .filter(pk=int(task.instance.business_id))
            .first()
        )
        if receipt is None:
            raise NotFound(_("收文不存在"))
        ids = _department_ids(handling_department_ids, "handling_department_ids")
        if not ids:
            raise ValidationFailed(_("请选择承办部门"), field="handling_department_ids")
        for department_id in ids:
            if department_get(department_id).division_id != receipt.department.division_id:
                raise ValidationFailed(
                    _("承办部门应为本级行政区划的部门"), field="handling_department_ids"
                )
        data = {"handling_departments": ids}
    elif handling_department_ids:
        raise ValidationFailed(_("只有批示环节可以指定承办部门"), field="handling_department_ids")
    task_complete(task_id=task_id, user=user, decision=decision, comment=comment, data=data)


def _step_task(outcome: StepOutcome, process: str) -> tuple[bool, int | None]:
    """Whether the completed task belongs to ``process`` (other processes may serve the
    same business type, e.g. in tests: they are left alone), and its department's id."""
    found = tasks_by_ids([outcome.task_id])
    if not found or found[0].instance.definition.key != process:
        return False, None
    task = found[0]
    department = department_by_code(division_code=task.division_code, code=task.department_code)
    return True, department.pk if department else None


def _tell(user_id: int, *, topic: str, title: str, body: str, link: str) -> None:
    notification_send(
        user_id=user_id, topic=topic, title=title[:200], body=body, link=link, channels=()
    )


def document_step_done(outcome: StepOutcome) -> None:
    """Workflow hook of ``office.document``: follow a completed step of the route, or
    refuse it (the completion is rolled back)."""
    ours, department_id = _step_task(outcome, OUTGOING)
    if not ours:
        return
    document = _locked_document(int(outcome.business_id))
    user, step, decision = outcome.user, outcome.step, outcome.decision
    if decision not in ("approve", "reject"):
        raise ValidationFailed(
            _("公文办理只能选择同意（approve）或退回（reject）"), field="decision"
        )
    if step == "review" and user.pk == document.drafter_id:
        raise PermissionDenied(_("核稿人不能是拟稿人本人，请由本部门其他工作人员核稿"))
    now = timezone.now()
    if step == "countersign" and department_id is not None:
        Countersign.objects.filter(document=document, department_id=department_id).update(
            status=CountersignStatus.AGREED
            if decision == "approve"
            else CountersignStatus.DISAGREED,
            comment=outcome.comment,
            signed_by=user,
            signed_at=now,
        )
    trail_append(
        document=document,
        step=step,
        actor=user,
        decision=decision,
        comment=outcome.comment,
        department_id=department_id,
    )
    if decision == "reject":
        _document_return(document, outcome)
        return
    if step == "review":
        pending = document.countersigns.exists()
        document.status = DocumentStatus.COUNTERSIGNING if pending else DocumentStatus.SIGNING
    elif step == "countersign":
        if not document.countersigns.exclude(status=CountersignStatus.AGREED).exists():
            document.status = DocumentStatus.SIGNING
    elif step == "sign":
        document.signer, document.signed_at = user, now
        document.status = DocumentStatus.ISSUING
    elif step == "issue":
        _document_issue(document, user)
    document.save()
    audit_record(
        action=f"office.document.{step}",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"decision": decision, "task": outcome.task_id},
    )


def _document_return(document: Document, outcome: StepOutcome) -> None:
    """退回: the route ends (a 会签 refusal withdraws the other departments' tasks)."""
    if outcome.process_outcome is None:
        process_cancel(instance_id=outcome.instance_id, actor=outcome.user)
    document.status = DocumentStatus.RETURNED
    document.save(update_fields=["status", "updated_at"])
    audit_record(
        action="office.document.returned",
        actor=outcome.user,
        object_type="office.document",
        object_id=document.pk,
        detail={"step": outcome.step, "task": outcome.task_id},
    )
    _tell(
        document.drafter_id,
        topic="office.document.returned",
        title=_("公文《%(title)s》被退回修改") % {"title": document.title},
        body=outcome.comment,
        link=f"/workbench/office/documents/{document.pk}/",
    )


def _serial_assign(
    row: Document | Receipt, prefix: str, next_serial: Callable[[int], int], conflict: str
) -> str:
    """Give ``row`` the number ``prefix〔year〕serial号`` with the next serial of the year;
    the unique (owner, year, serial) constraint is the last guard, a collision retries."""
    year = timezone.localdate().year
    for _attempt in range(NUMBER_ATTEMPTS):
        serial = next_serial(year)
        number = f"{prefix}〔{year}〕{serial}号"
        try:
            with transaction.atomic():
                type(row).objects.filter(pk=row.pk).update(
                    number=number, number_year=year, number_serial=serial
                )
        except IntegrityError:
            continue
        row.number, row.number_year, row.number_serial = number, year, serial
        return number
    raise Conflict(conflict, code="number_conflict")


def document_number_assign(document: Document) -> str:
    """编号: the next serial of the issuer in the current year (the issuer profile row is
    locked; the unique constraint is the last guard, a collision retries)."""
    profile = (
        IssuerProfile.objects.select_for_update().filter(department_id=document.issuer_id).first()
    )
    if profile is None:
        raise ValidationFailed(_(NO_ISSUER), field="department_id", code="no_issuer_profile")
    return _serial_assign(
        document,
        profile.number_prefix,
        lambda year: selectors.document_number_next(issuer_id=document.issuer_id, year=year),
        _("发文字号分配冲突，请稍后重试"),
    )


def content_digest(document: Document) -> str:
    """SM3 of the canonical content that the seal covers."""
    recipients = list(
        document.recipients.order_by("kind", "position").values_list("kind", "department_id")
    )
    content = {
        "issuer": document.issuer_id,
        "number": document.number,
        "title": document.title,
        "body": document.body,
        "classification": document.classification,
        "urgency": document.urgency,
        "recipients": [list(r) for r in recipients],
        "signer": document.signer_id,
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "version": document.version,
    }
    if document.direction != Direction.DOWN:
        # An upward document prints its signer in the 版头, so the seal covers the
        # direction; 下行文 leaves the content as it was before documents had one, and
        # the seals made then still verify.
        content["direction"] = document.direction
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sm3_hex(body.encode())


def seal_verify(document: Document) -> bool:
    """Whether the seal still matches the document's content."""
    if not document.seal_signature:
        return False
    digest = content_digest(document)
    try:
        signature = bytes.fromhex(document.seal_signature)
    except ValueError:
        return False
    return digest == document.content_digest and platform_signer().verify(
        digest.encode(), signature
    )


def _document_issue(document: Document, user: Any) -> None:
    """编号、用印、分发: number, seal and dispatch (one receipt per recipient)."""
    number = document_number_assign(document)
    document.issued_on = timezone.localdate()
    trail_append(
        document=document,
        step="number",
        actor=user,
        decision="done",
        comment=number,
        department_id=document.issuer_id,
    )
    document.content_digest = content_digest(document)
    document.seal_signature = platform_signer().sign(document.content_digest.encode()).hex()
    document.sealed_at = timezone.now()
    trail_append(
        document=document,
        step="seal",
        actor=user,
        decision="done",
        comment=document.content_digest,
        department_id=document.issuer_id,
    )
    processes_ensure()
    names = []
    for recipient in document.recipients.select_related("department__division").order_by(
        "kind", "position"
    ):
        department = recipient.department
        receipt = Receipt.objects.create(
            document=document, department=department, kind=recipient.kind
        )
        instance = process_start(
            key=INCOMING,
            business_type=selectors.OFFICE_RECEIPT,
            business_id=str(receipt.pk),
            division_code=department.division_id,
            department_code=department.code,
            data={"handling_departments": [department.pk]},
            actor=user,
        )
        receipt.process_instance_id = instance.pk
        receipt.save(update_fields=["process_instance_id"])
        names.append(department_full_name(department))
    document.dispatched_at = timezone.now()
    document.status = DocumentStatus.DISPATCHED
    trail_append(
        document=document,
        step="dispatch",
        actor=user,
        decision="done",
        comment="、".join(names),
        department_id=document.issuer_id,
    )


# ---------------------------------------------------------------------------- incoming


def _locked_receipt(receipt_id: int) -> Receipt:
    receipt = Receipt.objects.select_for_update().filter(pk=receipt_id).first()
    if receipt is None:
        raise NotFound(_("收文不存在"))
    return receipt


def receipt_number_assign(receipt: Receipt) -> str:
    """收文编号: the receiving department's receipt prefix (孝市监收〔2026〕1号), or a
    plain 收〔2026〕1号 when it has no issuer profile."""
    profile = IssuerProfile.objects.filter(department_id=receipt.department_id).first()
    prefix = profile.receipt_prefix if profile else "收"
    return _serial_assign(
        receipt,
        prefix,
        lambda year: selectors.receipt_number_next(department_id=receipt.department_id, year=year),
        _("收文编号分配冲突，请稍后重试"),
    )


def receipt_step_done(outcome: StepOutcome) -> None:
    """Workflow hook of ``office.receipt``: follow 登记, 拟办, 批示, 承办 and 归档."""
    ours, department_id = _step_task(outcome, INCOMING)
    if not ours:
        return
    receipt = _locked_receipt(int(outcome.business_id))
    document = Document.objects.get(pk=receipt.document_id)
    user, step, comment = outcome.user, outcome.step, outcome.comment
    if outcome.decision != "approve":
        raise ValidationFailed(_("收文办理请选择“同意”（approve）并填写意见"), field="decision")
    now = timezone.now()
    if step == "register":
        receipt_number_assign(receipt)
        receipt.registered_by, receipt.registered_at = user, now
        receipt.status = ReceiptStatus.REGISTERED
    elif step == "propose":
        if not comment:
            raise ValidationFailed(_("请填写拟办意见"), field="comment")
        receipt.proposal, receipt.status = comment, ReceiptStatus.PROPOSED
    elif step == "instruct":
        if not comment:
            raise ValidationFailed(_("请填写批示意见"), field="comment")
        receipt.instruction, receipt.instructed_by = comment, user
        receipt.status = ReceiptStatus.HANDLING
        _handlers_create(receipt, outcome.instance_id)
    elif step == "handle":
        if not comment:
            raise ValidationFailed(_("请填写办理结果"), field="comment")
        ReceiptHandler.objects.filter(receipt=receipt, department_id=department_id or 0).update(
            status=HandlingStatus.DONE, result=comment, done_by=user, done_at=now
        )
        if not receipt.handlers.exclude(status=HandlingStatus.DONE).exists():
            receipt.status = ReceiptStatus.CIRCULATING
    elif step == "file":
        receipt.filed_at, receipt.status = now, ReceiptStatus.FILED
    receipt.save()
    trail_append(
        document=document,
        receipt=receipt,
        step=step,
        actor=user,
        decision=outcome.decision,
        comment=receipt.number if step == "register" and not comment else comment,
        department_id=department_id,
    )
    audit_record(
        action=f"office.receipt.{step}",
        actor=user,
        object_type="office.receipt",
        object_id=receipt.pk,
        detail={"task": outcome.task_id, "number": receipt.number},
    )


def _handlers_create(receipt: Receipt, instance_id: int) -> None:
    """承办单位: one per open 承办 task the instruction created."""
    for task in tasks_of_instance(instance_id):
        if task.step != "handle" or task.status not in OPEN_TASK:
            continue
        department = department_by_code(division_code=task.division_code, code=task.department_code)
        if department is not None:
            ReceiptHandler.objects.get_or_create(receipt=receipt, department_id=department.pk)


def _receipt_for_staff(user: Any, receipt_id: int) -> Receipt:
    receipt = _locked_receipt(receipt_id)
    receipt.document = Document.objects.get(pk=receipt.document_id)
    if not selectors.receipt_visible_to(user, receipt):
        raise PermissionDenied(_("您所在部门不是该收文的收文或承办单位"))
    return receipt


@transaction.atomic
def receipt_circulate(*, user: Any, receipt_id: int, reader_ids: Sequence[int]) -> int:
    """传阅: send a registered receipt to colleagues of the receiving (or a handling)
    department for reading; returns how many were newly asked to read it."""
    receipt = _receipt_for_staff(user, receipt_id)
    if receipt.status == ReceiptStatus.PENDING:
        raise Conflict(_("收文登记后才能传阅"), code="receipt_not_registered")
    ids = list(dict.fromkeys(int(i) for i in reader_ids))
    if not ids:
        raise ValidationFailed(_("请选择传阅人"), field="reader_ids")
    if len(ids) > MAX_READERS:
        raise ValidationFailed(_("传阅人不能超过%(n)d人") % {"n": MAX_READERS}, field="reader_ids")
    departments = [receipt.department_id, *receipt.handlers.values_list("department_id", flat=True)]
    readers = list(collab_selectors.staff_in_departments(departments).filter(pk__in=ids))
    if len(readers) != len(ids):
        raise ValidationFailed(_("传阅人应为收文或承办部门的工作人员"), field="reader_ids")
    for reader in readers:
        if selectors.clearance_level(reader) < receipt.document.classification:
            raise ValidationFailed(
                _("%(name)s 的密级权限不足，不能传阅该公文")
                % {"name": collab_selectors.user_label(reader)},
                field="reader_ids",
            )
    existing = set(Circulation.objects.filter(receipt=receipt).values_list("reader_id", flat=True))
    new = [r for r in readers if r.pk not in existing]
    Circulation.objects.bulk_create(
        [Circulation(receipt=receipt, reader=r, sent_by=user) for r in new]
    )
    for reader in new:
        _tell(
            reader.pk,
            topic="office.receipt.circulate",
            title=_("请阅：%(title)s") % {"title": receipt.document.title},
            body=receipt.number,
            link=f"/workbench/office/receipts/{receipt.pk}/",
        )
    if new:
        trail_append(
            document=receipt.document,
            receipt=receipt,
            step="circulate",
            actor=user,
            decision="done",
            comment="、".join(collab_selectors.user_label(r) for r in new),
            department_id=receipt.department_id,
        )
    audit_record(
        action="office.receipt.circulate",
        actor=user,
        object_type="office.receipt",
        object_id=receipt.pk,
        detail={"readers": [r.pk for r in new]},
    )
    return len(new)


@transaction.atomic
def circulation_read(*, user: Any, receipt_id: int, comment: str = "") -> None:
    """已阅: the reader's read receipt, with an optional comment (once)."""
    circulation = (
        Circulation.objects.select_for_update()
        .filter(receipt_id=receipt_id, reader=user)
        .select_related("receipt")
        .first()
    )
    if circulation is None:
        raise NotFound(_("没有送您传阅的该收文"))
    if circulation.read_at is not None:
        raise Conflict(_("您已阅过该收文"), code="already_read")
    circulation.read_at = timezone.now()
    circulation.comment = (comment or "").strip()[:500]
    circulation.save(update_fields=["read_at", "comment"])
    receipt = circulation.receipt
    document = Document.objects.get(pk=receipt.document_id)
    trail_append(
        document=document,
        receipt=receipt,
        step="read",
        actor=user,
        decision="done",
        comment=circulation.comment,
        department_id=receipt.department_id,
    )
    audit_record(
        action="office.receipt.read",
        actor=user,
        object_type="office.receipt",
        object_id=receipt.pk,
        detail={"circulation": circulation.pk},
    )
