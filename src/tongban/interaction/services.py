"""Interaction owns appeals (诉求) to the 12345 hotline: submission, routing (rules, then
the classifier), handling by departments (dispatch, sign-off, return, transfer, joint
handling, extension, reply, follow-up, closing), working-day deadlines with the overdue
sweep, and publication to the public mailbox (公开信箱)."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import applicant_identity, staff_has_role
from tongban.core.crypto import lookup_hash
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.selectors import add_working_days, working_days_between
from tongban.core.services import audit_record, event_emit
from tongban.interaction import classifier, events, selectors
from tongban.interaction.models import (
    ANONYMOUS_TYPES,
    Appeal,
    AppealSequence,
    AppealStatus,
    AppealType,
    Assignment,
    Attachment,
    RouteSource,
    Satisfaction,
    Step,
)
from tongban.org.selectors import department_get, division_get

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".pdf"})
MAX_EXTENSION_DAYS = 15
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


@dataclass(frozen=True)
class Submitted:
    """A new appeal and, for an anonymous submitter, the query code shown once."""

    appeal: Appeal
    query_code: str


@dataclass(frozen=True)
class Route:
    source: str
    department_code: str
    confidence: float
    rule_id: int | None


# ---------------------------------------------------------------------------- helpers


def _today() -> date:
    return timezone.localdate()


def _text(value: str, *, field: str, label: str, low: int, high: int) -> str:
    cleaned = (value or "").strip()
    if not low <= len(cleaned) <= high:
        raise ValidationFailed(
            _("%(label)s应为%(low)d至%(high)d个字") % {"label": label, "low": low, "high": high},
            field=field,
        )
    return cleaned


def _step(
    appeal: Appeal,
    action: str,
    actor: Any,
    *,
    department_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> None:
    """Timeline entry, audit entry and outbox event of one handling step."""
    Step.objects.create(
        appeal=appeal,
        at=at or timezone.now(),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "",
        department_id=department_id,
        note=note,
    )
    audit_record(
        action=f"interaction.appeal_{action}",
        actor=actor if getattr(actor, "pk", None) else None,
        object_type="interaction.appeal",
        object_id=appeal.number,
        detail={"status": appeal.status, "department_id": department_id},
    )
    event_emit(
        events.AppealStepped(
            appeal_id=appeal.pk, action=action, status=appeal.status, department_id=department_id
        )
    )


def _locked(number: str) -> Appeal:
    appeal = Appeal.objects.select_for_update().filter(number=number).first()
    if appeal is None:
        raise NotFound(_("诉求不存在"), field="number")
    return appeal


def _require_status(appeal: Appeal, *allowed: str) -> None:
    if appeal.status not in allowed:
        raise Conflict(
            _("诉求当前状态为“%(status)s”，不能进行此操作")
            % {"status": appeal.get_status_display()}
        )


def _require_dispatcher(actor: Any, appeal: Appeal) -> None:
    if not selectors.is_dispatcher(actor, appeal):
        raise PermissionDenied(_("只有本区划的派单员可以进行此操作"))


def _require_lead(actor: Any, appeal: Appeal) -> None:
    if not selectors.is_handler(actor, appeal.department_id):
        raise PermissionDenied(_("只有承办（主办）部门的工作人员可以进行此操作"))


def _set_deadlines(appeal: Appeal, start: date) -> None:
    limits = selectors.time_limits(appeal.appeal_type)
    appeal.dispatched_on = start
    appeal.sign_deadline = add_working_days(start, limits.sign_days)
    appeal.reply_deadline = add_working_days(start, limits.reply_days)
    appeal.sign_overdue = appeal.reply_overdue = appeal.reply_warned = False


def _assign(appeal: Appeal, department_ids: Sequence[int], lead_id: int) -> None:
    appeal.assignments.all().delete()
    Assignment.objects.bulk_create(
        Assignment(appeal=appeal, department_id=d, lead=d == lead_id) for d in department_ids
    )
    appeal.department_id = lead_id


# ---------------------------------------------------------------------------- submission


def _number(day: date) -> str:
    AppealSequence.objects.get_or_create(day=day)
    sequence = AppealSequence.objects.select_for_update().get(day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"SQ{day:%Y%m%d}{sequence.last:05d}"


def _check_files(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(_("附件最多%(n)d个") % {"n": MAX_ATTACHMENTS}, field="attachments")
    for upload in files:
        if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
            raise ValidationFailed(_("附件只能是 JPG、PNG 或 PDF 文件"), field="attachments")
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationFailed(_("单个附件不能超过 5 MB"), field="attachments")


def _check_submission(user: Any, appeal_type: str, contact_phone: str) -> Any:
    """The submitter's applicant identity (None for anonymous), after the rules on who
    may submit what."""
    if appeal_type not in AppealType.values:
        raise ValidationFailed(_("请选择诉求类型"), field="appeal_type")
    signed_in = user is not None and user.is_authenticated
    identity = applicant_identity(user) if signed_in else None
    if signed_in and identity is None:
        raise PermissionDenied(_("只有群众和企业用户可以提交诉求"))
    if identity is None and appeal_type not in ANONYMOUS_TYPES:
        raise ValidationFailed(
            _("咨询、投诉、求助须登录后提交；匿名只能提交建议和举报"), field="appeal_type"
        )
    if contact_phone and not _PHONE.match(contact_phone):
        raise ValidationFailed(_("联系电话格式不正确"), field="contact_phone")
    return identity


@transaction.atomic
def appeal_submit(
    *,
    user: Any,
    appeal_type: str,
    title: str,
    content: str,
    division_code: str,
    location: str = "",
    contact_phone: str = "",
    allow_publication: bool = True,
    files: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> Submitted:
    """Submit an appeal, route it, and dispatch it when the route is confident."""
    contact_phone = (contact_phone or "").strip()
    identity = _check_submission(user, appeal_type, contact_phone)
    title = _text(title, field="title", label=_("标题"), low=4, high=100)
    content = _text(content, field="content", label=_("诉求内容"), low=10, high=2000)
    location = (location or "").strip()
    if len(location) > 200:
        raise ValidationFailed(_("地点不能超过200个字"), field="location")
    try:
        division = division_get((division_code or "").strip())
    except NotFound:
        raise ValidationFailed(_("请选择诉求所在的行政区划"), field="division_code") from None
    _check_files(files)
    at = now or timezone.now()
    code = "" if identity else "".join(secrets.choice(_CODE_ALPHABET) for _i in range(8))
    appeal = Appeal.objects.create(
        number=_number(timezone.localdate(at)),
        appeal_type=appeal_type,
        title=title,
        content=content,
        location=location,
        contact_name=identity.name if identity else "",
        contact_phone=contact_phone,
        division=division,
        submitter=user if identity else None,
        query_code_hash=lookup_hash(code) if code else "",
        allow_publication=allow_publication,
        status=AppealStatus.AWAITING_DISPATCH,
        submitted_at=at,
    )
    for upload in files:
        Attachment.objects.create(
            appeal=appeal, file=upload, name=(upload.name or "")[:200], size=upload.size or 0
        )
    _step(appeal, "submit", user if identity else None, at=at)
    _route_and_dispatch(appeal, timezone.localdate(at))
    event_emit(events.AppealSubmitted(appeal_id=appeal.pk, auto_dispatched=appeal.auto_dispatched))
    return Submitted(appeal, code)


def appeal_route(*, title: str, content: str, appeal_type: str, division_path: str) -> Route:
    """The routing proposal: the first matching rule, else the classifier."""
    text = f"{title}\n{content}"
    rule = selectors.routing_rule_match(
        text=text, appeal_type=appeal_type, division_path=division_path
    )
    if rule is not None:
        return Route(RouteSource.RULE, rule.department_code, 1.0, rule.pk)
    try:
        proposal = classifier.propose(text)
    except (OSError, ValueError):  # no trained model shipped: every appeal to the dispatcher
        logger.exception("appeal router model unavailable")
        return Route(RouteSource.MODEL, "", 0.0, None)
    return Route(RouteSource.MODEL, proposal.department_code, float(proposal.confidence), None)


def _route_and_dispatch(appeal: Appeal, today: date) -> None:
    route = appeal_route(
        title=appeal.title,
        content=appeal.content,
        appeal_type=appeal.appeal_type,
        division_path=appeal.division.path,
    )
    appeal.proposed_source = route.source
    appeal.proposed_rule_id = route.rule_id
    appeal.proposed_department_code = route.department_code
    appeal.proposed_confidence = round(route.confidence, 4)
    department = (
        selectors.department_resolve(
            division_code=appeal.division_id, department_code=route.department_code
        )
        if route.department_code
        else None
    )
    confident = route.confidence >= selectors.routing_threshold()
    note = f"{route.source}:{route.department_code}:{route.confidence:.2f}"
    if confident and department is not None:
        appeal.auto_dispatched = True
        appeal.status = AppealStatus.DISPATCHED
        _assign(appeal, [department.pk], department.pk)
        _set_deadlines(appeal, today)
    appeal.save()
    _step(
        appeal, "route", None, department_id=appeal.department_id, note=note, at=appeal.submitted_at
    )


# ---------------------------------------------------------------------------- dispatcher


@transaction.atomic
def appeal_dispatch(
    *,
    actor: Any,
    number: str,
    department_ids: Iterable[int],
    lead_id: int | None = None,
    today: date | None = None,
) -> Appeal:
    """Dispatch (派单) to one department, or several for joint handling with one lead."""
    appeal = _locked(number)
    _require_dispatcher(actor, appeal)
    _require_status(appeal, AppealStatus.AWAITING_DISPATCH, AppealStatus.RETURNED)
    ids = list(dict.fromkeys(int(d) for d in department_ids))
    if not ids:
        raise ValidationFailed(_("请选择承办部门"), field="department_ids")
    lead = lead_id if lead_id is not None else ids[0]
    if lead not in ids:
        raise ValidationFailed(_("主办部门必须是所选承办部门之一"), field="lead_id")
    for department_id in ids:
        try:
            department = department_get(department_id)
        except NotFound:
            raise ValidationFailed(_("承办部门不存在"), field="department_ids") from None
        if not _dispatcher_reaches(actor, department.division_id):
            raise ValidationFailed(_("只能派给本区划内的部门"), field="department_ids")
    _assign(appeal, ids, lead)
    appeal.status = AppealStatus.DISPATCHED
    _set_deadlines(appeal, today or _today())
    appeal.save()
    _step(appeal, "dispatch", actor, department_id=lead, note=",".join(map(str, ids)))
    return appeal


def _dispatcher_reaches(actor: Any, division_code: str) -> bool:
    return staff_has_role(actor, "dispatcher", division_code=division_code)


@transaction.atomic
def appeal_transfer(
    *, actor: Any, number: str, department_id: int, reason: str, today: date | None = None
) -> Appeal:
    """Transfer (转办) to another department, which signs it off anew."""
    appeal = _locked(number)
    _require_dispatcher(actor, appeal)
    _require_status(appeal, AppealStatus.DISPATCHED, AppealStatus.HANDLING)
    reason = _text(reason, field="reason", label=_("转办理由"), low=4, high=500)
    try:
        department = department_get(department_id)
    except NotFound:
        raise ValidationFailed(_("承办部门不存在"), field="department_id") from None
    if department.pk == appeal.department_id:
        raise ValidationFailed(_("请选择另一个部门"), field="department_id")
    if not _dispatcher_reaches(actor, department.division_id):
        raise ValidationFailed(_("只能转给本区划内的部门"), field="department_id")
    _assign(appeal, [department.pk], department.pk)
    appeal.status = AppealStatus.DISPATCHED
    appeal.signed_at = None
    appeal.extension_days = 0
    _set_deadlines(appeal, today or _today())
    appeal.save()
    _step(appeal, "transfer", actor, department_id=department.pk, note=reason)
    return appeal


@transaction.atomic
def appeal_extension_decide(*, actor: Any, number: str, approve: bool) -> Appeal:
    """Approve or reject the pending extension (延期) request."""
    appeal = _locked(number)
    _require_dispatcher(actor, appeal)
    _require_status(appeal, AppealStatus.HANDLING)
    if appeal.extension_days <= 0 or appeal.reply_deadline is None:
        raise Conflict(_("该诉求没有待审批的延期申请"))
    days = appeal.extension_days
    if approve:
        appeal.reply_deadline = add_working_days(appeal.reply_deadline, days)
        appeal.reply_overdue = appeal.reply_warned = False
    appeal.extension_days = 0
    appeal.save()
    action = "extend_approve" if approve else "extend_reject"
    _step(appeal, action, actor, department_id=appeal.department_id, note=str(days))
    return appeal


# ---------------------------------------------------------------------------- department


@transaction.atomic
def appeal_sign(*, actor: Any, number: str) -> Appeal:
    """Sign-off (签收) by the lead department; co-handlers take part from here on."""
    appeal = _locked(number)
    _require_lead(actor, appeal)
    _require_status(appeal, AppealStatus.DISPATCHED)
    appeal.status = AppealStatus.HANDLING
    appeal.signed_at = timezone.now()
    appeal.save()
    _step(appeal, "sign", actor, department_id=appeal.department_id)
    return appeal


@transaction.atomic
def appeal_return(*, actor: Any, number: str, reason: str) -> Appeal:
    """Return (退单) to the dispatcher, before sign-off, with a reason."""
    appeal = _locked(number)
    _require_lead(actor, appeal)
    _require_status(appeal, AppealStatus.DISPATCHED)
    reason = _text(reason, field="reason", label=_("退单理由"), low=4, high=500)
    department_id = appeal.department_id
    appeal.assignments.all().delete()
    appeal.department = None
    appeal.status = AppealStatus.RETURNED
    appeal.sign_deadline = appeal.reply_deadline = None
    appeal.sign_overdue = appeal.reply_overdue = appeal.reply_warned = False
    appeal.save()
    _step(appeal, "return", actor, department_id=department_id, note=reason)
    return appeal


@transaction.atomic
def appeal_extension_request(*, actor: Any, number: str, days: int, reason: str) -> Appeal:
    """Ask the dispatcher for more working days to reply."""
    appeal = _locked(number)
    _require_lead(actor, appeal)
    _require_status(appeal, AppealStatus.HANDLING)
    if appeal.extension_days:
        raise Conflict(_("已有待审批的延期申请"))
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            _("延期天数应为1至%(n)d个工作日") % {"n": MAX_EXTENSION_DAYS}, field="days"
        )
    appeal.extension_reason = _text(reason, field="reason", label=_("延期理由"), low=4, high=500)
    appeal.extension_days = int(days)
    appeal.save()
    _step(appeal, "extend_request", actor, department_id=appeal.department_id, note=reason)
    return appeal


@transaction.atomic
def appeal_opinion(*, actor: Any, number: str, department_id: int, opinion: str) -> Appeal:
    """A co-handler's opinion (协办意见) in a joint handling."""
    appeal = _locked(number)
    _require_status(appeal, AppealStatus.HANDLING)
    assignment = appeal.assignments.filter(department_id=department_id, lead=False).first()
    if assignment is None or not selectors.is_handler(actor, department_id):
        raise PermissionDenied(_("只有协办部门的工作人员可以提交协办意见"))
    assignment.opinion = _text(opinion, field="opinion", label=_("协办意见"), low=4, high=2000)
    assignment.opinion_at = timezone.now()
    assignment.save()
    _step(appeal, "opinion", actor, department_id=department_id, note=assignment.opinion)
    return appeal


