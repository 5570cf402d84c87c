"""Supervised work items (督办事项): a leader, or a department head within their own
division, assigns a task to departments with a deadline; the departments report
progress (进展报告); the assigner or a supervisor sends reminders (催办); the clock warns
and marks the item overdue as step clocks do; the assigner closes it with an evaluation
(办结评价). Every write is audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles, staff_with_role
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.selectors import is_workday
from tongban.core.services import audit_record
from tongban.notify.services import notification_send
from tongban.office.models import (
    AssignmentStatus,
    ClockLevel,
    Document,
    Evaluation,
    ProgressReport,
    WorkAssignment,
    WorkItem,
    WorkItemStatus,
)
from tongban.office.selectors import clocks as clock_selectors
from tongban.office.selectors import workitems as selectors
from tongban.office.services.access import document_visible
from tongban.office.services.clocks import level_alert, raise_level, sweep_batches
from tongban.org.selectors import Role, department_full_name, department_get

ASSIGNER_ROLES = (Role.LEADER, Role.HEAD)
# Staff of an assigned department who hear of the item, its reminders and its levels.
DEPARTMENT_ROLES = (Role.HEAD, Role.REVIEWER)
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
REPORT_MAX = 5000
COMMENT_MAX = 2000
DEPARTMENTS_MAX = 50


def _today() -> date:
    return timezone.localdate()


def _link(item_id: int) -> str:
    return f"/workbench/office/work-items/{item_id}/"


def _text(value: str, *, field: str, limit: int, empty: str | None) -> str:
    cleaned = (value or "").strip()
    if not cleaned and empty is not None:
        raise ValidationFailed(empty, field=field)
    if len(cleaned) > limit:
        raise ValidationFailed(_("不能超过%(n)d个字") % {"n": limit}, field=field)
    return cleaned


def _department_staff(departments: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for department in departments:
        for role in DEPARTMENT_ROLES:
            ids.extend(
                staff_with_role(
                    division_code=department.division_id, department_code=department.code, role=role
                )
            )
    return list(dict.fromkeys(ids))


def _tell(user_ids: Iterable[int], *, topic: str, title: str, body: str, link: str) -> int:
    told = 0
    for user_id in dict.fromkeys(user_ids):
        notification_send(
            user_id=user_id, topic=topic, title=title[:200], body=body, link=link, channels=()
        )
        told += 1
    return told


def _assigner_grant(user: Any, division_code: str | None) -> Any:
    """The grant the user assigns under: a leader's first, else a head's."""
    grants = [g for g in staff_roles(user) if g.role in ASSIGNER_ROLES]
    if division_code:
        grants = [g for g in grants if g.department.division_id == division_code]
    if not grants:
        raise PermissionDenied(_("只有政府领导或部门负责人可以交办督办事项"))
    grants.sort(key=lambda g: ASSIGNER_ROLES.index(g.role))
    return grants[0]


def department_within(grant: Any, department: Any) -> bool:
    """Leaders assign to their division and those below; heads to their own division."""
    scope = grant.department.division.path
    target = department.division.path
    if grant.role == Role.LEADER:
        return target == scope or target.startswith(scope + "/")
    return bool(department.division_id == grant.department.division_id)


def _departments(grant: Any, department_ids: Sequence[int]) -> list[Any]:
    if not department_ids:
        raise ValidationFailed(_("请选择承办部门"), field="department_ids")
    unique = list(dict.fromkeys(department_ids))
    if len(unique) > DEPARTMENTS_MAX:
        raise ValidationFailed(
            _("承办部门不能超过%(n)d个") % {"n": DEPARTMENTS_MAX}, field="department_ids"
        )
    found = []
    for department_id in unique:
        try:
            department = department_get(int(department_id))
        except (TypeError, ValueError, NotFound):
            raise ValidationFailed(_("承办部门不存在"), field="department_ids") from None
        if not department_within(grant, department):
            raise ValidationFailed(
                _("%(name)s不在您可以交办的范围内") % {"name": department_full_name(department)},
                field="department_ids",
            )
        found.append(department)
    return found


@transaction.atomic
def workitem_create(
    *,
    user: Any,
    title: str,
    description: str,
    department_ids: Sequence[int],
    deadline: date,
    division_code: str | None = None,
    document_id: int | None = None,
    today: date | None = None,
) -> WorkItem:
    """Assign a work item to departments with a deadline (a future working day); the
    departments' staff are told in their inbox."""
    grant = _assigner_grant(user, division_code)
    title = _text(title, field="title", limit=TITLE_MAX, empty=_("请填写督办事项"))
    description = _text(
        description, field="description", limit=DESCRIPTION_MAX, empty=_("请填写督办要求")
    )
    departments = _departments(grant, department_ids)
    day = today or _today()
    if not isinstance(deadline, date):
        raise ValidationFailed(_("请填写办结时限"), field="deadline")
    if deadline <= day:
        raise ValidationFailed(_("办结时限应晚于今天"), field="deadline")
    if not is_workday(deadline):
        raise ValidationFailed(_("办结时限应为工作日"), field="deadline")
    if document_id is not None:
        # One answer for a missing and a hidden document: the item must not reveal that a
        # document the assigner may not read exists.
        document = Document.objects.filter(pk=document_id).first()
        if document is None or not document_visible(user, document):
            raise ValidationFailed(_("关联公文不存在或您无权查看"), field="document_id")
    warn_days = clock_selectors.workitem_warn_days()
    warn_on = max(day, clock_selectors.working_days_before(deadline, warn_days))
    item = WorkItem.objects.create(
        title=title,
        description=description,
        division_id=grant.department.division_id,
        assigned_by=user,
        document_id=document_id,
        started_on=day,
        warn_on=warn_on,
        deadline=deadline,
    )
    WorkAssignment.objects.bulk_create(
        WorkAssignment(item=item, department=department) for department in departments
    )
    audit_record(
        action="office.workitem.create",
        actor=user,
        object_type="office.workitem",
        object_id=item.pk,
        detail={
            "title": title,
            "departments": [d.pk for d in departments],
            "deadline": deadline.isoformat(),
            "role": grant.role,
        },
    )
    _tell(
        _department_staff(departments),
        topic="office.workitem.assigned",
        title=_("新督办事项：%(title)s") % {"title": title},
        body=_("办结时限：%(date)s。请按时报告进展。") % {"date": deadline.isoformat()},
        link=_link(item.pk),
    )
    return item


