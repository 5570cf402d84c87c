"""Supervised work items (督办) over HTTP: assign, list (box=assigned|mine|supervised),
detail with assignments and progress reports, report, remind (催办), close with an
evaluation; and the supervisor's list of warned and overdue office steps and work items."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.office.models import WorkItem
from tongban.office.selectors import workitems as selectors
from tongban.office.services import workitems as services
from tongban.org.selectors import department_full_name

router = Router(tags=["协同办公"], auth=API_AUTH)


class WorkItemIn(Schema):
    title: str
    description: str
    department_ids: list[int]
    deadline: date
    division_code: str | None = None
    document_id: int | None = None


class ReportIn(Schema):
    department_id: int
    text: str
    percent: int


class RemindIn(Schema):
    note: str = ""


class WorkItemCloseIn(Schema):
    evaluation: int
    comment: str = ""


class WorkItemReportOut(Schema):
    id: int
    author: str
    text: str
    percent: int
    created_at: datetime


class AssignmentOut(Schema):
    department_id: int
    department: str
    status: str
    status_label: str
    percent: int
    done_at: datetime | None
    reports: list[WorkItemReportOut]


class WorkItemOut(Schema):
    id: int
    title: str
    division_code: str
    assigned_by: str
    started_on: date
    warn_on: date
    deadline: date
    level: str
    level_label: str
    status: str
    status_label: str
    created_at: datetime


class WorkItemDetailOut(WorkItemOut):
    description: str
    document_id: int | None
    closed_at: datetime | None
    evaluation: int | None
    evaluation_label: str | None
    evaluation_comment: str
    assignments: list[AssignmentOut]


class WorkItemPageOut(Schema):
    items: list[WorkItemOut]
    next: str | None


class RemindOut(Schema):
    notified: int


class OverdueOut(Schema):
    kind: str
    id: int
    title: str
    step: str
    step_label: str
    departments: list[str]
    division_code: str
    level: str
    level_label: str
    started_on: date
    due_on: date
    days_overdue: int
    link: str


class OverduePageOut(Schema):
    items: list[OverdueOut]
    next: str | None


def _label(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.username)


def _item(item: WorkItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "division_code": item.division_id,
        "assigned_by": _label(item.assigned_by),
        "started_on": item.started_on,
        "warn_on": item.warn_on,
        "deadline": item.deadline,
        "level": item.level,
        "level_label": str(item.get_level_display()),
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "created_at": item.created_at,
    }


def _detail(item: WorkItem) -> WorkItemDetailOut:
    assignments = [
        AssignmentOut(
            department_id=a.department_id,
            department=department_full_name(a.department),
            status=a.status,
            status_label=str(a.get_status_display()),
            percent=a.percent,
            done_at=a.done_at,
            reports=[
                WorkItemReportOut(
                    id=r.pk,
                    author=_label(r.author),
                    text=r.text,
                    percent=r.percent,
                    created_at=r.created_at,
                )
                for r in list(a.reports.all())[: selectors.REPORTS_SHOWN]
            ],
        )
        for a in item.assignments.all()
    ]
    return WorkItemDetailOut(
        **_item(item),
        description=item.description,
        document_id=item.document_id,
        closed_at=item.closed_at,
        evaluation=item.evaluation,
        evaluation_label=str(item.get_evaluation_display()) if item.evaluation else None,
        evaluation_comment=item.evaluation_comment,
        assignments=assignments,
    )


@router.post(
    "/work-items",
    response={201: WorkItemDetailOut, **errors(401, 403, 422)},
    summary="交办督办事项（政府领导或部门负责人；deadline 为今天以后的工作日）",
)
def workitem_create(request: HttpRequest, body: WorkItemIn) -> Status:
    user = caller(request)
    item = services.workitem_create(user=user, **body.dict())
    return Status(201, _detail(selectors.workitem_for_viewer(user, item.pk)))


@router.get(
    "/work-items",
    response={200: WorkItemPageOut, **errors(401, 403, 422)},
    summary="督办事项：box=assigned 我交办的，mine 本部门承办的，supervised 督查范围内的"
    "（可按 level=yellow|red、status=open|closed 筛选）",
)
def workitem_list(
    request: HttpRequest,
    box: str = "mine",
    level: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    size: int = 20,
) -> WorkItemPageOut:
    page = selectors.workitem_page(
        user=caller(request), box=box, level=level, status=status, cursor=cursor, size=size
    )
    return WorkItemPageOut(
        items=[WorkItemOut(**_item(i)) for i in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/work-items/{item_id}",
    response={200: WorkItemDetailOut, **errors(401, 403, 404)},
    summary="督办事项详情：承办部门、进度和进展报告",
)
def workitem_detail(request: HttpRequest, item_id: int) -> WorkItemDetailOut:
    return _detail(selectors.workitem_for_viewer(caller(request), item_id))


@router.post(
    "/work-items/{item_id}/reports",
    response={201: WorkItemReportOut, **errors(401, 403, 404, 409, 422)},
    summary="报告进展（承办部门工作人员；percent 为 0–100，100 表示本部门完成）",
)
def workitem_report(request: HttpRequest, item_id: int, body: ReportIn) -> Status:
    user = caller(request)
    report = services.workitem_report(user=user, item_id=item_id, **body.dict())
    return Status(
        201,
        WorkItemReportOut(
            id=report.pk,
            author=_label(user),
            text=report.text,
            percent=report.percent,
            created_at=report.created_at,
        ),
    )


@router.post(
    "/work-items/{item_id}/remind",
    response={200: RemindOut, **errors(401, 403, 404, 409, 422)},
    summary="催办（交办人或电子监察员）：通知尚未完成的承办部门",
)
def workitem_remind(request: HttpRequest, item_id: int, body: RemindIn) -> RemindOut:
    told = services.workitem_remind(user=caller(request), item_id=item_id, note=body.note)
    return RemindOut(notified=told)


@router.post(
    "/work-items/{item_id}/close",
    response={200: WorkItemDetailOut, **errors(401, 403, 404, 409, 422)},
    summary="办结并评价（交办人；evaluation 1 差、2 一般、3 良好、4 优秀）",
)
def workitem_close(request: HttpRequest, item_id: int, body: WorkItemCloseIn) -> WorkItemDetailOut:
    user = caller(request)
    services.workitem_close(user=user, item_id=item_id, **body.dict())
    return _detail(selectors.workitem_for_viewer(user, item_id))


@router.get(
    "/office/overdue",
    response={200: OverduePageOut, **errors(401, 403, 422)},
    summary="督查：本区划及下级的预警和超期公文环节（kind=steps，含会签）或督办事项"
    "（kind=work_items），可按 level=yellow|red 筛选（电子监察员、政府领导）",
)
def overdue_list(
    request: HttpRequest,
    kind: str = "steps",
    level: str | None = None,
    cursor: str | None = None,
    size: int = 50,
) -> OverduePageOut:
    page = selectors.overdue_page(
        user=caller(request), kind=kind, level=level, cursor=cursor, size=size
    )
    return OverduePageOut(
        items=[OverdueOut(**row.__dict__) for row in page.items],
        next=next_url(request, page.next_cursor),
    )