@transaction.atomic
def appeal_reply(*, actor: Any, number: str, reply: str) -> Appeal:
    """Reply (答复) by the lead department, after every co-handler's opinion."""
    appeal = _locked(number)
    _require_lead(actor, appeal)
    _require_status(appeal, AppealStatus.HANDLING)
    text = _text(reply, field="reply", label=_("答复内容"), low=10, high=4000)
    if appeal.assignments.filter(lead=False, opinion_at__isnull=True).exists():
        raise Conflict(_("协办部门尚未全部提交意见，暂不能答复"))
    appeal.reply = text
    appeal.replied_at = timezone.now()
    appeal.status = AppealStatus.REPLIED
    appeal.extension_days = 0
    appeal.save()
    _step(appeal, "reply", actor, department_id=appeal.department_id, note=text)
    return appeal


@transaction.atomic
def appeal_publish(*, actor: Any, number: str) -> Appeal:
    """Publish a replied appeal to the public mailbox (公开信箱), redacted there."""
    appeal = _locked(number)
    if not (
        selectors.is_handler(actor, appeal.department_id) or selectors.is_dispatcher(actor, appeal)
    ):
        raise PermissionDenied(_("只有承办部门或派单员可以公开诉求"))
    _require_status(appeal, AppealStatus.REPLIED, AppealStatus.CLOSED)
    if not appeal.allow_publication:
        raise Conflict(_("提交人不同意公开该诉求"))
    if appeal.published:
        return appeal
    appeal.published = True
    appeal.published_at = timezone.now()
    appeal.save(update_fields=["published", "published_at"])
    _step(appeal, "publish", actor, department_id=appeal.department_id)
    return appeal


