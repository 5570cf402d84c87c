"""Electronic supervision and service ratings over HTTP."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle
from tongban.supervision import selectors, services
from tongban.supervision.models import Clock, Extension, Rating, Rectification, Suspension

router = Router(tags=["电子监察"], auth=API_AUTH)


class ClockOut(Schema):
    case_id: int
    number: str
    item_code: str
    item_name: str
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    online: bool
    clock_start: date
    promised_limit: int
    statutory_limit: int
    extension_days: int
    suspended_days: int
    suspended: bool
    deadline: date
    statutory_deadline: date
    level: str
    level_label: str
    level_changed_at: datetime | None


class ClockPageOut(Schema):
    items: list[ClockOut]
    next: str | None


def clock_out(clock: Clock) -> ClockOut:
    return ClockOut(
        case_id=clock.case_id,
        number=clock.number,
        item_code=clock.item_code,
        item_name=clock.item_name,
        division_code=clock.division_code,
        division_name=clock.division_name,
        department_code=clock.department_code,
        department_name=clock.department_name,
        online=clock.online,
        clock_start=clock.clock_start,
        promised_limit=clock.promised_limit,
        statutory_limit=clock.statutory_limit,
        extension_days=clock.extension_days,
        suspended_days=clock.suspended_days,
        suspended=clock.suspended,
        deadline=clock.deadline,
        statutory_deadline=clock.statutory_deadline,
        level=clock.level,
        level_label=str(clock.get_level_display()),
        level_changed_at=clock.level_changed_at,
    )


@router.get(
    "/supervision/overdue",
    response={200: ClockPageOut, **errors(401, 403, 422)},
    summary="预警与超期办件（level=warning 黄灯 / overdue 红灯，缺省两者）",
)
def overdue_list(
    request: HttpRequest,
    level: str = "",
    department: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> ClockPageOut:
    page = selectors.overdue_list(
        user=caller(request), level=level, department=department, cursor=cursor, size=size
    )
    return ClockPageOut(
        items=[clock_out(c) for c in page.items], next=next_url(request, page.next_cursor)
    )


class StatsRowOut(Schema):
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    accepted: int
    completed: int
    online_rate: float | None
    on_time_rate: float | None
    avg_used_days: float | None
    avg_promised_limit: float | None
    overdue: int


class StatsOut(Schema):
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    divisions: list[StatsRowOut]
    departments: list[StatsRowOut]


class StatsQuery(Schema):
    division: str = ""
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")


def stats_row_out(row: selectors.StatsRow) -> StatsRowOut:
    return StatsRowOut(
        division_code=row.division_code,
        division_name=row.division_name,
        department_code=row.department_code,
        department_name=row.department_name,
        accepted=row.accepted,
        completed=row.completed,
        online_rate=row.online_rate,
        on_time_rate=row.on_time_rate,
        avg_used_days=row.avg_used_days,
        avg_promised_limit=row.avg_promised_limit,
        overdue=row.overdue,
    )


@router.get(
    "/supervision/stats",
    response={200: StatsOut, **errors(401, 403, 404, 422)},
    by_alias=True,
    summary="办件统计：受理、办结、网上办理率、按时办结率、平均用时、超期数",
)
def stats(request: HttpRequest, query: Query[StatsQuery]) -> StatsOut:
    result = selectors.supervision_stats(
        user=caller(request),
        division=query.division,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    return StatsOut(
        **{"from": result.date_from, "to": result.date_to},
        divisions=[stats_row_out(r) for r in result.divisions],
        departments=[stats_row_out(r) for r in result.departments],
    )


class MaterialStatsOut(Schema):
    uploaded: int
    reused: int
    fetched: int
    fetch_failed: int
    fetched_share: float | None


@router.get(
    "/supervision/materials",
    response={200: MaterialStatsOut, **errors(401, 403, 404)},
    summary="申请材料来源统计：上传、复用、系统自动获取（自动获取率）",
)
def material_stats(request: HttpRequest, division: str = "") -> MaterialStatsOut:
    counts = selectors.material_stats(user=caller(request), division=division)
    return MaterialStatsOut(
        uploaded=counts.uploaded,
        reused=counts.reused,
        fetched=counts.fetched,
        fetch_failed=counts.fetch_failed,
        fetched_share=counts.fetched_share,
    )


class SuspendIn(Schema):
    kind: str
    reason: str


class ClockExtendIn(Schema):
    days: int
    reason: str


class SuspensionOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    reason: str
    started_on: date
    ended_on: date | None
    working_days: int
    deadline: date


class ExtensionOut(Schema):
    id: int
    case_id: int
    days: int
    reason: str
    extension_days_total: int
    deadline: date


def suspension_out(suspension: Suspension) -> SuspensionOut:
    clock = suspension.clock
    return SuspensionOut(
        id=suspension.pk,
        case_id=clock.case_id,
        kind=suspension.kind,
        kind_label=str(suspension.get_kind_display()),
        reason=suspension.reason,
        started_on=suspension.started_on,
        ended_on=suspension.ended_on,
        working_days=suspension.working_days,
        deadline=clock.deadline,
    )


@router.post(
    "/supervision/clocks/{case_id}/suspend",
    response={200: SuspensionOut, **errors(401, 403, 404, 409, 422)},
    summary="中止计时（特别程序：expert_review 专家评审 / hearing 听证 / testing 检测 / other）",
)
def clock_suspend(request: HttpRequest, case_id: int, body: SuspendIn) -> SuspensionOut:
    suspension = services.clock_suspend(
        case_id=case_id, user=caller(request), kind=body.kind, reason=body.reason
    )
    return suspension_out(suspension)


@router.post(
    "/supervision/clocks/{case_id}/resume",
    response={200: SuspensionOut, **errors(401, 403, 404, 409)},
    summary="恢复计时",
)
def clock_resume(request: HttpRequest, case_id: int) -> SuspensionOut:
    return suspension_out(services.clock_resume(case_id=case_id, user=caller(request)))


@router.post(
    "/supervision/clocks/{case_id}/extend",
    response={200: ExtensionOut, **errors(401, 403, 404, 409, 422)},
    summary="延长办理期限（部门负责人批准）",
)
def clock_extend(request: HttpRequest, case_id: int, body: ClockExtendIn) -> ExtensionOut:
    extension: Extension = services.clock_extend(
        case_id=case_id, user=caller(request), days=body.days, reason=body.reason
    )
    clock = extension.clock
    return ExtensionOut(
        id=extension.pk,
        case_id=clock.case_id,
        days=extension.days,
        reason=extension.reason,
        extension_days_total=clock.extension_days,
        deadline=clock.deadline,
    )


# --- Ratings --------------------------------------------------------------------------


class RatingIn(Schema):
    score: int
    comment: str = ""
    channel: str = "pc"


class RatingOut(Schema):
    id: int
    case_id: int
    score: int
    score_label: str
    comment: str
    channel: str
    rated_at: datetime
    rectification_id: int | None


def rating_out(rating: Rating) -> RatingOut:
    return RatingOut(
        id=rating.pk,
        case_id=rating.case_id,
        score=rating.score,
        score_label=str(rating.get_score_display()),
        comment=rating.comment,
        channel=rating.channel,
        rated_at=rating.rated_at,
        rectification_id=selectors.rectification_id_for_rating(rating.pk),
    )


@router.post(
    "/applications/{case_id}/rating",
    response={201: RatingOut, **errors(401, 404, 409, 422)},
    summary="评价办件（好差评，一事一评；1 非常不满意 … 5 非常满意）",
)
def rating_submit(request: HttpRequest, case_id: int, body: RatingIn) -> Status:
    rating = services.rating_submit(
        user=caller(request),
        case_id=case_id,
        score=body.score,
        comment=body.comment,
        channel=body.channel,
    )
    return Status(201, rating_out(rating))


class DepartmentScoreOut(Schema):
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    count: int
    average: float
    bad_share: float


class DepartmentScoresOut(Schema):
    items: list[DepartmentScoreOut]


@router.get(
    "/ratings/departments",
    auth=None,
    throttle=[ClientRateThrottle("ratings", "120/m")],
    response={200: DepartmentScoresOut, **errors(429)},
    summary="各部门好差评得分（公开）",
)
def department_scores(request: HttpRequest, division: str = "") -> DepartmentScoresOut:
    return DepartmentScoresOut(
        items=[
            DepartmentScoreOut(
                division_code=s.division_code,
                division_name=s.division_name,
                department_code=s.department_code,
                department_name=s.department_name,
                count=s.count,
                average=s.average,
                bad_share=s.bad_share,
            )
            for s in selectors.department_scores(division=division[:6])
        ]
    )


class RectificationOut(Schema):
    id: int
    case_id: int
    number: str
    division_code: str
    department_code: str
    department_name: str
    score: int
    comment: str
    excluded: bool
    status: str
    status_label: str
    due: date
    overdue: bool
    callback_note: str
    outcome: str
    close_note: str
    appeal_status: str
    appeal_reason: str
    appeal_note: str
    opened_at: datetime


class RectificationPageOut(Schema):
    items: list[RectificationOut]
    next: str | None


def rectification_out(item: Rectification) -> RectificationOut:
    return RectificationOut(
        id=item.pk,
        case_id=item.case_id,
        number=item.number,
        division_code=item.division_code,
        department_code=item.department_code,
        department_name=item.department_name,
        score=item.rating.score,
        comment=item.rating.comment,
        excluded=item.rating.excluded,
        status=item.status,
        status_label=str(item.get_status_display()),
        due=item.due,
        overdue=item.overdue,
        callback_note=item.callback_note,
        outcome=item.outcome,
        close_note=item.close_note,
        appeal_status=item.appeal_status,
        appeal_reason=item.appeal_reason,
        appeal_note=item.appeal_note,
        opened_at=item.opened_at,
    )


@router.get(
    "/supervision/rectifications",
    response={200: RectificationPageOut, **errors(401, 403, 422)},
    summary="差评整改（责任部门工作人员、电子监察员）",
)
def rectification_list(
    request: HttpRequest, status: str = "", cursor: str | None = None, size: int = 20
) -> RectificationPageOut:
    page = selectors.rectification_list(
        user=caller(request), status=status, cursor=cursor, size=size
    )
    return RectificationPageOut(
        items=[rectification_out(r) for r in page.items],
        next=next_url(request, page.next_cursor),
    )


class NoteIn(Schema):
    note: str


class CloseIn(Schema):
    outcome: str
    note: str


class RatingAppealIn(Schema):
    reason: str


class RatingAppealDecideIn(Schema):
    upheld: bool
    note: str


ACTION_ERRORS = errors(401, 403, 404, 409, 422)


@router.post(
    "/supervision/rectifications/{rectification_id}/callback",
    response={200: RectificationOut, **ACTION_ERRORS},
    summary="回访申请人",
)
def rectification_callback(
    request: HttpRequest, rectification_id: int, body: NoteIn
) -> RectificationOut:
    item = services.rectification_callback(
        user=caller(request), rectification_id=rectification_id, note=body.note
    )
    return rectification_out(item)


@router.post(
    "/supervision/rectifications/{rectification_id}/close",
    response={200: RectificationOut, **ACTION_ERRORS},
    summary="办结整改（fixed 已整改 / explained 已解释说明）",
)
def rectification_close(
    request: HttpRequest, rectification_id: int, body: CloseIn
) -> RectificationOut:
    item = services.rectification_close(
        user=caller(request),
        rectification_id=rectification_id,
        outcome=body.outcome,
        note=body.note,
    )
    return rectification_out(item)


@router.post(
    "/supervision/rectifications/{rectification_id}/appeal",
    response={200: RectificationOut, **ACTION_ERRORS},
    summary="申诉（误评、恶意差评）",
)
def rating_appeal(
    request: HttpRequest, rectification_id: int, body: RatingAppealIn
) -> RectificationOut:
    item = services.rating_appeal(
        user=caller(request), rectification_id=rectification_id, reason=body.reason
    )
    return rectification_out(item)


@router.post(
    "/supervision/rectifications/{rectification_id}/decide",
    response={200: RectificationOut, **ACTION_ERRORS},
    summary="复核申诉（电子监察员）",
)
def appeal_decide(
    request: HttpRequest, rectification_id: int, body: RatingAppealDecideIn
) -> RectificationOut:
    item = services.appeal_decide(
        user=caller(request),
        rectification_id=rectification_id,
        upheld=body.upheld,
        note=body.note,
    )
    return rectification_out(item)
