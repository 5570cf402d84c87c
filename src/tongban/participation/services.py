"""Participation use cases (公众参与): departments put draft policies out for comment,
moderate the comments and publish how they were adopted; departments build surveys and
the public answers them, once per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.crypto import lookup_hash
from tongban.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from tongban.core.services import audit_record, event_emit
from tongban.org.selectors import department_get
from tongban.participation import events, selectors
from tongban.participation.models import (
    Adoption,
    Answer,
    Choice,
    Comment,
    CommentStatus,
    Question,
    QuestionKind,
    Response,
    Solicitation,
    Survey,
)

MIN_COMMENT_DAYS = 7  # a draft needs a real chance to be read before the period ends
MAX_PERIOD_DAYS = 366
COMMENT_MAX = 2000
COMMENT_BURST = (3, timedelta(minutes=10))  # per author and draft
COMMENT_PER_DRAFT = 20
MAX_QUESTIONS = 50
MAX_CHOICES = 20
SCALE_SIZES = (5, 10)
ANON_PER_CLIENT = 5  # same address and browser: allows a shared office or family NAT


# ------------------------------------------------------------------ solicitations


def _text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过 %(n)d 字") % {"label": label, "n": max_length}, field=field
        )
    return text


def _period(starts_on: date | None, ends_on: date | None, *, min_days: int) -> tuple[date, date]:
    if starts_on is None:
        raise ValidationFailed(_("请填写开始日期"), field="starts_on")
    if ends_on is None:
        raise ValidationFailed(_("请填写截止日期"), field="ends_on")
    if ends_on < starts_on + timedelta(days=min_days):
        raise ValidationFailed(
            _("截止日期应晚于开始日期至少 %(n)d 天") % {"n": min_days}, field="ends_on"
        )
    if ends_on > starts_on + timedelta(days=MAX_PERIOD_DAYS):
        raise ValidationFailed(_("期限不能超过一年"), field="ends_on")
    return starts_on, ends_on


def _phone(value: str) -> str:
    phone = (value or "").strip()
    digits = phone.replace("-", "").replace(" ", "")
    if not digits.isdigit() or not 7 <= len(digits) <= 13:
        raise ValidationFailed(
            _("请填写部门对外公开的联系电话，如 027-12345678"), field="contact_phone"
        )
    # Mobile numbers belong to people: offline comments go to the office phone.
    if len(digits) == 11 and digits.startswith("1"):
        raise ValidationFailed(_("请填写部门办公电话，不要填写个人手机号"), field="contact_phone")
    return phone


ATTACHMENT_SIGNATURES = {"pdf": b"%PDF-", "ofd": b"PK\x03\x04"}


def _attachment_check(upload: Any) -> Any:
    """Only PDF or OFD documents whose content matches the name, within the upload limit:
    the file is served to the public as it is."""
    if not upload:
        return ""
    limit = int(settings.TONGBAN_UPLOAD_MAX_BYTES)
    if upload.size is None or upload.size > limit:
        raise ValidationFailed(
            _("附件不能超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)}, field="attachment"
        )
    name = str(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    head = upload.read(8)
    upload.seek(0)
    signature = ATTACHMENT_SIGNATURES.get(extension)
    if signature is None or not head.startswith(signature):
        raise ValidationFailed(_("附件应为 PDF 或 OFD 文件"), field="attachment")
    return upload


def solicitation_create(
    *,
    actor: Any,
    department_id: int,
    title: str,
    summary: str,
    body: str,
    starts_on: date | None,
    ends_on: date | None,
    contact_phone: str,
    attachment: Any = None,
) -> Solicitation:
    """Put a draft out for comment (发布征求意见稿)."""
    selectors.require_manager(actor, department_id)
    department = department_get(department_id)
    values = {
        "title": _text(title, field="title", label=_("标题"), max_length=200),
        "summary": _text(summary, field="summary", label=_("起草说明"), max_length=2000),
        "body": _text(body, field="body", label=_("征求意见稿全文"), max_length=100_000),
        "contact_phone": _phone(contact_phone),
    }
    attachment = _attachment_check(attachment)
    starts_on, ends_on = _period(starts_on, ends_on, min_days=MIN_COMMENT_DAYS)
    with transaction.atomic():
        item = Solicitation.objects.create(
            department=department,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
            attachment=attachment,
            **values,
        )
        audit_record(
            action="participation.solicitation_created",
            actor=actor,
            object_type="participation.solicitation",
            object_id=item.pk,
            detail={"title": item.title, "department": department.code},
        )
    return item


def comment_submit(*, actor: Any, solicitation_id: int, body: str, section: str = "") -> Comment:
    """A citizen's or enterprise's comment; it waits for moderation before anyone sees it."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(_("请先登录后再提交意见"))
    if actor.kind not in ("citizen", "enterprise"):
        raise PermissionDenied(_("仅公众和企业用户可以提交意见"))
    item = selectors.solicitation_get(solicitation_id, user=actor)
    if selectors.solicitation_status(item) != "open":
        raise Conflict(_("该征求意见稿不在征求意见期内"), code="not_open")
    text = _text(body, field="body", label=_("意见内容"), max_length=COMMENT_MAX)
    section = _text(section, field="section", label=_("条款"), max_length=50, required=False)
    with transaction.atomic():
        _comment_rate_check(actor, item)
        comment = Comment.objects.create(
            solicitation=item, author=actor, body=text, section=section
        )
        audit_record(
            action="participation.comment_submitted",
            actor=actor,
            object_type="participation.comment",
            object_id=comment.pk,
            detail={"solicitation": item.pk},
        )
        event_emit(events.CommentSubmitted(item.pk, comment.pk, item.department_id))
    return comment


