"""Appeals (诉求) over HTTP: submission, the submitter's own appeals, the staff boxes,
the supervisor's overdue list, and one endpoint per handling step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.throttling import BaseThrottle

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.errors import NotAuthenticated, ValidationFailed
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle
from tongban.interaction import selectors, services
from tongban.interaction.models import Appeal

router = Router(tags=["政民互动"], auth=API_AUTH)
THROTTLE_PURPOSE = "appeal_public"


def _anonymous(request: HttpRequest) -> str:
    """Lets an unsigned request through; the service decides what a visitor may do."""
    return "anonymous"


OPTIONAL_AUTH = [*API_AUTH, _anonymous]


class VisitorRateThrottle(ClientRateThrottle):
    """Counts the visitors let through by ``_anonymous`` (whose auth is a string), which
    ninja's anonymous throttle would take for signed-in users."""

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if not isinstance(getattr(request, "auth", None), str):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _public_throttle() -> BaseThrottle:
    """Anonymous submissions and code look-ups share one per-address rate."""
    return VisitorRateThrottle(THROTTLE_PURPOSE, settings.TONGBAN_RATE_STATUS)


class AppealIn(Schema):
    appeal_type: str
    title: str
    content: str
    division_code: str
    location: str = ""
    contact_phone: str = ""
    allow_publication: bool = True


class SubmittedOut(Schema):
    number: str
    status: str
    query_code: str | None


class AppealSummaryOut(Schema):
    number: str
    appeal_type: str
    type_label: str
    title: str
    division_code: str
    status: str
    status_label: str
    department: str | None
    submitted_at: datetime
    sign_deadline: date | None
    reply_deadline: date | None
    sign_overdue: bool
    reply_overdue: bool


class StepOut(Schema):
    at: datetime
    action: str
    action_label: str
    department: str | None


class AppealOut(AppealSummaryOut):
    content: str
    location: str
    reply: str
    satisfaction: str
    proposed_source: str
    proposed_department_code: str
    proposed_confidence: float
    published: bool
    steps: list[StepOut]


class AppealPageOut(Schema):
    items: list[AppealSummaryOut]
    next: str | None


class DispatchIn(Schema):
    department_ids: list[int]
    lead_id: int | None = None


class ReasonIn(Schema):
    reason: str


class TransferIn(Schema):
    department_id: int
    reason: str


class ExtendIn(Schema):
    days: int
    reason: str


class DecideIn(Schema):
    approve: bool


class ReplyIn(Schema):
    reply: str


class OpinionIn(Schema):
    department_id: int
    opinion: str


class FollowUpIn(Schema):
    satisfaction: str
    comment: str = ""
    code: str = ""


def _department(appeal: Appeal) -> str | None:
    department = appeal.department
    return None if department is None else department.name


def _summary(appeal: Appeal) -> dict[str, Any]:
    return {
        "number": appeal.number,
        "appeal_type": appeal.appeal_type,
        "type_label": appeal.get_appeal_type_display(),
        "title": appeal.title,
        "division_code": appeal.division_id,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "department": _department(appeal),
        "submitted_at": appeal.submitted_at,
        "sign_deadline": appeal.sign_deadline,
        "reply_deadline": appeal.reply_deadline,
        "sign_overdue": appeal.sign_overdue,
        "reply_overdue": appeal.reply_overdue,
    }


def _detail(appeal: Appeal) -> AppealOut:
    steps = [
        StepOut(
            at=s.at,
            action=s.action,
            action_label=str(selectors.ACTION_LABELS.get(s.action, s.action)),
            department=s.department.name if s.department else None,
        )
        for s in selectors.appeal_steps(appeal)
    ]
    return AppealOut(
        **_summary(appeal),
        content=appeal.content,
        location=appeal.location,
        reply=appeal.reply,
        satisfaction=appeal.satisfaction,
        proposed_source=appeal.proposed_source,
        proposed_department_code=appeal.proposed_department_code,
        proposed_confidence=appeal.proposed_confidence,
        published=appeal.published,
        steps=steps,
    )


def _page(request: HttpRequest, page: Any) -> AppealPageOut:
    return AppealPageOut(
        items=[AppealSummaryOut(**_summary(a)) for a in page.items],
        next=next_url(request, page.next_cursor),
    )


def _user_or_none(request: HttpRequest) -> Any:
    auth = request.auth  # type: ignore[attr-defined]
    return None if isinstance(auth, str) else auth


@router.post(
    "/appeals",
    response={201: SubmittedOut, **errors(403, 409, 422, 429)},
    auth=OPTIONAL_AUTH,
    throttle=_public_throttle(),
    summary="提交诉求（咨询、投诉、建议、求助、举报）；匿名只能提交建议和举报，返回诉求编号与查询码",
)
def appeal_submit(request: HttpRequest, body: AppealIn) -> Any:
    submitted = services.appeal_submit(user=_user_or_none(request), **body.dict())
    return Status(
        201,
        SubmittedOut(
            number=submitted.appeal.number,
            status=submitted.appeal.status,
            query_code=submitted.query_code or None,
        ),
    )


@router.get(
    "/appeals",
    response={200: AppealPageOut, **errors(401, 422)},
    summary="我的诉求（提交人本人）",
)
def appeals_mine(request: HttpRequest, cursor: str | None = None, size: int = 20) -> AppealPageOut:
    return _page(request, selectors.mine_page(caller(request), cursor=cursor, size=size))


@router.get(
    "/appeals/inbox",
    response={200: AppealPageOut, **errors(401, 422)},
    summary="工作人员诉求箱：box=sign 待签收，handle 办理中，dispatch 派单员待派单与退单",
)
def appeals_inbox(
    request: HttpRequest, box: str = "sign", cursor: str | None = None, size: int = 20
) -> AppealPageOut:
    if box not in ("sign", "handle", "dispatch"):
        raise ValidationFailed("诉求箱只能是 sign、handle 或 dispatch", field="box")
    page = selectors.inbox_page(caller(request), box=box, cursor=cursor, size=size)
    return _page(request, page)


