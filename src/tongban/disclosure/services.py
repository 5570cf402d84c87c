"""Disclosure writes: articles, the disclosure catalog, publications with their index
numbers and search terms, and information requests (依申请公开) from submission to reply.
Permission checks live here; every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import applicant_identity, staff_has_role
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.selectors import working_days_between
from tongban.core.services import audit_record, event_emit
from tongban.core.upsert import Outcome, upsert
from tongban.disclosure import search, selectors
from tongban.disclosure.events import (
    InfoRequestOverdue,
    InfoRequestReplied,
    PublicationPublished,
)
from tongban.disclosure.models import (
    Article,
    Attribute,
    Category,
    DeliveryForm,
    IndexCounter,
    InfoRequest,
    Kind,
    Publication,
    PublicationStatus,
    PublicationTerm,
    ReplyType,
    RequestStatus,
    Validity,
    WithheldReason,
)
from tongban.org.selectors import Role, department_get, division_get

INDEX_NUMBER = re.compile(r"^[0-9A-Za-z-]{2,24}/\d{4}-\d{5}$")
# 鄂政发〔2026〕3号: issuer abbreviation, year in 〔〕, sequence, 号.
DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,16}〔(19|20)\d{2}〕\d{1,4}号$")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
MAX_REPLY_FILE = 5 * 1024 * 1024


@transaction.atomic
def article_publish(
    *,
    division_code: str,
    slug: str,
    title: str,
    body: str,
    published_at: datetime,
    summary: str = "",
    department_id: int | None = None,
    actor: Any = None,
) -> Article:
    """Publish (or update) an article of a division, identified by its slug."""
    division = division_get(division_code)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写标题"), field="title")
    if not (body or "").strip():
        raise ValidationFailed(_("请填写正文"), field="body")
    values = {
        "title": title,
        "summary": summary,
        "body": body,
        "published_at": published_at,
        "department_id": department_id,
    }
    article, outcome = upsert(Article, lookup={"division": division, "slug": slug}, values=values)
    if outcome is Outcome.UNCHANGED:
        return article
    audit_record(
        action="article.publish" if outcome is Outcome.CREATED else "article.update",
        actor=actor,
        object_type="article",
        object_id=article.pk,
    )
    return article


# --- Catalog ---------------------------------------------------------------------------


@transaction.atomic
def category_upsert(
    *, code: str, name: str, parent_code: str = "", sort: int = 0, actor: Any = None
) -> Category:
    """Create or update a node of the disclosure catalog (公开目录分类)."""
    if not re.fullmatch(r"[a-z0-9-]{1,40}", code or ""):
        raise ValidationFailed(_("分类代码只能包含小写字母、数字和连字符"), field="code")
    if not (name or "").strip():
        raise ValidationFailed(_("请填写分类名称"), field="name")
    parent = Category.objects.filter(code=parent_code).first() if parent_code else None
    if parent_code and parent is None:
        raise ValidationFailed(_("上级分类不存在"), field="parent")
    values = {"name": name.strip(), "parent": parent, "sort": sort}
    category, outcome = upsert(Category, lookup={"code": code}, values=values)
    if outcome is not Outcome.UNCHANGED:
        audit_record(
            action=f"disclosure.category_{outcome.value}",
            actor=actor,
            object_type="disclosure_category",
            object_id=category.pk,
        )
    return category


# --- Publications ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationInput:
    """What staff enter for a publication (公开信息)."""

    department_id: int
    category_code: str
    kind: str
    title: str
    body: str
    written_on: date
    attribute: str
    summary: str = ""
    doc_number: str = ""
    withheld_reason: str = ""
    validity: str = Validity.VALID
    effective_on: date | None = None
    invalid_on: date | None = None


def validate_doc_number(value: str) -> str:
    value = (value or "").strip().replace("[", "〔").replace("]", "〕")
    if value and not DOC_NUMBER.fullmatch(value):
        raise ValidationFailed(_("文号格式应如“鄂政发〔2026〕3号”"), field="doc_number")
    return value


def validate_index_number(value: str) -> str:
    if not INDEX_NUMBER.fullmatch(value or ""):
        raise ValidationFailed(
            _("索引号格式应为“机构代码/年份-五位序号”，如 11420100MB1234567X/2026-00001"),
            field="index_number",
        )
    return value


def _validate(data: PublicationInput) -> dict[str, Any]:
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if not title:
        raise ValidationFailed(_("请填写标题"), field="title")
    if len(title) > 200:
        raise ValidationFailed(_("标题不能超过200字"), field="title")
    if not body:
        raise ValidationFailed(_("请填写正文"), field="body")
    if data.kind not in Kind.values:
        raise ValidationFailed(_("请选择信息类别"), field="kind")
    if data.attribute not in Attribute.values:
        raise ValidationFailed(_("请选择公开属性"), field="attribute")
    reason = (data.withheld_reason or "").strip()
    if data.attribute == Attribute.WITHHELD and not reason:
        raise ValidationFailed(_("不予公开的信息必须说明理由"), field="withheld_reason")
    if data.validity not in Validity.values:
        raise ValidationFailed(_("有效性无效"), field="validity")
    if data.validity != Validity.VALID and data.invalid_on is None:
        raise ValidationFailed(_("失效或废止的文件请填写失效日期"), field="invalid_on")
    if data.invalid_on and data.invalid_on < data.written_on:
        raise ValidationFailed(_("失效日期不能早于成文日期"), field="invalid_on")
    category = Category.objects.filter(code=data.category_code).first()
    if category is None:
        raise ValidationFailed(_("请选择公开目录分类"), field="category")
    return {
        "category": category,
        "kind": data.kind,
        "title": title,
        "summary": (data.summary or "").strip()[:300],
        "body": body,
        "doc_number": validate_doc_number(data.doc_number),
        "written_on": data.written_on,
        "attribute": data.attribute,
        "withheld_reason": reason[:300] if data.attribute == Attribute.WITHHELD else "",
        "validity": data.validity,
        "effective_on": data.effective_on,
        "invalid_on": data.invalid_on if data.validity != Validity.VALID else None,
    }


def _require_editor(actor: Any, department_id: int) -> None:
    # ``actor`` is None only for the platform's own imports (the demo loader).
    if actor is not None and not selectors.can_edit_department(actor, department_id):
        raise PermissionDenied(_("只有本部门的审批员或负责人可以管理公开信息"))


def _next_in_sequence(prefix: str) -> int:
    """The next number of a counter; the row lock keeps concurrent callers apart."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                IndexCounter.objects.get_or_create(prefix=prefix)
        except IntegrityError:  # created by a concurrent transaction meanwhile
            pass
        counter = IndexCounter.objects.select_for_update().get(prefix=prefix)
        counter.last += 1
        counter.save(update_fields=["last"])
    return counter.last


