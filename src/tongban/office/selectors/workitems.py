"""Reads of supervised work items (督办事项): the items a leader assigned, those assigned to
the caller's departments, those a supervisor oversees, one item with its assignments and
progress reports, and the warned and overdue items for the supervisor's view (督查)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.office.models import (
    AssignmentStatus,
    ClockLevel,
    ProgressReport,
    StepClock,
    WorkAssignment,
    WorkItem,
    WorkItemStatus,
)
from tongban.office.selectors.clocks import (
    TASKS_LINK,
    WARNED_LEVELS,
    clean_level,
    overdue_days,
    overdue_steps,
    require_supervisor,
    supervised_division_codes,
)
from tongban.org.selectors import department_full_name, department_names, division_names

BOXES = ("assigned", "mine", "supervised")
REPORTS_SHOWN = 200


def department_ids_of(user: Any) -> set[int]:
    """Departments where the user holds a staff role of their own (not division-wide)."""
    return {grant.department_id for grant in staff_roles(user)}


def _base() -> QuerySet[WorkItem]:
    return WorkItem.objects.select_related("division", "assigned_by")


def workitem_page(
    *,
    user: Any,
    box: str = "mine",
    level: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    size: int = 20,
) -> Page[WorkItem]:
    """A page of work items, newest first: ``assigned`` those the user assigned, ``mine``
    those assigned to the user's departments, ``supervised`` those of the divisions a
    supervisor or leader oversees (filterable by level)."""
    if box not in BOXES:
        raise ValidationFailed(_("box 只能是 assigned、mine 或 supervised"), field="box")
    qs = _base()
    if box == "assigned":
        qs = qs.filter(assigned_by=user)
    elif box == "mine":
        departments = department_ids_of(user)
        qs = qs.filter(
            pk__in=WorkAssignment.objects.filter(department_id__in=departments).values("item_id")
        )
    else:
        qs = qs.filter(division_id__in=require_supervisor(user))
    wanted = clean_level(level)
    if wanted:
        qs = qs.filter(level=wanted)
    if status:
        if status not in WorkItemStatus.values:
            raise ValidationFailed(_("状态只能是 open 或 closed"), field="status")
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def _visible(user: Any, item: WorkItem, assigned: set[int]) -> bool:
    if item.assigned_by_id == user.pk:
        return True
    if assigned & department_ids_of(user):
        return True
    codes = supervised_division_codes(user)
    return codes is not None and item.division_id in codes


def workitem_for_viewer(user: Any, item_id: int) -> WorkItem:
    """One work item with its assignments (and their departments) and the latest progress
    reports; NotFound for anyone but the assigner, the assigned departments' staff and the
    supervisors and leaders overseeing its division."""
    reports = ProgressReport.objects.select_related("author").order_by("-id")
    item = (
        _base()
        .select_related("document")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=WorkAssignment.objects.select_related("department__division")
                .order_by("id")
                .prefetch_related(Prefetch("reports", queryset=reports)),
            )
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(_("督办事项不存在"))
    assigned = {a.department_id for a in item.assignments.all()}
    if not _visible(user, item, assigned):
        raise NotFound(_("督办事项不存在"))
    return item


def workitem_locked(item_id: int) -> WorkItem:
    item = WorkItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("督办事项不存在"))
    return item


def assignment_locked(item_id: int, department_id: int) -> WorkAssignment | None:
    return (
        WorkAssignment.objects.select_for_update()
        .filter(item_id=item_id, department_id=department_id)
        .first()
    )


def assignments_of(item_id: int) -> list[WorkAssignment]:
    return list(
        WorkAssignment.objects.filter(item_id=item_id)
        .select_related("department__division")
        .order_by("id")
    )


def workitems_open_batch(*, after_id: int, size: int) -> list[WorkItem]:
    """Open work items in id order after ``after_id`` (the sweep's batches)."""
    return list(
        WorkItem.objects.filter(status=WorkItemStatus.OPEN, pk__gt=after_id)
        .prefetch_related(
            Prefetch("assignments", queryset=WorkAssignment.objects.select_related("department"))
        )
        .order_by("pk")[:size]
    )


def overdue_workitems(
    *, user: Any, level: str | None = None, cursor: str | None = None, size: int = 50
) -> Page[WorkItem]:
    """Warned and overdue open work items of the divisions the supervisor oversees, the
    nearest deadline first."""
    codes = require_supervisor(user)
    wanted = clean_level(level)
    qs = (
        _base()
        .filter(
            status=WorkItemStatus.OPEN,
            level__in=[wanted] if wanted else list(WARNED_LEVELS),
            division_id__in=codes,
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=WorkAssignment.objects.select_related("department__division").order_by(
                    "id"
                ),
            )
        )
    )
    return keyset_page(qs, order=("deadline", "id"), cursor=cursor, size=size)


