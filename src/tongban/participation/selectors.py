"""Reads of participation: solicitations and their public comments, surveys, and survey
results (aggregates for everyone once closed, text answers and CSV for the department)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.core.crypto import lookup_hash
from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.pagination import Page, keyset_page
from tongban.participation.models import (
    Adoption,
    Answer,
    Comment,
    CommentStatus,
    Question,
    QuestionKind,
    Response,
    Solicitation,
    Survey,
)

MANAGER_ROLES = frozenset({"reviewer", "head"})
STATUS_LABELS = {
    "draft": gettext_lazy("未开始"),
    "open": gettext_lazy("征求意见中"),
    "closed": gettext_lazy("已截止"),
    "feedback": gettext_lazy("已公布采纳情况"),
}
SURVEY_STATUS_LABELS = {
    "draft": gettext_lazy("未开始"),
    "open": gettext_lazy("进行中"),
    "closed": gettext_lazy("已结束"),
}


def today() -> date:
    return timezone.localdate()


def can_manage(user: object, department_id: int) -> bool:
    """Reviewers and heads of the owning department run its solicitations and surveys."""
    return bool(getattr(user, "is_authenticated", False)) and staff_has_role(
        user,  # type: ignore[arg-type]
        roles=MANAGER_ROLES,
        department_id=department_id,
    )


def require_manager(user: object, department_id: int) -> None:
    if not can_manage(user, department_id):
        raise PermissionDenied(_("仅发起部门的审核人员或负责人可以操作"))


# ------------------------------------------------------------------ solicitations


def solicitation_status(item: Solicitation) -> str:
    """Derived from the dates, so nothing has to flip a flag at midnight."""
    if item.feedback_published_at is not None:
        return "feedback"
    now = today()
    if now < item.starts_on:
        return "draft"
    return "open" if now <= item.ends_on else "closed"


def solicitation_public_page(*, cursor: str | None, size: int = 20) -> Page[Solicitation]:
    """Solicitations the public may see: those whose period has started."""
    qs = Solicitation.objects.filter(starts_on__lte=today()).select_related("department__division")
    return keyset_page(qs, order=("-starts_on", "-id"), cursor=cursor, size=size)


def solicitation_get(solicitation_id: int, *, user: object = None) -> Solicitation:
    """A solicitation; one not yet open exists only for its department."""
    found = (
        Solicitation.objects.select_related("department__division")
        .filter(pk=solicitation_id)
        .first()
    )
    if found is None or (
        solicitation_status(found) == "draft" and not can_manage(user, found.department_id)
    ):
        raise NotFound(_("征求意见不存在"))
    return found


def solicitation_managed_page(
    user: object, *, cursor: str | None, size: int = 20
) -> Page[Solicitation]:
    department_ids = _managed_departments(user)
    qs = Solicitation.objects.filter(department_id__in=department_ids).select_related(
        "department__division"
    )
    return keyset_page(qs, order=("-starts_on", "-id"), cursor=cursor, size=size)


def _managed_departments(user: object) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.department_id for g in staff_roles(user) if g.role in MANAGER_ROLES]  # type: ignore[arg-type]


def pseudonym(comment: Comment) -> str:
    """A stable masked name per author and draft (网友 + short keyed hash): readers can
    tell comments of one author apart without learning who it is."""
    digest = lookup_hash(f"participation:{comment.solicitation_id}:{comment.author_id}")
    return _("网友%(tag)s") % {"tag": digest[:6].upper()}


def comments_public_page(
    solicitation: Solicitation, *, cursor: str | None, size: int = 50
) -> Page[Comment]:
    qs = Comment.objects.filter(solicitation=solicitation, status=CommentStatus.APPROVED)
    return keyset_page(qs, order=("created_at", "id"), cursor=cursor, size=size)


def comments_for_staff(
    user: object, solicitation: Solicitation, *, status: str = "", cursor: str | None = None
) -> Page[Comment]:
    require_manager(user, solicitation.department_id)
    qs = Comment.objects.filter(solicitation=solicitation)
    if status in CommentStatus.values:
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("created_at", "id"), cursor=cursor, size=100)


def feedback_counts(solicitation: Solicitation) -> dict[str, int]:
    """Counts of the feedback summary: every comment received (rejected ones included,
    as the law asks for what was received) and the adoption decisions."""
    rows = (
        Comment.objects.filter(solicitation=solicitation).values("adoption").annotate(n=Count("id"))
    )
    by = {r["adoption"]: r["n"] for r in rows}
    return {
        "received": sum(by.values()),
        "adopted": by.get(Adoption.ADOPTED, 0),
        "partly": by.get(Adoption.PARTLY, 0),
        "not_adopted": by.get(Adoption.NOT_ADOPTED, 0),
    }


# ------------------------------------------------------------------ surveys


def survey_status(survey: Survey) -> str:
    now = today()
    if survey.closed_at is not None or now > survey.ends_on:
        return "closed"
    return "draft" if now < survey.starts_on else "open"


def survey_public_page(*, cursor: str | None, size: int = 20) -> Page[Survey]:
    qs = Survey.objects.filter(starts_on__lte=today()).select_related("department__division")
    return keyset_page(qs, order=("-starts_on", "-id"), cursor=cursor, size=size)


def survey_get(survey_id: int, *, user: object = None) -> Survey:
    found = Survey.objects.select_related("department__division").filter(pk=survey_id).first()
    if found is None or (
        survey_status(found) == "draft" and not can_manage(user, found.department_id)
    ):
        raise NotFound(_("调查不存在"))
    return found


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("choices"))


def survey_has_responses(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exists()


def response_exists(survey: Survey, respondent_key: str) -> bool:
    return Response.objects.filter(survey=survey, respondent_key=respondent_key).exists()


@dataclass
class ChoiceRow:
    label: str
    count: int
    percent: str


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[ChoiceRow] = field(default_factory=list)
    mean: str | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    show_texts: bool


def results_visible(user: object, survey: Survey) -> bool:
    return survey_status(survey) == "closed" or can_manage(user, survey.department_id)


def survey_results(user: object, survey: Survey) -> SurveyResults:
    """Aggregates per question; text answers only for the department, as they may hold
    personal data. Before the survey closes only the department sees anything."""
    if not results_visible(user, survey):
        raise PermissionDenied(_("调查结束后公布结果"))
    staff = can_manage(user, survey.department_id)
    total = Response.objects.filter(survey=survey).count()
    results = [_question_result(q, staff) for q in survey_questions(survey)]
    return SurveyResults(survey, total, results, staff)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _counts(answers: QuerySet[Answer], column: str) -> dict[int, int]:
    """Answers per choice id or scale value, counted in the database."""
    rows = answers.values_list(column).annotate(n=Count("id")).values_list(column, "n")
    return {key: n for key, n in rows if key is not None}


def _question_result(question: Question, with_texts: bool) -> QuestionResult:
    answers = Answer.objects.filter(question=question)
    answered = answers.values("response_id").distinct().count()
    result = QuestionResult(question, answered)
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        counts = _counts(answers, "choice_id")
        result.rows = [
            ChoiceRow(c.label, counts.get(c.pk, 0), _percent(counts.get(c.pk, 0), answered))
            for c in question.choices.all()
        ]
    elif question.kind == QuestionKind.SCALE:
        counts = _counts(answers, "number")
        result.rows = [
            ChoiceRow(str(v), counts.get(v, 0), _percent(counts.get(v, 0), answered))
            for v in range(1, (question.scale_max or 5) + 1)
        ]
        total = sum(v * n for v, n in counts.items())
        result.mean = f"{total / answered:.2f}" if answered else None
    elif with_texts:
        result.texts = [a.text for a in answers.order_by("id")[:1000] if a.text]
    return result


def _require_staff_export(user: object, survey: Survey) -> None:
    require_manager(user, survey.department_id)


def responses_csv(user: object, survey: Survey) -> str:
    """Every response, one row each, text answers included (department only)."""
    _require_staff_export(user, survey)
    questions = survey_questions(survey)
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([_("答卷编号"), _("提交时间"), *[f"Q{q.position} {q.text}" for q in questions]])
    responses: QuerySet[Response] = Response.objects.filter(survey=survey).prefetch_related(
        "answers__choice"
    )
    for response in responses.iterator(chunk_size=500):
        by_question: dict[int, list[str]] = {}
        for a in response.answers.all():
            value = a.choice.label if a.choice else (str(a.number) if a.number else a.text or "")
            by_question.setdefault(a.question_id, []).append(value)
        writer.writerow(
            [
                response.pk,
                timezone.localtime(response.created_at).isoformat(timespec="seconds"),
                *["；".join(by_question.get(q.pk, [])) for q in questions],
            ]
        )
    return out.getvalue()


def aggregates_csv(user: object, survey: Survey) -> str:
    """The aggregate table of every choice and scale question (department only)."""
    _require_staff_export(user, survey)
    results = survey_results(user, survey)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("题号"), _("题目"), _("选项"), _("人数"), _("比例")])
    for item in results.questions:
        for row in item.rows:
            writer.writerow(
                [item.question.position, item.question.text, row.label, row.count, row.percent]
            )
        if item.mean is not None:
            writer.writerow(
                [item.question.position, item.question.text, _("平均分"), item.mean, ""]
            )
    return out.getvalue()


def survey_managed(user: object, *, limit: int = 100) -> list[Survey]:
    """The department's surveys, newest first (bounded)."""
    qs = Survey.objects.filter(department_id__in=_managed_departments(user))
    return list(qs.select_related("department__division").order_by("-starts_on", "-id")[:limit])


def solicitation_find(*, department_id: int, title: str) -> Solicitation | None:
    """The department's solicitation of that title, if any (for idempotent loaders)."""
    return Solicitation.objects.filter(department_id=department_id, title=title).first()


def survey_find(*, department_id: int, title: str) -> Survey | None:
    return Survey.objects.filter(department_id=department_id, title=title).first()


def managed_department_choices(user: object) -> list[tuple[int, str]]:
    """The departments whose surveys and drafts ``user`` runs, for a form's select."""
    if not getattr(user, "is_authenticated", False):
        return []
    grants = [g for g in staff_roles(user) if g.role in MANAGER_ROLES]  # type: ignore[arg-type]
    names = {g.department_id: f"{g.department.division.name}{g.department.name}" for g in grants}
    return sorted(names.items())