def index_number_next(*, department: Any, year: int) -> str:
    """The next index number 索引号 of a department and year: code/year-NNNNN, where the
    code is the department's credit code (or division-code when it has none)."""
    code = department.credit_code or f"{department.division_id}-{department.code}"
    prefix = f"{code}/{year}"
    return validate_index_number(f"{prefix}-{_next_in_sequence(prefix):05d}")


def _reindex(publication: Publication) -> None:
    counts = search.document_terms(
        title=publication.title, summary=publication.summary, body=publication.body
    )
    PublicationTerm.objects.filter(publication=publication).delete()
    PublicationTerm.objects.bulk_create(
        PublicationTerm(publication=publication, term=term, tf=tf) for term, tf in counts.items()
    )
    publication.term_count = sum(counts.values())
    publication.save(update_fields=["term_count"])


def _locked_publication(publication_id: int) -> Publication:
    publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
    if publication is None:
        raise NotFound(_("该信息不存在"))
    return publication


@transaction.atomic
def publication_create(*, actor: Any, data: PublicationInput, source_key: str = "") -> Publication:
    """Register a new publication as a draft with a freshly generated index number."""
    department = department_get(data.department_id)
    _require_editor(actor, department.pk)
    values = _validate(data)
    publication = Publication.objects.create(
        division_id=department.division_id,
        department=department,
        index_number=index_number_next(department=department, year=data.written_on.year),
        source_key=source_key,
        **values,
    )
    _reindex(publication)
    audit_record(
        action="disclosure.publication_create",
        actor=actor,
        object_type="publication",
        object_id=publication.pk,
        detail={"index_number": publication.index_number, "attribute": publication.attribute},
    )
    return publication


