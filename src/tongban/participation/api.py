"""/api/v1 endpoints of participation: solicitations, comments and their moderation,
feedback summaries; surveys, responses, results and CSV exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.context import client_address
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle
from tongban.participation import selectors, services
from tongban.participation.models import Comment, Solicitation, Survey

router = Router(tags=["征求意见与民意调查"], auth=API_AUTH)


class SolicitationOut(Schema):
    id: int
    title: str
    summary: str
    department: str
    division: str
    starts_on: date
    ends_on: date
    contact_phone: str
    status: str
    status_label: str


class SolicitationDetailOut(SolicitationOut):
    body: str
    feedback: dict[str, Any] | None


class SolicitationPageOut(Schema):
    items: list[SolicitationOut]
    next: str | None


class SolicitationIn(Schema):
    department_id: int
    title: str
    summary: str
    body: str
    starts_on: date
    ends_on: date
    contact_phone: str


class CommentIn(Schema):
    body: str
    section: str = ""


class CommentOut(Schema):
    id: int
    author: str
    section: str
    body: str
    created_at: str
    status: str
    adoption: str
    adoption_reason: str


class CommentPageOut(Schema):
    items: list[CommentOut]
    next: str | None


class ModerateIn(Schema):
    approve: bool
    reason: str = ""


class AdoptionDecisionIn(Schema):
    comment_id: int
    adoption: str
    reason: str


class FeedbackIn(Schema):
    summary: str
    decisions: list[AdoptionDecisionIn]


class SurveyIn(Schema):
    department_id: int
    title: str
    description: str = ""
    starts_on: date
    ends_on: date
    anonymous: bool = True
    questions: list[dict[str, Any]]


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    department: str
    starts_on: date
    ends_on: date
    anonymous: bool
    status: str
    questions: list[dict[str, Any]]


class SurveyPageOut(Schema):
    items: list[SurveyOut]
    next: str | None


class ResponseIn(Schema):
    answers: dict[int, Any]


class ResponseOut(Schema):
    id: int


def _solicitation(item: Solicitation) -> dict[str, Any]:
    status = selectors.solicitation_status(item)
    return {
        "id": item.pk,
        "title": item.title,
        "summary": item.summary,
        "department": item.department.name,
        "division": item.department.division.name,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "contact_phone": item.contact_phone,
        "status": status,
        "status_label": str(selectors.STATUS_LABELS[status]),
    }


def _comment(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=selectors.pseudonym(comment),
        section=comment.section,
        body=comment.body,
        created_at=comment.created_at.isoformat(),
        status=comment.status,
        adoption=comment.adoption,
        adoption_reason=comment.adoption_reason,
    )


def _survey(survey: Survey) -> SurveyOut:
    questions = [
        {
            "id": q.pk,
            "position": q.position,
            "kind": q.kind,
            "text": q.text,
            "required": q.required,
            "min_choices": q.min_choices,
            "max_choices": q.max_choices,
            "scale_max": q.scale_max,
            "scale_low_label": q.scale_low_label,
            "scale_high_label": q.scale_high_label,
            "max_length": q.max_length,
            "choices": [{"id": c.pk, "label": c.label} for c in q.choices.all()],
        }
        for q in selectors.survey_questions(survey)
    ]
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        description=survey.description,
        department=f"{survey.department.division.name}{survey.department.name}",
        starts_on=survey.starts_on,
        ends_on=survey.ends_on,
        anonymous=survey.anonymous,
        status=selectors.survey_status(survey),
        questions=questions,
    )


def _optional_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


# ------------------------------------------------------------------ solicitations


@router.get(
    "/solicitations",
    response={200: SolicitationPageOut, **errors(422)},
    auth=None,
    summary="征求意见稿列表（已开始征求意见的）",
)
def solicitation_list(
    request: HttpRequest, cursor: str | None = None, size: int = 20
) -> SolicitationPageOut:
    page = selectors.solicitation_public_page(cursor=cursor, size=size)
    return SolicitationPageOut(
        items=[SolicitationOut(**_solicitation(x)) for x in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/solicitations/{solicitation_id}",
    response={200: SolicitationDetailOut, **errors(404)},
    auth=None,
    summary="征求意见稿详情（全文、采纳情况）",
)
def solicitation_detail(request: HttpRequest, solicitation_id: int) -> SolicitationDetailOut:
    item = selectors.solicitation_get(solicitation_id, user=_optional_user(request))
    feedback = None
    if item.feedback_published_at is not None:
        feedback = {"summary": item.feedback_summary, **selectors.feedback_counts(item)}
    return SolicitationDetailOut(**_solicitation(item), body=item.body, feedback=feedback)


@router.post(
    "/solicitations",
    response={201: SolicitationDetailOut, **errors(401, 403, 404, 422)},
    summary="发布征求意见稿（部门审核人员或负责人）",
)
def solicitation_create(request: HttpRequest, body: SolicitationIn) -> Any:
    item = services.solicitation_create(actor=caller(request), **body.dict())
    return Status(201, SolicitationDetailOut(**_solicitation(item), body=item.body, feedback=None))


@router.get(
    "/solicitations/{solicitation_id}/comments",
    response={200: CommentPageOut, **errors(404, 422)},
    auth=None,
    summary="已公开的意见（以化名显示）",
)
def comment_list(
    request: HttpRequest, solicitation_id: int, cursor: str | None = None
) -> CommentPageOut:
    item = selectors.solicitation_get(solicitation_id, user=_optional_user(request))
    page = selectors.comments_public_page(item, cursor=cursor)
    return CommentPageOut(
        items=[_comment(c) for c in page.items], next=next_url(request, page.next_cursor)
    )


@router.post(
    "/solicitations/{solicitation_id}/comments",
    response={201: CommentOut, **errors(401, 403, 404, 409, 422, 429)},
    throttle=[ClientRateThrottle("participation_comment", settings.TONGBAN_RATE_STATUS)],
    summary="提交意见（登录的公众或企业；审核后公开）",
)
def comment_create(request: HttpRequest, solicitation_id: int, body: CommentIn) -> Any:
    comment = services.comment_submit(
        actor=caller(request), solicitation_id=solicitation_id, body=body.body, section=body.section
    )
    return Status(201, _comment(comment))


@router.get(
    "/solicitations/{solicitation_id}/moderation",
    response={200: CommentPageOut, **errors(401, 403, 404, 422)},
    summary="全部意见及审核状态（发起部门）",
)
def moderation_list(
    request: HttpRequest, solicitation_id: int, status: str = "", cursor: str | None = None
) -> CommentPageOut:
    user = caller(request)
    item = selectors.solicitation_get(solicitation_id, user=user)
    page = selectors.comments_for_staff(user, item, status=status, cursor=cursor)
    return CommentPageOut(
        items=[_comment(c) for c in page.items], next=next_url(request, page.next_cursor)
    )


@router.post(
    "/comments/{comment_id}/moderate",
    response={200: CommentOut, **errors(401, 403, 404, 409, 422)},
    summary="审核意见：公开或不予公开（须写理由）",
)
def comment_moderate(request: HttpRequest, comment_id: int, body: ModerateIn) -> CommentOut:
    comment = services.comment_moderate(
        actor=caller(request), comment_id=comment_id, approve=body.approve, reason=body.reason
    )
    return _comment(comment)


@router.post(
    "/solicitations/{solicitation_id}/feedback",
    response={200: SolicitationDetailOut, **errors(401, 403, 404, 409, 422)},
    summary="公布意见采纳情况（征求意见期结束后）",
)
def feedback_publish(
    request: HttpRequest, solicitation_id: int, body: FeedbackIn
) -> SolicitationDetailOut:
    item = services.feedback_publish(
        actor=caller(request),
        solicitation_id=solicitation_id,
        summary=body.summary,
        decisions=[services.Decision(d.comment_id, d.adoption, d.reason) for d in body.decisions],
    )
    feedback = {"summary": item.feedback_summary, **selectors.feedback_counts(item)}
    return SolicitationDetailOut(**_solicitation(item), body=item.body, feedback=feedback)


# ------------------------------------------------------------------ surveys


@router.get(
    "/surveys",
    response={200: SurveyPageOut, **errors(422)},
    auth=None,
    summary="民意调查列表",
)
def survey_list(request: HttpRequest, cursor: str | None = None, size: int = 20) -> SurveyPageOut:
    page = selectors.survey_public_page(cursor=cursor, size=size)
    return SurveyPageOut(
        items=[_survey(s) for s in page.items], next=next_url(request, page.next_cursor)
    )


@router.get(
    "/surveys/{survey_id}",
    response={200: SurveyOut, **errors(404)},
    auth=None,
    summary="调查题目",
)
def survey_detail(request: HttpRequest, survey_id: int) -> SurveyOut:
    return _survey(selectors.survey_get(survey_id, user=_optional_user(request)))


@router.post(
    "/surveys",
    response={201: SurveyOut, **errors(401, 403, 404, 422)},
    summary="创建民意调查（部门审核人员或负责人）",
)
def survey_create(request: HttpRequest, body: SurveyIn) -> Any:
    survey = services.survey_create(actor=caller(request), **body.dict())
    return Status(201, _survey(survey))


@router.put(
    "/surveys/{survey_id}",
    response={200: SurveyOut, **errors(401, 403, 404, 409, 422)},
    summary="修改调查（已有答卷后不能修改）",
)
def survey_update(request: HttpRequest, survey_id: int, body: SurveyIn) -> SurveyOut:
    values = body.dict()
    values.pop("department_id")
    return _survey(services.survey_update(actor=caller(request), survey_id=survey_id, **values))


@router.post(
    "/surveys/{survey_id}/close",
    response={200: SurveyOut, **errors(401, 403, 404, 409)},
    summary="提前结束调查",
)
def survey_close(request: HttpRequest, survey_id: int) -> SurveyOut:
    return _survey(services.survey_close(actor=caller(request), survey_id=survey_id))


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: ResponseOut, **errors(401, 403, 404, 409, 422, 429)},
    auth=None,
    throttle=[ClientRateThrottle("participation_response", settings.TONGBAN_RATE_STATUS)],
    summary="提交答卷（每人一次；实名调查须登录）",
)
def response_create(request: HttpRequest, survey_id: int, body: ResponseIn) -> Any:
    user = _bearer_or_session_user(request)
    respondent = services.Respondent(
        user=user,
        cookie_token=request.headers.get("X-Respondent-Token", "")[:100],
        client=f"{client_address(request)}|{request.headers.get('User-Agent', '')[:200]}",
    )
    response = services.response_submit(
        survey_id=survey_id, respondent=respondent, answers=body.answers
    )
    return Status(201, ResponseOut(id=response.pk))


def _bearer_or_session_user(request: HttpRequest) -> Any:
    """Answering is open to anonymous callers, yet a logged-in caller is identified."""
    for auth in API_AUTH:
        user = auth(request)
        if user is not None:
            return user
    return None


@router.get(
    "/surveys/{survey_id}/results",
    response={200: dict[str, Any], **errors(403, 404)},
    auth=None,
    summary="调查结果（结束后公开；填空题答案仅发起部门可见）",
)
def survey_results(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    user = _bearer_or_session_user(request)
    survey = selectors.survey_get(survey_id, user=user)
    results = selectors.survey_results(user, survey)
    return {
        "responses": results.responses,
        "questions": [
            {
                "id": r.question.pk,
                "text": r.question.text,
                "kind": r.question.kind,
                "answered": r.answered,
                "rows": [
                    {"label": x.label, "count": x.count, "percent": x.percent} for x in r.rows
                ],
                "mean": r.mean,
                "texts": r.texts,
            }
            for r in results.questions
        ],
    }


@router.get(
    "/surveys/{survey_id}/export.csv",
    response={200: None, **errors(401, 403, 404)},
    summary="导出全部答卷 CSV（发起部门）",
)
def responses_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = caller(request)
    survey = selectors.survey_get(survey_id, user=user)
    return _csv(selectors.responses_csv(user, survey), f"survey-{survey.pk}-responses.csv")


@router.get(
    "/surveys/{survey_id}/aggregates.csv",
    response={200: None, **errors(401, 403, 404)},
    summary="导出统计结果 CSV（发起部门）",
)
def aggregates_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = caller(request)
    survey = selectors.survey_get(survey_id, user=user)
    return _csv(selectors.aggregates_csv(user, survey), f"survey-{survey.pk}-aggregates.csv")


def _csv(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
