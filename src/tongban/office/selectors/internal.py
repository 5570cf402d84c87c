"""Reads of internal requests (征求意见函): which department may raise one for a case, a
department's incoming requests (pending first), a department's outgoing requests and the
requests of one case, each scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.cases import selectors as cases
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.office.models import InternalRequest
from tongban.office.models import RequestStatus as RequestStatus
from tongban.org.selectors import (
    Role,
    department_by_code,
    department_full_name,
    department_list,
)
from tongban.workflow import selectors as workflow

# Department roles that work on cases and may ask another department for its opinion.
RAISE_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.HEAD})
# Roles of the target department that answer (general staff and the head).
REPLY_ROLES = frozenset({Role.REVIEWER, Role.HEAD})
# Case statuses in which nothing is being handled any more.
CLOSED_CASE_STATUSES = frozenset(
    {
        cases.CaseStatus.DRAFT,
        cases.CaseStatus.NOT_ACCEPTED,
        cases.CaseStatus.COMPLETED,
        cases.CaseStatus.WITHDRAWN,
    }
)
BOXES = ("incoming", "outgoing")
MAX_CASE_REQUESTS = 100


def _departments_with(user: Any, roles: frozenset[str]) -> list[Any]:
    """The departments in which ``user`` holds one of ``roles`` (their own, not division-wide)."""
    seen: dict[int, Any] = {}
    for grant in staff_roles(user):
        if grant.role in roles:
            seen.setdefault(grant.department_id, grant.department)
    return list(seen.values())


def case_working_department_ids(case: Any) -> list[int]:
    """The departments working on ``case``: the handling department first, then every
    department holding a task on it."""
    ids: list[int] = []
    handling = cases.case_handling_department_id(case)
    if handling is not None:
        ids.append(handling)
    if case.process_instance_id is not None:
        codes = {t.department_code for t in workflow.tasks_of_instance(case.process_instance_id)}
        for code in sorted(codes):
            department = department_by_code(division_code=case.division_code, code=code)
            if department is not None and department.pk not in ids:
                ids.append(department.pk)
    return ids


def requesting_department(user: Any, case: Any) -> Any | None:
    """The department on whose behalf ``user`` may raise a request for ``case``: one they
    work in (window clerk, reviewer or head) that handles the case or holds a task on it,
    the handling department preferred. None if they work on the case nowhere."""
    mine = {d.pk: d for d in _departments_with(user, RAISE_ROLES)}
    if not mine:
        return None
    for department_id in case_working_department_ids(case):
        if department_id in mine:
            return mine[department_id]
    return None


def can_raise(user: Any, case: Any) -> bool:
    """Whether the case page should offer "发起征求意见" to ``user``."""
    return case.status not in CLOSED_CASE_STATUSES and requesting_department(user, case) is not None


def can_reply(user: Any, request: InternalRequest) -> bool:
    return request.status == RequestStatus.PENDING and any(
        d.pk == request.to_department_id for d in _departments_with(user, REPLY_ROLES)
    )


def _with_departments(qs: QuerySet[InternalRequest]) -> QuerySet[InternalRequest]:
    return qs.select_related(
        "from_department__division", "to_department__division", "requested_by", "replied_by"
    )


def request_visible(user: Any, request: InternalRequest) -> bool:
    """Staff of the requesting or the target department, and staff who may see the case."""
    if getattr(user, "kind", "") != "staff":
        return False
    departments = {grant.department_id for grant in staff_roles(user)}
    if {request.from_department_id, request.to_department_id} & departments:
        return True
    case = cases.case_get(request.case_id)
    return cases.staff_can_view(user, case)


def request_for_staff(*, user: Any, request_id: int) -> InternalRequest:
    """One request, if the caller may see it; 'not found' otherwise."""
    request = _with_departments(InternalRequest.objects.filter(pk=request_id)).first()
    if request is None or not request_visible(user, request):
        raise NotFound(_("征求意见函不存在或无权查看"))
    return request


def requests_page(
    *, user: Any, box: str = "incoming", status: str = "", cursor: str | None = None, size: int = 20
) -> Page[InternalRequest]:
    """收件箱: requests to the departments where the caller replies, pending first, newest
    first within each status; 发件箱: requests raised by the caller's departments."""
    if getattr(user, "kind", "") != "staff":
        raise PermissionDenied(_("征求意见函仅供政务工作人员查看"))
    if box not in BOXES:
        raise ValidationFailed(_("箱子只能是 incoming（收到的）或 outgoing（发出的）"), field="box")
    if status and status not in RequestStatus.values:
        raise ValidationFailed(_("状态代码不正确"), field="status")
    qs: QuerySet[InternalRequest]
    if box == "incoming":
        ids = [d.pk for d in _departments_with(user, REPLY_ROLES)]
        qs = InternalRequest.objects.filter(to_department_id__in=ids)
        order: tuple[str, ...] = ("status", "-id")  # "pending" sorts before "replied"
    else:
        ids = [d.pk for d in _departments_with(user, RAISE_ROLES)]
        qs = InternalRequest.objects.filter(from_department_id__in=ids)
        order = ("-id",)
    if status:
        qs = qs.filter(status=status)
    return keyset_page(_with_departments(qs), order=order, cursor=cursor, size=size)


def requests_of_case(*, case_id: int) -> list[InternalRequest]:
    """The requests one case raised, oldest first (bounded); the caller checked the case."""
    qs = InternalRequest.objects.filter(case_id=case_id).order_by("id")
    return list(_with_departments(qs)[:MAX_CASE_REQUESTS])


def pending_count(*, user: Any) -> int:
    """How many requests wait for a reply from the caller's departments (bounded)."""
    ids = [d.pk for d in _departments_with(user, REPLY_ROLES)]
    qs = InternalRequest.objects.filter(to_department_id__in=ids, status=RequestStatus.PENDING)
    return len(qs.values_list("id", flat=True)[:1000])


def target_departments(case: Any, *, exclude_id: int) -> list[Any]:
    """Departments a case's request may go to from the form: those of the case's division,
    the requester's own left out (bounded)."""
    page = department_list(division_code=case.division_code, size=100)
    return [d for d in page.items if d.pk != exclude_id]


@dataclass(frozen=True)
class DepartmentRef:
    id: int
    code: str
    name: str
    full_name: str
    division: str


def department_ref(department: Any) -> DepartmentRef:
    return DepartmentRef(
        id=department.pk,
        code=department.code,
        name=department.name,
        full_name=department_full_name(department),
        division=department.division_id,
    )


def is_overdue(request: InternalRequest, today: date) -> bool:
    return request.status == RequestStatus.PENDING and request.due_on < today