@transaction.atomic
def publication_update(*, actor: Any, publication_id: int, data: PublicationInput) -> Publication:
    """Change a publication's content or metadata; its index number and department stay."""
    publication = _locked_publication(publication_id)
    _require_editor(actor, publication.department_id)
    if data.department_id != publication.department_id:
        raise ValidationFailed(_("不能更改发布机构"), field="department")
    values = _validate(data)
    changed = [k for k, v in values.items() if getattr(publication, k) != v]
    if not changed:
        return publication
    for key in changed:
        setattr(publication, key, values[key])
    publication.save()
    if {"title", "summary", "body"} & set(changed):
        _reindex(publication)
    audit_record(
        action="disclosure.publication_update",
        actor=actor,
        object_type="publication",
        object_id=publication.pk,
        detail={"fields": changed},
    )
    return publication


@transaction.atomic
def publication_publish(
    *, actor: Any, publication_id: int, published_on: date | None = None
) -> Publication:
    """Publish a publication. Only 主动公开 ones then appear on public pages; the others
    are recorded in the department's catalogue only."""
    publication = _locked_publication(publication_id)
    _require_editor(actor, publication.department_id)
    if publication.status == PublicationStatus.PUBLISHED:
        raise Conflict(_("该信息已发布"))
    day = published_on or timezone.localdate()
    if day < publication.written_on:
        raise ValidationFailed(_("发布日期不能早于成文日期"), field="published_on")
    publication.status, publication.published_on = PublicationStatus.PUBLISHED, day
    publication.save(update_fields=["status", "published_on", "updated_at"])
    audit_record(
        action="disclosure.publication_publish",
        actor=actor,
        object_type="publication",
        object_id=publication.pk,
    )
    if publication.attribute == Attribute.ACTIVE:
        event_emit(
            PublicationPublished(publication.pk, publication.index_number, publication.division_id)
        )
    return publication


