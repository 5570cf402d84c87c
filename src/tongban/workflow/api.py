"""Staff task inbox over HTTP: list, claim, complete."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.workflow import selectors, services
from tongban.workflow.models import HumanTask

router = Router(tags=["流程与待办"], auth=API_AUTH)


class TaskOut(Schema):
    id: int
    title: str
    step: str
    status: str
    status_label: str
    division_code: str
    department_code: str
    role: str
    instance_id: int
    business_type: str
    business_id: str
    claimed_by: str | None
    decision: str
    comment: str
    created_at: datetime
    completed_at: datetime | None


class TaskPageOut(Schema):
    items: list[TaskOut]
    next: str | None


class CompleteIn(Schema):
    decision: str
    comment: str = ""


def task_out(task: HumanTask) -> TaskOut:
    return TaskOut(
        id=task.pk,
        title=task.title,
        step=task.step,
        status=task.status,
        status_label=str(task.get_status_display()),
        division_code=task.division_code,
        department_code=task.department_code,
        role=task.role,
        instance_id=task.instance_id,
        business_type=task.instance.business_type,
        business_id=task.instance.business_id,
        claimed_by=task.claimed_by.get_username() if task.claimed_by else None,
        decision=task.decision,
        comment=task.comment,
        created_at=task.created_at,
        completed_at=task.completed_at,
    )


@router.get(
    "/tasks",
    response={200: TaskPageOut, **errors(401, 422)},
    summary="我的待办（box=todo）或已办（box=done）",
)
def task_list(
    request: HttpRequest, box: str = "todo", cursor: str | None = None, size: int = 20
) -> TaskPageOut:
    page = selectors.task_inbox(user=caller(request), box=box, cursor=cursor, size=size)
    return TaskPageOut(
        items=[task_out(t) for t in page.items], next=next_url(request, page.next_cursor)
    )


@router.post(
    "/tasks/{task_id}/claim",
    response={200: TaskOut, **errors(401, 404, 409)},
    summary="签收任务",
)
def task_claim(request: HttpRequest, task_id: int) -> TaskOut:
    return task_out(services.task_claim(task_id=task_id, user=caller(request)))


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **errors(400, 401, 404, 409, 422)},
    summary="办理任务（approve 同意 / reject 不同意 / correction 需要补正）",
)
def task_complete(request: HttpRequest, task_id: int, body: CompleteIn) -> TaskOut:
    task = services.task_complete(
        task_id=task_id, user=caller(request), decision=body.decision, comment=body.comment
    )
    return task_out(task)