def my_assignments(user: Any, item: WorkItem) -> list[WorkAssignment]:
    """The assignments of ``item`` the user may report on (their own departments)."""
    mine = department_ids_of(user)
    return [a for a in item.assignments.all() if a.department_id in mine]


# ---------------------------------------------------------------------------- supervisor view


OVERDUE_KINDS = ("steps", "work_items")


@dataclass(frozen=True)
class OverdueRow:
    """One line of the supervisor's view (督查): a warned or overdue office step or work
    item."""

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


@dataclass(frozen=True)
class OverduePage:
    items: list[OverdueRow]
    next_cursor: str | None


def _step_rows(clocks: list[StepClock], today: date) -> list[OverdueRow]:
    codes = sorted({c.division_code for c in clocks})
    names = department_names(codes)
    divisions = division_names(codes)
    days = overdue_days([c.due_on for c in clocks], today=today)
    rows = []
    for clock in clocks:
        document = clock.document or (clock.receipt.document if clock.receipt else None)
        link = f"/workbench/office/documents/{document.pk}/" if document else TASKS_LINK
        department = names.get((clock.division_code, clock.department_code))
        rows.append(
            OverdueRow(
                kind="step",
                id=clock.pk,
                title=document.title if document else clock.title,
                step=clock.step,
                step_label=clock.title,
                departments=[
                    f"{divisions.get(clock.division_code, '')}{department}"
                    if department
                    else clock.department_code
                ],
                division_code=clock.division_code,
                level=clock.level,
                level_label=str(ClockLevel(clock.level).label),
                started_on=clock.started_on,
                due_on=clock.due_on,
                days_overdue=days[clock.due_on],
                link=link,
            )
        )
    return rows


def _item_rows(items: list[WorkItem], today: date) -> list[OverdueRow]:
    days = overdue_days([i.deadline for i in items], today=today)
    return [
        OverdueRow(
            kind="work_item",
            id=item.pk,
            title=item.title,
            step="work_item",
            step_label=_("督办"),
            departments=[
                department_full_name(a.department)
                for a in item.assignments.all()
                if a.status != AssignmentStatus.DONE
            ],
            division_code=item.division_id,
            level=item.level,
            level_label=str(ClockLevel(item.level).label),
            started_on=item.started_on,
            due_on=item.deadline,
            days_overdue=days[item.deadline],
            link=f"/workbench/office/work-items/{item.pk}/",
        )
        for item in items
    ]


def overdue_page(
    *,
    user: Any,
    kind: str = "steps",
    level: str | None = None,
    cursor: str | None = None,
    size: int = 50,
    today: date | None = None,
) -> OverduePage:
    """The supervisor's view: warned and overdue office steps (``steps``, especially 会签)
    or work items (``work_items``) with their level and the working days overdue. Bounded
    queries per page; PermissionDenied for anyone but supervisors and leaders."""
    if kind not in OVERDUE_KINDS:
        raise ValidationFailed(_("kind 只能是 steps 或 work_items"), field="kind")
    day = today or timezone.localdate()
    if kind == "steps":
        clocks = overdue_steps(user=user, level=level, cursor=cursor, size=size)
        return OverduePage(_step_rows(clocks.items, day), clocks.next_cursor)
    items = overdue_workitems(user=user, level=level, cursor=cursor, size=size)
    return OverduePage(_item_rows(items.items, day), items.next_cursor)