def _comment_rate_check(actor: Any, item: Solicitation) -> None:
    mine = Comment.objects.filter(solicitation=item, author=actor)
    burst, window = COMMENT_BURST
    if mine.filter(created_at__gte=timezone.now() - window).count() >= burst:
        raise RateLimited(_("提交过于频繁，请稍后再试"))
    if mine.count() >= COMMENT_PER_DRAFT:
        raise RateLimited(_("每人对同一征求意见稿最多提交 %(n)d 条意见") % {"n": COMMENT_PER_DRAFT})


def comment_moderate(*, actor: Any, comment_id: int, approve: bool, reason: str = "") -> Comment:
    """Approve a comment for publication or reject it with a reason (审核)."""
    comment = _comment_for_manager(actor, comment_id)
    if comment.status != CommentStatus.PENDING:
        raise Conflict(_("该意见已审核"), code="already_moderated")
    reason = _text(reason, field="reason", label=_("理由"), max_length=200, required=not approve)
    comment.status = CommentStatus.APPROVED if approve else CommentStatus.REJECTED
    comment.reject_reason = "" if approve else reason
    comment.moderated_at = timezone.now()
    with transaction.atomic():
        comment.save(update_fields=["status", "reject_reason", "moderated_at"])
        audit_record(
            action="participation.comment_approved"
            if approve
            else "participation.comment_rejected",
            actor=actor,
            object_type="participation.comment",
            object_id=comment.pk,
            detail={"reason": comment.reject_reason},
        )
    return comment


