"""Participation pages: the public list, a draft with its comments and the comment form,
a survey form and its results; the department's moderation and exports in the workbench.
Every page works without JavaScript."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.core.charts import bar_chart
from tongban.core.context import client_address
from tongban.core.decorators import staff_only
from tongban.core.errors import (
    Conflict,
    DomainError,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from tongban.participation import selectors, services
from tongban.participation.models import Adoption, QuestionKind

View = Callable[..., HttpResponse]
COOKIE = "tb_survey"
COOKIE_SALT = "participation.respondent"
COOKIE_AGE = 400 * 24 * 3600


# ------------------------------------------------------------------ public


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    page = selectors.solicitation_public_page(cursor=request.GET.get("cursor"))
    surveys = selectors.survey_public_page(cursor=None, size=20)
    return render(
        request,
        "participation/index.html",
        {
            "page": page,
            "items": [(x, selectors.solicitation_status(x)) for x in page.items],
            "surveys": [(s, selectors.survey_status(s)) for s in surveys.items],
            "labels": selectors.STATUS_LABELS,
            "survey_labels": selectors.SURVEY_STATUS_LABELS,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def solicitation_detail(request: HttpRequest, solicitation_id: int) -> HttpResponse:
    item = selectors.solicitation_get(solicitation_id, user=request.user)
    errors: dict[str, str] = {}
    data = {"body": "", "section": ""}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        data = {k: request.POST.get(k, "") for k in data}
        try:
            services.comment_submit(actor=request.user, solicitation_id=item.pk, **data)
        except ValidationFailed as exc:
            errors[exc.field or "body"] = exc.message
        except (Conflict, RateLimited) as exc:
            errors["body"] = exc.message
        else:
            messages.success(request, _("意见已提交，审核通过后将以化名公开。"))
            return redirect("participation:detail", solicitation_id=item.pk)
    comments = selectors.comments_public_page(item, cursor=request.GET.get("cursor"))
    status = selectors.solicitation_status(item)
    return render(
        request,
        "participation/detail.html",
        {
            "item": item,
            "status": status,
            "status_label": selectors.STATUS_LABELS[status],
            "comments": [(c, selectors.pseudonym(c)) for c in comments.items],
            "next_cursor": comments.next_cursor,
            "counts": selectors.feedback_counts(item) if status == "feedback" else None,
            "errors": errors,
            "data": data,
            "may_comment": getattr(request.user, "kind", "") in ("citizen", "enterprise"),
        },
        status=422 if errors else 200,
    )


def _respondent(request: HttpRequest) -> tuple[services.Respondent, str | None]:
    """The respondent and, for a new browser, the token to store in its signed cookie."""
    token = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    new = None
    if not token:
        token = new = secrets.token_urlsafe(18)
    client = f"{client_address(request)}|{request.headers.get('User-Agent', '')[:200]}"
    return services.Respondent(request.user, token, client), new


def _form_answers(request: HttpRequest, questions: list[Any]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for q in questions:
        name = f"q{q.pk}"
        answers[q.pk] = (
            request.POST.getlist(name)
            if q.kind == QuestionKind.MULTIPLE
            else request.POST.get(name, "")
        )
    return answers


@require_http_methods(["GET", "HEAD", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(survey_id, user=request.user)
    questions = selectors.survey_questions(survey)
    respondent, new_token = _respondent(request)
    errors: dict[str, str] = {}
    answers: dict[int, Any] = {}
    if request.method == "POST":
        answers = _form_answers(request, questions)
        try:
            services.response_submit(survey_id=survey.pk, respondent=respondent, answers=answers)
        except ValidationFailed as exc:
            errors[exc.field or "form"] = exc.message
        except DomainError as exc:
            errors["form"] = exc.message
        else:
            messages.success(request, _("感谢您参与本次调查。"))
            done = redirect("participation:survey", survey_id=survey.pk)
            _set_cookie(done, new_token)
            return done
    answered = selectors.response_exists(survey, services.respondent_key(survey, respondent))
    response = render(
        request,
        "participation/survey.html",
        {
            "survey": survey,
            "status": selectors.survey_status(survey),
            "status_label": selectors.SURVEY_STATUS_LABELS[selectors.survey_status(survey)],
            "questions": [
                (q, errors.get(f"q{q.pk}"), _chosen(answers.get(q.pk))) for q in questions
            ],
            "errors": errors,
            "answered": answered,
            "results_visible": selectors.results_visible(request.user, survey),
        },
        status=422 if errors else 200,
    )
    _set_cookie(response, new_token)
    return response


def _chosen(value: Any) -> list[str]:
    """What the person entered, kept when the form comes back with an error."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _set_cookie(response: HttpResponse, token: str | None) -> None:
    if token:
        response.set_signed_cookie(
            COOKIE, token, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True, samesite="Lax"
        )


