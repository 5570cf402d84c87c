"""Workflow reads: definitions, instance state and the inbox as a staff member sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from tongban.accounts.selectors import staff_roles
from tongban.core.pagination import Page, keyset_page
from tongban.workflow.models import (
    Decision as Decision,
)
from tongban.workflow.models import (
    HumanTask,
    HumanTaskStatus,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
)


def definition_latest(key: str) -> ProcessDefinition | None:
    return ProcessDefinition.objects.filter(key=key).order_by("-version").first()


def instances_with_due_timers(*, now: datetime, limit: int) -> list[int]:
    """Running instances whose earliest timer is due at ``now``, earliest first (by index)."""
    return list(
        ProcessInstance.objects.filter(next_timer_at__lte=now, status=InstanceStatus.RUNNING)
        .order_by("next_timer_at")
        .values_list("pk", flat=True)[:limit]
    )


def instance_load_tasks(instance: ProcessInstance) -> tuple[dict[str, Any], dict[str, Any]]:
    """An instance's own state and its task rows keyed by task id (one query)."""
    # In creation order, as SQLite returns them: PostgreSQL returns unordered rows in heap
    # order (an updated row moves to the end), and a workflow restored from rows in another
    # order once lost a variable after a parallel multi-instance task.
    rows = instance.tasks.order_by("id").values_list("uuid", "body")
    return instance.state, {str(task_id): body for task_id, body in rows}


def _assigned_to(user: Any) -> Q:
    """Tasks of the (division, department, role) triples the user holds."""
    condition = Q(pk__in=[])
    for grant in staff_roles(user):
        condition |= Q(
            division_code=grant.department.division_id,
            department_code=grant.department.code,
            role=grant.role,
        )
    return condition


def task_inbox(
    *, user: Any, box: str = "todo", cursor: str | None = None, size: int = 20
) -> Page[HumanTask]:
    """待办: open tasks of the user's roles plus those they claimed; 已办: what they did."""
    qs: QuerySet[HumanTask]
    if box == "done":
        qs = HumanTask.objects.filter(completed_by=user)
    else:
        qs = HumanTask.objects.filter(_assigned_to(user)).filter(
            Q(status=HumanTaskStatus.OPEN) | Q(status=HumanTaskStatus.CLAIMED, claimed_by=user)
        )
    qs = qs.select_related("instance", "claimed_by")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def tasks_of_instance(instance_id: int) -> list[HumanTask]:
    return list(
        HumanTask.objects.filter(instance_id=instance_id)
        .select_related("completed_by")
        .order_by("id")
    )


def tasks_by_ids(task_ids: list[int]) -> list[HumanTask]:
    """Inbox tasks by id with their instance and process definition (one query, bounded):
    for apps that follow tasks of their business objects (e.g. office step clocks)."""
    return list(
        HumanTask.objects.filter(pk__in=task_ids[:1000]).select_related("instance__definition")
    )