@router.get(
    "/appeals/overdue",
    response={200: AppealPageOut, **errors(401, 403, 422)},
    summary="超期未签收、未答复的诉求（监察人员，本区划及下级）",
)
def appeals_overdue(
    request: HttpRequest, cursor: str | None = None, size: int = 50
) -> AppealPageOut:
    return _page(request, selectors.overdue_page(caller(request), cursor=cursor, size=size))


@router.get(
    "/appeals/{number}",
    response={200: AppealOut, **errors(401, 403, 404, 429)},
    auth=OPTIONAL_AUTH,
    throttle=_public_throttle(),
    summary="诉求详情（提交人本人；匿名诉求凭 ?code= 查询码）",
)
def appeal_detail(request: HttpRequest, number: str, code: str = "") -> AppealOut:
    user = _user_or_none(request)
    if user is None and not code:
        raise NotAuthenticated("请先登录，或提供查询码")
    return _detail(selectors.appeal_for_submitter(user=user, number=number, code=code))


@router.get(
    "/appeals/{number}/staff",
    response={200: AppealOut, **errors(401, 403, 404)},
    summary="诉求详情（派单员、承办部门、监察人员）",
)
def appeal_staff_detail(request: HttpRequest, number: str) -> AppealOut:
    return _detail(selectors.appeal_for_staff(user=caller(request), number=number))


STEP_ERRORS = errors(401, 403, 404, 409, 422)


@router.post(
    "/appeals/{number}/dispatch",
    response={200: AppealOut, **STEP_ERRORS},
    summary="派单（可多部门联合办理，指定主办）",
)
def appeal_dispatch(request: HttpRequest, number: str, body: DispatchIn) -> AppealOut:
    return _detail(
        services.appeal_dispatch(
            actor=caller(request),
            number=number,
            department_ids=body.department_ids,
            lead_id=body.lead_id,
        )
    )


@router.post(
    "/appeals/{number}/sign", response={200: AppealOut, **STEP_ERRORS}, summary="签收（主办部门）"
)
def appeal_sign(request: HttpRequest, number: str) -> AppealOut:
    return _detail(services.appeal_sign(actor=caller(request), number=number))


@router.post(
    "/appeals/{number}/return",
    response={200: AppealOut, **STEP_ERRORS},
    summary="退单（签收前，须写明理由）",
)
def appeal_return(request: HttpRequest, number: str, body: ReasonIn) -> AppealOut:
    return _detail(services.appeal_return(actor=caller(request), number=number, reason=body.reason))


@router.post(
    "/appeals/{number}/transfer", response={200: AppealOut, **STEP_ERRORS}, summary="转办（派单员）"
)
def appeal_transfer(request: HttpRequest, number: str, body: TransferIn) -> AppealOut:
    return _detail(
        services.appeal_transfer(
            actor=caller(request),
            number=number,
            department_id=body.department_id,
            reason=body.reason,
        )
    )


@router.post(
    "/appeals/{number}/extension",
    response={200: AppealOut, **STEP_ERRORS},
    summary="申请延期（主办部门）",
)
def appeal_extend(request: HttpRequest, number: str, body: ExtendIn) -> AppealOut:
    return _detail(
        services.appeal_extension_request(
            actor=caller(request), number=number, days=body.days, reason=body.reason
        )
    )


@router.post(
    "/appeals/{number}/extension/decision",
    response={200: AppealOut, **STEP_ERRORS},
    summary="审批延期申请（派单员）",
)
def appeal_extend_decide(request: HttpRequest, number: str, body: DecideIn) -> AppealOut:
    return _detail(
        services.appeal_extension_decide(actor=caller(request), number=number, approve=body.approve)
    )


@router.post(
    "/appeals/{number}/opinion",
    response={200: AppealOut, **STEP_ERRORS},
    summary="提交协办意见（协办部门）",
)
def appeal_opinion(request: HttpRequest, number: str, body: OpinionIn) -> AppealOut:
    return _detail(
        services.appeal_opinion(
            actor=caller(request),
            number=number,
            department_id=body.department_id,
            opinion=body.opinion,
        )
    )


@router.post(
    "/appeals/{number}/reply",
    response={200: AppealOut, **STEP_ERRORS},
    summary="答复（主办部门；联合办理须协办意见齐全）",
)
def appeal_reply(request: HttpRequest, number: str, body: ReplyIn) -> AppealOut:
    return _detail(services.appeal_reply(actor=caller(request), number=number, reply=body.reply))


@router.post(
    "/appeals/{number}/follow-up",
    response={200: AppealOut, **STEP_ERRORS},
    auth=OPTIONAL_AUTH,
    throttle=_public_throttle(),
    summary="回访评价（诉求人或派单员；匿名凭查询码）；首次不满意退回重办",
)
def appeal_follow_up(request: HttpRequest, number: str, body: FollowUpIn) -> AppealOut:
    user = _user_or_none(request)
    if user is None and not body.code:
        raise NotAuthenticated("请先登录，或提供查询码")
    return _detail(
        services.appeal_follow_up(
            actor=user,
            number=number,
            satisfaction=body.satisfaction,
            comment=body.comment,
            code=body.code,
        )
    )


@router.post(
    "/appeals/{number}/publish",
    response={200: AppealOut, **STEP_ERRORS},
    summary="公开到公开信箱（承办部门或派单员）",
)
def appeal_publish(request: HttpRequest, number: str) -> AppealOut:
    return _detail(services.appeal_publish(actor=caller(request), number=number))