@require_safe
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(survey_id, user=request.user)
    results = selectors.survey_results(request.user, survey)
    charts = [
        bar_chart(
            [(row.label, (row.count,)) for row in item.rows],
            title=item.question.text,
            chart_id=f"chart-{item.question.pk}",
        )
        for item in results.questions
    ]
    return render(
        request,
        "participation/results.html",
        {
            "results": results,
            "items": list(zip(results.questions, charts, strict=True)),
            "staff": selectors.can_manage(request.user, survey.department_id),
        },
    )


# ------------------------------------------------------------------ workbench


@staff_only
@require_safe
def workbench(request: HttpRequest) -> HttpResponse:
    page = selectors.solicitation_managed_page(request.user, cursor=request.GET.get("cursor"))
    return render(
        request,
        "participation/workbench/index.html",
        {
            "items": [(x, selectors.solicitation_status(x)) for x in page.items],
            "page": page,
            "labels": selectors.STATUS_LABELS,
            "surveys": [
                (s, selectors.survey_status(s)) for s in selectors.survey_managed(request.user)
            ],
            "survey_labels": selectors.SURVEY_STATUS_LABELS,
        },
    )


@staff_only
@require_safe
def moderation(request: HttpRequest, solicitation_id: int) -> HttpResponse:
    item = selectors.solicitation_get(solicitation_id, user=request.user)
    status_filter = request.GET.get("status", "")[:10]
    page = selectors.comments_for_staff(
        request.user, item, status=status_filter, cursor=request.GET.get("cursor")
    )
    status = selectors.solicitation_status(item)
    return render(
        request,
        "participation/workbench/moderation.html",
        {
            "item": item,
            "status": status,
            "status_label": selectors.STATUS_LABELS[status],
            "comments": [(c, selectors.pseudonym(c)) for c in page.items],
            "next_cursor": page.next_cursor,
            "adoptions": Adoption.choices,
        },
    )


