"""Internal requests (征求意见函) over HTTP: raise one from a case, list the department's
incoming and outgoing requests, read one, reply to one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.office.selectors import internal as selectors
from tongban.office.services import internal as services

router = Router(tags=["协同办公"], auth=API_AUTH)


class InternalRequestIn(Schema):
    case: int
    to_department: int
    subject: str
    body: str
    due_days: int = 3


class InternalReplyIn(Schema):
    reply: str


class InternalDepartmentOut(Schema):
    id: int
    code: str
    name: str
    full_name: str
    division: str


class InternalRequestOut(Schema):
    id: int
    case: int
    case_number: str
    from_department: InternalDepartmentOut
    to_department: InternalDepartmentOut
    subject: str
    body: str
    requested_by: str
    created_at: datetime
    due_on: date
    overdue: bool
    status: str
    status_label: str
    reply: str
    replied_by: str | None
    replied_at: datetime | None


class InternalRequestPageOut(Schema):
    items: list[InternalRequestOut]
    next: str | None


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def _out(request: Any) -> InternalRequestOut:
    return InternalRequestOut(
        id=request.pk,
        case=request.case_id,
        case_number=request.case_number,
        from_department=InternalDepartmentOut(
            **vars(selectors.department_ref(request.from_department))
        ),
        to_department=InternalDepartmentOut(
            **vars(selectors.department_ref(request.to_department))
        ),
        subject=request.subject,
        body=request.body,
        requested_by=_name(request.requested_by),
        created_at=request.created_at,
        due_on=request.due_on,
        overdue=selectors.is_overdue(request, timezone.localdate()),
        status=request.status,
        status_label=str(request.get_status_display()),
        reply=request.reply,
        replied_by=_name(request.replied_by) if request.replied_by_id else None,
        replied_at=request.replied_at,
    )


@router.post(
    "/internal-requests",
    response={201: InternalRequestOut, **errors(401, 403, 404, 409, 422)},
    summary="从办件发起征求意见函（办理该办件的部门工作人员；回复时限1至15个工作日）",
)
def internal_request_raise(request: HttpRequest, body: InternalRequestIn) -> Any:
    raised = services.request_raise(
        user=caller(request),
        case_id=body.case,
        to_department_id=body.to_department,
        subject=body.subject,
        body=body.body,
        due_days=body.due_days,
    )
    fresh = selectors.request_for_staff(user=caller(request), request_id=raised.pk)
    return Status(201, _out(fresh))


@router.get(
    "/internal-requests",
    response={200: InternalRequestPageOut, **errors(401, 403, 422)},
    summary="本部门收到的（待回复在前）或发出的征求意见函",
)
def internal_request_list(
    request: HttpRequest,
    box: str = "incoming",
    status: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> InternalRequestPageOut:
    page = selectors.requests_page(
        user=caller(request), box=box, status=status, cursor=cursor, size=size
    )
    return InternalRequestPageOut(
        items=[_out(r) for r in page.items], next=next_url(request, page.next_cursor)
    )


@router.get(
    "/internal-requests/{request_id}",
    response={200: InternalRequestOut, **errors(401, 403, 404)},
    summary="征求意见函详情",
)
def internal_request_detail(request: HttpRequest, request_id: int) -> InternalRequestOut:
    return _out(selectors.request_for_staff(user=caller(request), request_id=request_id))


@router.post(
    "/internal-requests/{request_id}/reply",
    response={200: InternalRequestOut, **errors(401, 403, 404, 409, 422)},
    summary="回复征求意见函（被征求意见部门的工作人员或负责人；只能回复一次）",
)
def internal_request_reply(
    request: HttpRequest, request_id: int, body: InternalReplyIn
) -> InternalRequestOut:
    services.request_reply(user=caller(request), request_id=request_id, reply=body.reply)
    return _out(selectors.request_for_staff(user=caller(request), request_id=request_id))