def _comment_for_manager(actor: Any, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("solicitation").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(_("意见不存在"))
    selectors.require_manager(actor, comment.solicitation.department_id)
    return comment


@dataclass(frozen=True)
class Decision:
    comment_id: int
    adoption: str
    reason: str


def feedback_publish(
    *, actor: Any, solicitation_id: int, summary: str, decisions: list[Decision]
) -> Solicitation:
    """Publish how the comments were adopted (意见采纳情况) once the period is over.

    Every approved comment needs a decision with a reason; pending ones must be moderated
    first so that the published counts are final.
    """
    item = selectors.solicitation_get(solicitation_id, user=actor)
    selectors.require_manager(actor, item.department_id)
    status = selectors.solicitation_status(item)
    if status == "feedback":
        raise Conflict(_("采纳情况已经公布"), code="already_published")
    if status != "closed":
        raise Conflict(_("征求意见期结束后才能公布采纳情况"), code="not_closed")
    text = _text(summary, field="summary", label=_("采纳情况说明"), max_length=5000)
    comments = {c.pk: c for c in Comment.objects.filter(solicitation=item)}
    if any(c.status == CommentStatus.PENDING for c in comments.values()):
        raise Conflict(_("尚有待审核的意见，请先审核"), code="pending_comments")
    _apply_decisions(comments, decisions)
    with transaction.atomic():
        for comment in comments.values():
            comment.save(update_fields=["adoption", "adoption_reason"])
        item.feedback_summary = text
        item.feedback_published_at = timezone.now()
        item.save(update_fields=["feedback_summary", "feedback_published_at"])
        audit_record(
            action="participation.feedback_published",
            actor=actor,
            object_type="participation.solicitation",
            object_id=item.pk,
            detail=selectors.feedback_counts(item),
        )
        event_emit(events.FeedbackPublished(item.pk, item.department_id))
    return item


def _apply_decisions(comments: dict[int, Comment], decisions: list[Decision]) -> None:
    for decision in decisions:
        comment = comments.get(decision.comment_id)
        if comment is None or comment.status != CommentStatus.APPROVED:
            raise ValidationFailed(
                _("意见 %(id)s 不属于本征求意见稿或未公开") % {"id": decision.comment_id},
                field="decisions",
            )
        if decision.adoption not in Adoption.values:
            raise ValidationFailed(_("采纳情况无效"), field="decisions")
        comment.adoption = decision.adoption
        comment.adoption_reason = _text(
            decision.reason, field="decisions", label=_("采纳理由"), max_length=500
        )
    missing = [
        c.pk for c in comments.values() if c.status == CommentStatus.APPROVED and not c.adoption
    ]
    if missing:
        raise ValidationFailed(
            _("以下意见尚未填写采纳情况：%(ids)s") % {"ids": "、".join(map(str, missing))},
            field="decisions",
        )


# ------------------------------------------------------------------ surveys


def _question_spec(index: int, raw: Any) -> dict[str, Any]:
    """One question of a builder payload, checked; errors name the question number."""
    where = f"questions.{index}"
    prefix = _("第 %(n)d 题：") % {"n": index + 1}
    if not isinstance(raw, dict):
        raise ValidationFailed(prefix + _("格式无效"), field=where)
    kind = raw.get("kind")
    if kind not in QuestionKind.values:
        raise ValidationFailed(prefix + _("题型应为单选、多选、量表或填空"), field=where)
    spec: dict[str, Any] = {
        "kind": kind,
        "text": _text(raw.get("text"), field=where, label=prefix + _("题目"), max_length=300),
        "required": bool(raw.get("required", True)),
        "choices": [],
    }
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        spec["choices"] = _choice_labels(raw.get("choices"), where, prefix)
    if kind == QuestionKind.MULTIPLE:
        spec.update(_min_max(raw, len(spec["choices"]), where, prefix))
    if kind == QuestionKind.SCALE:
        if raw.get("scale_max", 5) not in SCALE_SIZES:
            raise ValidationFailed(prefix + _("量表只能为 1–5 或 1–10"), field=where)
        spec["scale_max"] = raw.get("scale_max", 5)
        spec["scale_low_label"] = str(raw.get("scale_low_label") or "")[:20]
        spec["scale_high_label"] = str(raw.get("scale_high_label") or "")[:20]
    if kind == QuestionKind.TEXT:
        length = raw.get("max_length", 500)
        if not isinstance(length, int) or not 1 <= length <= 2000:
            raise ValidationFailed(prefix + _("字数上限应在 1–2000 之间"), field=where)
        spec["max_length"] = length
    return spec


def _choice_labels(raw: Any, where: str, prefix: str) -> list[str]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_CHOICES:
        raise ValidationFailed(prefix + _("选择题应有 2–20 个选项"), field=where)
    labels = [_text(x, field=where, label=prefix + _("选项"), max_length=100) for x in raw]
    if len(set(labels)) != len(labels):
        raise ValidationFailed(prefix + _("选项不能重复"), field=where)
    return labels


def _min_max(raw: dict[str, Any], count: int, where: str, prefix: str) -> dict[str, Any]:
    low, high = raw.get("min_choices"), raw.get("max_choices")
    for value in (low, high):
        if value is not None and (not isinstance(value, int) or not 1 <= value <= count):
            raise ValidationFailed(prefix + _("最少/最多选择数应在 1 与选项数之间"), field=where)
    if low is not None and high is not None and low > high:
        raise ValidationFailed(prefix + _("最少选择数不能大于最多选择数"), field=where)
    return {"min_choices": low, "max_choices": high}


def _survey_values(
    title: str, description: str, starts_on: date | None, ends_on: date | None, questions: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values: dict[str, Any] = {
        "title": _text(title, field="title", label=_("标题"), max_length=200),
        "description": _text(
            description, field="description", label=_("说明"), max_length=2000, required=False
        ),
    }
    values["starts_on"], values["ends_on"] = _period(starts_on, ends_on, min_days=1)
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValidationFailed(_("调查应有 1–50 道题"), field="questions")
    return values, [_question_spec(i, q) for i, q in enumerate(questions)]


def _questions_write(survey: Survey, specs: list[dict[str, Any]]) -> None:
    for position, spec in enumerate(specs, start=1):
        labels = spec.pop("choices")
        question = Question.objects.create(survey=survey, position=position, **spec)
        Choice.objects.bulk_create(
            Choice(question=question, position=i, label=label)
            for i, label in enumerate(labels, start=1)
        )


def survey_create(
    *,
    actor: Any,
    department_id: int,
    title: str,
    description: str = "",
    starts_on: date | None,
    ends_on: date | None,
    anonymous: bool = True,
    questions: Any,
) -> Survey:
    """Build a survey (创建民意调查) with its questions in display order."""
    selectors.require_manager(actor, department_id)
    values, specs = _survey_values(title, description, starts_on, ends_on, questions)
    with transaction.atomic():
        survey = Survey.objects.create(
            department=department_get(department_id),
            anonymous=anonymous,
            created_by=actor,
            **values,
        )
        _questions_write(survey, specs)
        audit_record(
            action="participation.survey_created",
            actor=actor,
            object_type="participation.survey",
            object_id=survey.pk,
            detail={"title": survey.title, "questions": len(specs)},
        )
    return survey


def survey_update(
    *,
    actor: Any,
    survey_id: int,
    title: str,
    description: str = "",
    starts_on: date | None,
    ends_on: date | None,
    anonymous: bool = True,
    questions: Any,
) -> Survey:
    """Replace a survey's definition; refused once anyone has answered, since changing
    questions under existing answers would falsify the results."""
    survey = selectors.survey_get(survey_id, user=actor)
    selectors.require_manager(actor, survey.department_id)
    values, specs = _survey_values(title, description, starts_on, ends_on, questions)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if selectors.survey_has_responses(survey):
            raise Conflict(_("已有答卷，调查内容不能再修改"), code="locked")
        Question.objects.filter(survey=survey).delete()
        _questions_write(survey, specs)
        for key, value in values.items():
            setattr(survey, key, value)
        survey.anonymous = anonymous
        survey.save()
        audit_record(
            action="participation.survey_updated",
            actor=actor,
            object_type="participation.survey",
            object_id=survey.pk,
            detail={"questions": len(specs)},
        )
    return survey


def survey_close(*, actor: Any, survey_id: int) -> Survey:
    """End a survey before its date (提前结束); results become public."""
    survey = selectors.survey_get(survey_id, user=actor)
    selectors.require_manager(actor, survey.department_id)
    if selectors.survey_status(survey) == "closed":
        raise Conflict(_("调查已经结束"), code="closed")
    with transaction.atomic():
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
        audit_record(
            action="participation.survey_closed",
            actor=actor,
            object_type="participation.survey",
            object_id=survey.pk,
        )
        event_emit(events.SurveyClosed(survey.pk, survey.department_id))
    return survey


@dataclass(frozen=True)
class Respondent:
    """Who answers: the logged-in user, or else the browser's cookie token; ``client``
    is the address and user agent, hashed."""

    user: Any
    cookie_token: str
    client: str


def respondent_key(survey: Survey, respondent: Respondent) -> str:
    """A per-survey keyed hash: stable for one person, unlinkable across surveys."""
    user = respondent.user
    if user is not None and getattr(user, "is_authenticated", False):
        return lookup_hash(f"survey:{survey.pk}:user:{user.pk}")
    return lookup_hash(f"survey:{survey.pk}:cookie:{respondent.cookie_token}")


def response_submit(*, survey_id: int, respondent: Respondent, answers: dict[int, Any]) -> Response:
    """Record one person's answers (提交答卷).

    ``answers`` maps question id to a choice id, a list of choice ids, a scale number or a
    text. Invalid answers raise ValidationFailed with ``field="q<id>"`` naming the question.
    """
    survey = selectors.survey_get(survey_id, user=respondent.user)
    if selectors.survey_status(survey) != "open":
        raise Conflict(_("该调查不在进行中"), code="not_open")
    user = respondent.user if getattr(respondent.user, "is_authenticated", False) else None
    if not survey.anonymous and user is None:
        raise NotAuthenticated(_("实名调查请先登录"))
    if user is not None and user.kind == "staff":
        raise PermissionDenied(_("工作人员不参与民意调查答题"))
    rows = _answers_check(selectors.survey_questions(survey), answers)
    key = respondent_key(survey, respondent)
    client = lookup_hash(f"survey:{survey.pk}:client:{respondent.client}")
    if user is None and _client_count(survey, client) >= ANON_PER_CLIENT:
        raise RateLimited(_("同一网络和设备提交的答卷已达上限"))
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                user=None if survey.anonymous else user,
                respondent_key=key,
                client_hash=client,
            )
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
            audit_record(
                action="participation.response_submitted",
                actor=user,
                object_type="participation.survey",
                object_id=survey.pk,
            )
    except IntegrityError:
        # The unique constraint is the guard that holds under concurrent submissions.
        raise Conflict(_("您已参与过本次调查，每人只能提交一次"), code="already_answered") from None
    return response


def _client_count(survey: Survey, client: str) -> int:
    return Response.objects.filter(survey=survey, client_hash=client).count()


def _answers_check(questions: list[Question], answers: dict[int, Any]) -> list[Answer]:
    rows: list[Answer] = []
    for question in questions:
        value = answers.get(question.pk)
        empty = value in (None, "", []) or (isinstance(value, str) and not value.strip())
        if empty:
            if question.required:
                raise ValidationFailed(_("此题为必答题"), field=f"q{question.pk}")
            continue
        rows.extend(_answer_rows(question, value))
    return rows


def _answer_rows(question: Question, value: Any) -> list[Answer]:
    field = f"q{question.pk}"
    if question.kind == QuestionKind.TEXT:
        text = str(value).strip()
        if len(text) > question.max_length:
            raise ValidationFailed(
                _("回答不能超过 %(n)d 字") % {"n": question.max_length}, field=field
            )
        return [Answer(question=question, text=text)]
    if question.kind == QuestionKind.SCALE:
        number = _int(value)
        if number is None or not 1 <= number <= (question.scale_max or 5):
            raise ValidationFailed(
                _("请在 1 到 %(n)d 之间选择") % {"n": question.scale_max or 5}, field=field
            )
        return [Answer(question=question, number=number)]
    return [Answer(question=question, choice=c) for c in _choices(question, value, field)]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _choices(question: Question, value: Any, field: str) -> list[Choice]:
    raw = value if isinstance(value, list) else [value]
    parsed = {_int(v) for v in raw}
    ids = {i for i in parsed if i is not None}
    valid = {c.pk: c for c in question.choices.all()}
    if len(ids) != len(parsed) or not ids <= valid.keys():
        raise ValidationFailed(_("所选选项无效"), field=field)
    if question.kind == QuestionKind.SINGLE and len(ids) != 1:
        raise ValidationFailed(_("此题只能选择一项"), field=field)
    if question.min_choices and len(ids) < question.min_choices:
        raise ValidationFailed(_("至少选择 %(n)d 项") % {"n": question.min_choices}, field=field)
    if question.max_choices and len(ids) > question.max_choices:
        raise ValidationFailed(_("最多选择 %(n)d 项") % {"n": question.max_choices}, field=field)
    return [valid[i] for i in sorted(ids)]


@dataclass(frozen=True)
class PastComment:
    author: Any
    section: str
    body: str
    adoption: str
    reason: str


def solicitation_import(
    *,
    actor: Any,
    department_id: int,
    title: str,
    summary: str,
    body: str,
    starts_on: date,
    ends_on: date,
    contact_phone: str,
    comments: list[PastComment],
    feedback_summary: str,
) -> Solicitation:
    """Bring over a finished consultation with its comments and published feedback (e.g.
    from a department's old website), so the public record stays in one place.

    The comments count as approved: the old site had published them.
    """
    if ends_on >= selectors.today():
        raise ValidationFailed(_("只能导入已经结束的征求意见"), field="ends_on")
    with transaction.atomic():
        item = solicitation_create(
            actor=actor,
            department_id=department_id,
            title=title,
            summary=summary,
            body=body,
            starts_on=starts_on,
            ends_on=ends_on,
            contact_phone=contact_phone,
        )
        for past in comments:
            if past.adoption not in Adoption.values:
                raise ValidationFailed(_("采纳情况无效"), field="comments")
            Comment.objects.create(
                solicitation=item,
                author=past.author,
                section=past.section,
                body=_text(
                    past.body, field="comments", label=_("意见内容"), max_length=COMMENT_MAX
                ),
                status=CommentStatus.APPROVED,
                moderated_at=timezone.now(),
                adoption=past.adoption,
                adoption_reason=past.reason,
            )
        item.feedback_summary = _text(
            feedback_summary, field="feedback_summary", label=_("采纳情况说明"), max_length=5000
        )
        item.feedback_published_at = timezone.now()
        item.save(update_fields=["feedback_summary", "feedback_published_at"])
        audit_record(
            action="participation.solicitation_imported",
            actor=actor,
            object_type="participation.solicitation",
            object_id=item.pk,
            detail=selectors.feedback_counts(item),
        )
    return item