def _require_open(item: WorkItem) -> None:
    if item.status != WorkItemStatus.OPEN:
        raise Conflict(_("督办事项已办结"))


@transaction.atomic
def workitem_report(
    *, user: Any, item_id: int, department_id: int, text: str, percent: int
) -> ProgressReport:
    """A progress report (进展报告) of an assigned department by one of its staff; 100%
    marks the department's share done."""
    selectors.workitem_for_viewer(user, item_id)
    item = selectors.workitem_locked(item_id)
    assignment = selectors.assignment_locked(item_id, department_id)
    if assignment is None:
        raise ValidationFailed(_("该部门不是本事项的承办部门"), field="department_id")
    if department_id not in selectors.department_ids_of(user):
        raise PermissionDenied(_("只有承办部门的工作人员可以报告进展"))
    _require_open(item)
    text = _text(text, field="text", limit=REPORT_MAX, empty=_("请填写进展情况"))
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationFailed(_("完成进度应为0到100之间的整数"), field="percent")
    report = ProgressReport.objects.create(
        assignment=assignment, author=user, text=text, percent=percent
    )
    assignment.percent = percent
    if percent == 100:
        assignment.status = AssignmentStatus.DONE
        assignment.done_at = assignment.done_at or timezone.now()
    else:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.done_at = None
    assignment.save(update_fields=["percent", "status", "done_at"])
    audit_record(
        action="office.workitem.report",
        actor=user,
        object_type="office.workitem",
        object_id=item.pk,
        detail={"department": department_id, "percent": percent, "report": report.pk},
    )
    department = department_get(department_id)
    _tell(
        [item.assigned_by_id],
        topic="office.workitem.reported",
        title=_("督办事项有新进展：%(title)s") % {"title": item.title},
        body=_("%(department)s报告进度 %(percent)d%%。")
        % {"department": department_full_name(department), "percent": percent},
        link=_link(item.pk),
    )
    return report


def may_remind(user: Any, item: WorkItem) -> bool:
    if item.assigned_by_id == user.pk:
        return True
    codes = clock_selectors.supervised_division_codes(user)
    return codes is not None and item.division_id in codes