@staff_only
@require_POST
def moderate(request: HttpRequest, solicitation_id: int, comment_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        comment = services.comment_moderate(
            actor=request.user,
            comment_id=comment_id,
            approve=approve,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已公开") if approve else _("已标记为不予公开"))
        solicitation_id = comment.solicitation_id
    return redirect("workbench_participation:moderation", solicitation_id=solicitation_id)


@staff_only
@require_safe
def responses_csv(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(survey_id, user=request.user)
    return _csv(selectors.responses_csv(request.user, survey), f"survey-{survey.pk}-responses.csv")


@staff_only
@require_safe
def aggregates_csv(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(survey_id, user=request.user)
    return _csv(
        selectors.aggregates_csv(request.user, survey), f"survey-{survey.pk}-aggregates.csv"
    )


def _csv(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


QUESTION_SLOTS = 10


def _question_from_form(post: Any, slot: int) -> dict[str, Any] | None:
    """One question slot of the builder form; a slot left without a type is unused."""
    kind = post.get(f"q{slot}-kind", "")
    if not kind:
        return None
    spec: dict[str, Any] = {
        "kind": kind,
        "text": post.get(f"q{slot}-text", ""),
        "required": post.get(f"q{slot}-required") == "on",
        "choices": [x.strip() for x in post.get(f"q{slot}-choices", "").splitlines() if x.strip()],
        "scale_max": _int_or_none(post.get(f"q{slot}-scale")) or 5,
        "scale_low_label": post.get(f"q{slot}-low", ""),
        "scale_high_label": post.get(f"q{slot}-high", ""),
        "min_choices": _int_or_none(post.get(f"q{slot}-min")),
        "max_choices": _int_or_none(post.get(f"q{slot}-max")),
        "max_length": _int_or_none(post.get(f"q{slot}-maxlen")) or 500,
    }
    return spec


SLOT_KEYS = ("kind", "text", "required", "choices", "min", "max", "scale", "low", "high")


def _slot_values(post: Any, slot: int) -> dict[str, str]:
    """What was typed into a question slot, so a form sent back with an error keeps it."""
    if post is None:
        return {"required": "on"}
    return {key: post.get(f"q{slot}-{key}", "") for key in SLOT_KEYS}


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _builder_error(exc: ValidationFailed, slots: list[int]) -> tuple[str, str]:
    """Where to show an error: a service names ``questions.N`` by position among the
    questions given, the form by slot number."""
    field = exc.field or "form"
    if field.startswith("questions."):
        index = int(field.split(".")[1])
        return f"q{slots[index]}", exc.message
    return field, exc.message


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    departments = selectors.managed_department_choices(request.user)
    if not departments:
        raise PermissionDenied(_("仅部门审核人员或负责人可以创建调查"))
    errors: dict[str, str] = {}
    post = request.POST if request.method == "POST" else None
    if post is not None:
        filled = [(slot, _question_from_form(post, slot)) for slot in range(1, QUESTION_SLOTS + 1)]
        slots = [slot for slot, spec in filled if spec is not None]
        try:
            survey = services.survey_create(
                actor=request.user,
                department_id=_int_or_none(post.get("department_id")) or 0,
                title=post.get("title", ""),
                description=post.get("description", ""),
                starts_on=parse_date(post.get("starts_on", "") or "") or None,
                ends_on=parse_date(post.get("ends_on", "") or "") or None,
                anonymous=post.get("anonymous") == "on",
                questions=[spec for _slot, spec in filled if spec is not None],
            )
        except ValidationFailed as exc:
            key, message = _builder_error(exc, slots)
            errors[key] = message
        except ValueError:
            errors["starts_on"] = _("日期格式应为 YYYY-MM-DD")
        else:
            messages.success(request, _("调查已创建。"))
            return redirect("participation:survey", survey_id=survey.pk)
    return render(
        request,
        "participation/workbench/survey_new.html",
        {
            "departments": departments,
            "data": post or {},
            "errors": errors,
            "slots": [
                (n, errors.get(f"q{n}"), _slot_values(post, n))
                for n in range(1, QUESTION_SLOTS + 1)
            ],
            "kinds": QuestionKind.choices,
        },
        status=422 if errors else 200,
    )


@staff_only
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    try:
        services.survey_close(actor=request.user, survey_id=survey_id)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("调查已结束，结果已公开。"))
    return redirect("workbench_participation:list")


@staff_only
@require_POST
def feedback(request: HttpRequest, solicitation_id: int) -> HttpResponse:
    """The feedback form on the moderation page: one adoption decision per public comment."""
    item = selectors.solicitation_get(solicitation_id, user=request.user)
    comments = selectors.comments_for_staff(request.user, item, status="approved").items
    decisions = [
        services.Decision(
            c.pk,
            request.POST.get(f"adoption-{c.pk}", ""),
            request.POST.get(f"reason-{c.pk}", ""),
        )
        for c in comments
        if request.POST.get(f"adoption-{c.pk}")
    ]
    try:
        services.feedback_publish(
            actor=request.user,
            solicitation_id=item.pk,
            summary=request.POST.get("summary", ""),
            decisions=decisions,
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("意见采纳情况已公布。"))
    return redirect("workbench_participation:moderation", solicitation_id=item.pk)


SOLICITATION_FIELDS = ("title", "summary", "body", "starts_on", "ends_on", "contact_phone")


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def solicitation_new(request: HttpRequest) -> HttpResponse:
    departments = selectors.managed_department_choices(request.user)
    if not departments:
        raise PermissionDenied(_("仅部门审核人员或负责人可以发布征求意见稿"))
    errors: dict[str, str] = {}
    data = {name: request.POST.get(name, "") for name in ("department_id", *SOLICITATION_FIELDS)}
    if request.method == "POST":
        try:
            item = services.solicitation_create(
                actor=request.user,
                department_id=_int_or_none(data["department_id"]) or 0,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                starts_on=parse_date(data["starts_on"]) or None,
                ends_on=parse_date(data["ends_on"]) or None,
                contact_phone=data["contact_phone"],
                attachment=request.FILES.get("attachment"),
            )
        except ValidationFailed as exc:
            errors[exc.field or "form"] = exc.message
        except ValueError:
            errors["starts_on"] = _("日期格式应为 YYYY-MM-DD")
        else:
            messages.success(request, _("征求意见稿已发布。"))
            return redirect("workbench_participation:moderation", solicitation_id=item.pk)
    return render(
        request,
        "participation/workbench/solicitation_new.html",
        {"departments": departments, "data": data, "errors": errors},
        status=422 if errors else 200,
    )