@transaction.atomic
def publication_withdraw(*, actor: Any, publication_id: int, reason: str) -> Publication:
    """Take a published publication off the public pages (撤回)."""
    publication = _locked_publication(publication_id)
    _require_editor(actor, publication.department_id)
    if publication.status != PublicationStatus.PUBLISHED:
        raise Conflict(_("只有已发布的信息可以撤回"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤回理由"), field="reason")
    publication.status = PublicationStatus.WITHDRAWN
    publication.save(update_fields=["status", "updated_at"])
    audit_record(
        action="disclosure.publication_withdraw",
        actor=actor,
        object_type="publication",
        object_id=publication.pk,
        detail={"reason": reason[:300]},
    )
    return publication


# --- Information requests --------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    """An application for government information (政府信息公开申请)."""

    department_id: int
    description: str
    form: str
    phone: str
    address: str = ""
    email: str = ""
    purpose: str = ""


def _contact(data: RequestInput) -> dict[str, str]:
    phone = (data.phone or "").strip()
    if not PHONE.fullmatch(phone):
        raise ValidationFailed(_("请填写有效的联系电话"), field="phone")
    address, email = (data.address or "").strip(), (data.email or "").strip()
    if data.form in (DeliveryForm.POST, DeliveryForm.PAPER) and not address:
        raise ValidationFailed(_("纸质或邮寄方式请填写通讯地址"), field="address")
    if data.form == DeliveryForm.ELECTRONIC and "@" not in email:
        raise ValidationFailed(_("电子方式请填写有效的电子邮箱"), field="email")
    return {"phone": phone, "address": address[:200], "email": email[:120]}


def _request_number(today: date) -> str:
    return f"YSQ{today.year}{_next_in_sequence(f'YSQ/{today.year}'):06d}"


@transaction.atomic
def request_submit(*, user: Any, data: RequestInput, source_key: str = "") -> InfoRequest:
    """A citizen or enterprise applies to a department for government information."""
    applicant = applicant_identity(user) if getattr(user, "is_authenticated", False) else None
    if applicant is None:
        raise PermissionDenied(_("请以个人或法人身份登录后提交申请"))
    department = department_get(data.department_id)
    description = (data.description or "").strip()
    if len(description) < 10:
        raise ValidationFailed(_("请具体描述所需政府信息（至少10个字）"), field="description")
    if data.form not in DeliveryForm.values:
        raise ValidationFailed(_("请选择获取信息的方式"), field="form")
    request = InfoRequest.objects.create(
        number=_request_number(timezone.localdate()),
        department=department,
        division_path=department.division.path,
        applicant=user,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        contact=_contact(data),  # type: ignore[misc]  # the field encrypts the JSON
        description=description[:4000],
        purpose=(data.purpose or "").strip()[:1000] or None,
        form=data.form,
        source_key=source_key,
    )
    audit_record(
        action="disclosure.request_submit",
        actor=user,
        object_type="info_request",
        object_id=request.pk,
        detail={"number": request.number, "department_id": department.pk},
    )
    return request


def _staff_request(actor: Any, request_id: int, *, roles: frozenset[str]) -> InfoRequest:
    request = InfoRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or not staff_has_role(
        actor, roles=roles, department_id=request.department_id
    ):
        raise PermissionDenied(_("只有受理机关的工作人员可以办理该申请"))
    return request


def _save(request: InfoRequest, actor: Any, action: str, fields: list[str], **detail: Any) -> None:
    request.deadline = selectors.request_deadline(request)
    request.save(update_fields=[*fields, "status", "deadline"])
    audit_record(
        action=f"disclosure.request_{action}",
        actor=actor,
        object_type="info_request",
        object_id=request.pk,
        detail={"number": request.number, **detail},
    )


@transaction.atomic
def request_register(
    *, actor: Any, request_id: int, received_on: date | None = None
) -> InfoRequest:
    """Register (登记) a request: the date of receipt starts the 20-working-day clock."""
    request = _staff_request(actor, request_id, roles=selectors.HANDLER_ROLES)
    if request.status != RequestStatus.SUBMITTED:
        raise Conflict(_("该申请已登记"))
    received = received_on or timezone.localdate()
    if received > timezone.localdate():
        raise ValidationFailed(_("收到申请日期不能晚于今天"), field="received_on")
    request.status = RequestStatus.REGISTERED
    request.received_on = request.clock_start = received
    _save(request, actor, "register", ["received_on", "clock_start"])
    return request


@transaction.atomic
def request_ask_correction(
    *, actor: Any, request_id: int, note: str, today: date | None = None
) -> InfoRequest:
    """Ask the applicant to correct the request (补正): once, within 7 working days of
    receipt. The clock stops until the applicant supplies the correction."""
    request = _staff_request(actor, request_id, roles=selectors.HANDLER_ROLES)
    today = today or timezone.localdate()
    if request.status != RequestStatus.REGISTERED or request.received_on is None:
        raise Conflict(_("只有办理中的申请可以要求补正"))
    if request.correction_asked_on is not None:
        raise Conflict(_("每件申请只能要求补正一次"))
    if working_days_between(request.received_on, today) > selectors.CORRECTION_WINDOW_DAYS:
        raise ValidationFailed(_("补正须在收到申请之日起7个工作日内一次性告知"), field="note")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请写明需要补正的事项"), field="note")
    request.status, request.correction_asked_on = RequestStatus.CORRECTION, today
    request.correction_note = note[:1000]
    _save(request, actor, "ask_correction", ["correction_asked_on", "correction_note"])
    return request


@transaction.atomic
def request_supply_correction(
    *, user: Any, request_id: int, description: str, today: date | None = None
) -> InfoRequest:
    """The applicant supplies the correction; the clock restarts from that day."""
    request = InfoRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.applicant_id != getattr(user, "pk", None):
        raise PermissionDenied(_("只能补正本人的申请"))
    if request.status != RequestStatus.CORRECTION:
        raise Conflict(_("该申请不需要补正"))
    description = (description or "").strip()
    if len(description) < 10:
        raise ValidationFailed(_("请具体描述所需政府信息（至少10个字）"), field="description")
    today = today or timezone.localdate()
    request.status = RequestStatus.REGISTERED
    request.description = description[:4000]
    request.correction_supplied_on = request.clock_start = today
    fields = ["description", "correction_supplied_on", "clock_start"]
    _save(request, user, "supply_correction", fields)
    return request


@transaction.atomic
def request_extend(*, actor: Any, request_id: int, days: int, reason: str) -> InfoRequest:
    """Extend the reply deadline once, by at most 20 working days, with the consent of
    the department head (经负责人同意)."""
    request = _staff_request(actor, request_id, roles=frozenset({Role.HEAD}))
    if request.status != RequestStatus.REGISTERED:
        raise Conflict(_("只有办理中的申请可以延期"))
    if request.extension_days:
        raise Conflict(_("答复期限只能延长一次"))
    if not 1 <= days <= selectors.MAX_EXTENSION_DAYS:
        raise ValidationFailed(_("延长期限为1至20个工作日"), field="days")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写延期理由"), field="reason")
    request.extension_days, request.extension_reason = days, reason[:300]
    _save(request, actor, "extend", ["extension_days", "extension_reason"], days=days)
    return request


@dataclass(frozen=True)
class ReplyInput:
    reply_type: str
    reply_text: str
    withheld_reason: str = ""
    referral_agency: str = ""
    public_location: str = ""


def _validate_reply(data: ReplyInput) -> None:
    if data.reply_type not in ReplyType.values:
        raise ValidationFailed(_("请选择答复类型"), field="reply_type")
    if not (data.reply_text or "").strip():
        raise ValidationFailed(_("请填写答复内容"), field="reply_text")
    withholding = data.reply_type in (ReplyType.WITHHELD, ReplyType.PARTIAL)
    if withholding and data.withheld_reason not in WithheldReason.values:
        raise ValidationFailed(_("不予公开或部分公开须选择理由"), field="withheld_reason")
    if data.reply_type == ReplyType.NOT_RESPONSIBLE and not data.referral_agency.strip():
        raise ValidationFailed(_("请写明负责公开该信息的机关"), field="referral_agency")
    if data.reply_type == ReplyType.ALREADY_PUBLIC and not data.public_location.strip():
        raise ValidationFailed(_("请写明获取该信息的途径（链接或索引号）"), field="public_location")


@transaction.atomic
def request_reply(
    *,
    actor: Any,
    request_id: int,
    data: ReplyInput,
    reply_file: UploadedFile | None = None,
    today: date | None = None,
) -> InfoRequest:
    """Reply to a request with one of the types of Art. 36 (答复)."""
    request = _staff_request(actor, request_id, roles=selectors.HANDLER_ROLES)
    if request.status != RequestStatus.REGISTERED:
        raise Conflict(_("只有办理中的申请可以答复"))
    _validate_reply(data)
    if reply_file is not None and reply_file.size and reply_file.size > MAX_REPLY_FILE:
        raise ValidationFailed(_("答复文件不能超过5MB"), field="reply_file")
    today = today or timezone.localdate()
    request.status, request.replied_on = RequestStatus.REPLIED, today
    request.reply_type, request.reply_text = data.reply_type, data.reply_text.strip()[:4000]
    withholding = data.reply_type in (ReplyType.WITHHELD, ReplyType.PARTIAL)
    request.withheld_reason = data.withheld_reason if withholding else ""
    request.referral_agency = data.referral_agency.strip()[:100]
    request.public_location = data.public_location.strip()[:300]
    fields = ["replied_on", "reply_type", "reply_text", "withheld_reason"]
    fields += ["referral_agency", "public_location", "overdue"]
    if reply_file is not None:
        request.reply_file.save(reply_file.name or "reply", reply_file, save=False)
        fields.append("reply_file")
    request.overdue = bool(request.deadline and today > request.deadline)
    _save(request, actor, "reply", fields, reply_type=data.reply_type)
    event_emit(
        InfoRequestReplied(request.pk, request.number, request.applicant_id, request.reply_type)
    )
    return request


def requests_mark_overdue(*, today: date | None = None) -> int:
    """Periodic job: flag unanswered requests past their deadline (once each)."""
    today = today or timezone.localdate()
    marked = 0
    for request in selectors.overdue_queryset(today=today).filter(overdue=False)[:500]:
        with transaction.atomic():
            request.overdue = True
            request.save(update_fields=["overdue"])
            audit_record(
                action="disclosure.request_overdue",
                object_type="info_request",
                object_id=request.pk,
                detail={"number": request.number, "deadline": str(request.deadline)},
            )
            event_emit(InfoRequestOverdue(request.pk, request.number, request.department_id))
        marked += 1
    return marked