@transaction.atomic
def workitem_remind(*, user: Any, item_id: int, note: str = "") -> int:
    """A reminder (催办) from the assigner or a supervisor to the staff of the departments
    that have not finished; returns how many were told."""
    selectors.workitem_for_viewer(user, item_id)
    item = selectors.workitem_locked(item_id)
    if not may_remind(user, item):
        raise PermissionDenied(_("只有交办人或电子监察员可以催办"))
    _require_open(item)
    note = _text(note, field="note", limit=COMMENT_MAX, empty=None)
    pending = [
        a.department for a in selectors.assignments_of(item_id) if a.status != AssignmentStatus.DONE
    ]
    if not pending:
        raise Conflict(_("各承办部门均已完成，无需催办"))
    body = _("办结时限：%(date)s。请抓紧办理并报告进展。") % {"date": item.deadline.isoformat()}
    if note:
        body = f"{body}\n{note}"
    told = _tell(
        _department_staff(pending),
        topic="office.workitem.reminded",
        title=_("催办：%(title)s") % {"title": item.title},
        body=body,
        link=_link(item.pk),
    )
    audit_record(
        action="office.workitem.remind",
        actor=user,
        object_type="office.workitem",
        object_id=item.pk,
        detail={"departments": [d.pk for d in pending], "told": told},
    )
    return told


@transaction.atomic
def workitem_close(*, user: Any, item_id: int, evaluation: int, comment: str = "") -> WorkItem:
    """Close an open work item with an evaluation (办结评价, 1 差 .. 4 优秀); assigner only."""
    selectors.workitem_for_viewer(user, item_id)
    item = selectors.workitem_locked(item_id)
    if item.assigned_by_id != user.pk:
        raise PermissionDenied(_("只有交办人可以办结督办事项"))
    _require_open(item)
    if isinstance(evaluation, bool) or evaluation not in Evaluation.values:
        raise ValidationFailed(
            _("请选择办结评价（1 差、2 一般、3 良好、4 优秀）"), field="evaluation"
        )
    comment = _text(comment, field="comment", limit=COMMENT_MAX, empty=None)
    item.status = WorkItemStatus.CLOSED
    item.closed_at = timezone.now()
    item.closed_by = user
    item.evaluation = evaluation
    item.evaluation_comment = comment
    item.save(
        update_fields=["status", "closed_at", "closed_by", "evaluation", "evaluation_comment"]
    )
    audit_record(
        action="office.workitem.close",
        actor=user,
        object_type="office.workitem",
        object_id=item.pk,
        detail={"evaluation": evaluation, "level": item.level},
    )
    departments = [a.department for a in selectors.assignments_of(item_id)]
    _tell(
        _department_staff(departments),
        topic="office.workitem.closed",
        title=_("督办事项已办结：%(title)s") % {"title": item.title},
        body=_("办结评价：%(label)s") % {"label": Evaluation(evaluation).label},
        link=_link(item.pk),
    )
    return item


# ---------------------------------------------------------------------------- sweep


def _item_alert(item: WorkItem, level: str) -> None:
    pending = [a.department for a in item.assignments.all() if a.status != AssignmentStatus.DONE]
    if level == ClockLevel.RED:
        title = _("督办事项已超期：%(title)s")
    else:
        title = _("督办事项即将到期：%(title)s")
    level_alert(
        level=level,
        object_type="office.workitem",
        object_id=item.pk,
        detail={"deadline": item.deadline.isoformat(), "departments": [d.pk for d in pending]},
        user_ids=[*_department_staff(pending), item.assigned_by_id],
        title=title % {"title": item.title},
        body=_("办结时限：%(date)s。") % {"date": item.deadline.isoformat()},
        link=_link(item.pk),
    )


def workitem_sweep(*, today: date | None = None, batch: int = 500) -> dict[str, int]:
    """Raise the levels of open work items (yellow from the warning date, red after the
    deadline), telling the departments and the assigner once per level (periodic)."""
    day = today or _today()
    counts = {ClockLevel.YELLOW.value: 0, ClockLevel.RED.value: 0}

    def handle(items: Sequence[WorkItem]) -> None:
        for item in items:
            found = clock_selectors.level_on(today=day, warn_on=item.warn_on, due_on=item.deadline)
            if not clock_selectors.level_raised(item.level, found):
                continue
            if raise_level(WorkItem, item.pk, item.level, found):
                item.level = found
                _item_alert(item, found)
                counts[found] += 1

    def fetch(after: int, size: int) -> list[WorkItem]:
        return selectors.workitems_open_batch(after_id=after, size=size)

    sweep_batches(fetch, handle, lambda i: i.pk, batch=batch)
    return counts


def sweep_job() -> object:
    """The periodic job (``tongban worker``), a batch job."""
    return workitem_sweep()