# ---------------------------------------------------------------------------- follow-up


@transaction.atomic
def appeal_follow_up(
    *,
    actor: Any,
    number: str,
    satisfaction: str,
    comment: str = "",
    code: str = "",
    today: date | None = None,
) -> Appeal:
    """Follow-up (回访) by the applicant or the dispatcher. The first 不满意 sends the
    appeal back to the department once (重办); otherwise the appeal is closed (办结)."""
    appeal = _locked(number)
    by_code = bool(code) and lookup_hash(code.strip()) == appeal.query_code_hash
    is_submitter = getattr(actor, "pk", None) is not None and appeal.submitter_id == actor.pk
    if not (by_code or is_submitter or selectors.is_dispatcher(actor, appeal)):
        raise PermissionDenied(_("只有诉求人或派单员可以回访"))
    _require_status(appeal, AppealStatus.REPLIED)
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("请选择满意度"), field="satisfaction")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationFailed(_("回访意见不能超过500个字"), field="comment")
    appeal.satisfaction = satisfaction
    appeal.follow_up_comment = comment
    who = actor if getattr(actor, "pk", None) else None
    if satisfaction == Satisfaction.UNSATISFIED and not appeal.reopened:
        appeal.reopened = True
        appeal.status = AppealStatus.HANDLING
        limits = selectors.time_limits(appeal.appeal_type)
        appeal.reply_deadline = add_working_days(today or _today(), limits.reply_days)
        appeal.reply_overdue = appeal.reply_warned = False
        appeal.save()
        _step(appeal, "reopen", who, department_id=appeal.department_id, note=comment)
        return appeal
    appeal.status = AppealStatus.CLOSED
    appeal.closed_at = timezone.now()
    appeal.save()
    _step(appeal, "follow_up", who, department_id=appeal.department_id, note=satisfaction)
    return appeal


# ---------------------------------------------------------------------------- sweep


def _flag(appeal: Appeal, field: str, kind: str) -> None:
    setattr(appeal, field, True)
    appeal.save(update_fields=[field])
    audit_record(
        action=f"interaction.appeal_{kind}",
        object_type="interaction.appeal",
        object_id=appeal.number,
    )
    event_emit(events.AppealOverdue(appeal_id=appeal.pk, kind=kind))


@transaction.atomic
def appeal_sweep(*, today: date | None = None) -> dict[str, int]:
    """Mark overdue sign-offs and replies, and replies near their deadline (periodic)."""
    day = today or _today()
    counts = {"sign": 0, "reply": 0, "reply_warning": 0}
    for appeal in selectors.appeals_due_for_sweep().iterator(chunk_size=500):
        if appeal.status == AppealStatus.DISPATCHED:
            if appeal.sign_deadline and day > appeal.sign_deadline and not appeal.sign_overdue:
                _flag(appeal, "sign_overdue", "sign")
                counts["sign"] += 1
            continue
        deadline = appeal.reply_deadline
        if deadline is None:
            continue
        if day > deadline and not appeal.reply_overdue:
            _flag(appeal, "reply_overdue", "reply")
            counts["reply"] += 1
        elif day <= deadline and not appeal.reply_warned:
            warn = selectors.time_limits(appeal.appeal_type).warn_days
            if working_days_between(day, deadline) <= warn:
                _flag(appeal, "reply_warned", "reply_warning")
                counts["reply_warning"] += 1
    return counts


def sweep_job() -> object:
    """The periodic job (``tongban worker``)."""
    return appeal_sweep()


# ---------------------------------------------------------------------------- configuration


def configuration_changed(*, actor: Any, object_type: str, object_id: int, created: bool) -> None:
    """Audit an admin edit of a routing rule or a time limit."""
    audit_record(
        action=f"interaction.{object_type}_{'created' if created else 'updated'}",
        actor=actor,
        object_type=f"interaction.{object_type}",
        object_id=object_id,
    )
