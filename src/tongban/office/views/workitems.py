"""Pages of supervised work items (督办) and the supervisor's view of warned and overdue
office steps and work items (督查), under /workbench/office/. Thin: parse, call one
service or selector, render. Forms post and redirect, no JavaScript needed; a
``DomainError`` from a form is shown next to the field, refusals and unknown ids go to the
error-page middleware."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_roles
from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.office.models import Evaluation, WorkItem, WorkItemStatus
from tongban.office.selectors import clocks as clock_selectors
from tongban.office.selectors import workitems as selectors
from tongban.office.services import workitems as services
from tongban.org.selectors import departments_grouped

BOX_LABELS = {
    "mine": _("本部门承办"),
    "assigned": _("我交办的"),
    "supervised": _("督查范围"),
}
CREATE_FIELDS = ("title", "description", "department_ids", "deadline")
REPORT_FIELDS = ("department_id", "text", "percent")
CLOSE_FIELDS = ("evaluation", "comment")


def _error(exc: DomainError, fields: tuple[str, ...], default: str) -> dict[str, Any]:
    if isinstance(exc, (PermissionDenied, NotFound)):
        raise exc
    return {"error": exc.message, "error_field": exc.field if exc.field in fields else default}


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _is_supervisor(user: Any) -> bool:
    return clock_selectors.supervised_division_codes(user) is not None


def _assigner_grants(user: Any) -> list[Any]:
    return [g for g in staff_roles(user) if g.role in services.ASSIGNER_ROLES]


@staff_only
@require_safe
def workitem_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    box = request.GET.get("box", "mine")
    if box not in BOX_LABELS:
        box = "mine"
    level = request.GET.get("level") or None
    if level not in (None, "yellow", "red"):
        level = None
    page = selectors.workitem_page(
        user=user, box=box, level=level, cursor=request.GET.get("cursor") or None
    )
    boxes = [
        (key, label)
        for key, label in BOX_LABELS.items()
        if key != "supervised" or _is_supervisor(user)
    ]
    context = {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "box": box,
        "box_label": BOX_LABELS[box],
        "boxes": boxes,
        "level": level or "",
        "may_assign": bool(_assigner_grants(user)),
    }
    return render(request, "office/workitem_list.html", context)


def _assignable(user: Any) -> list[Any]:
    grants = _assigner_grants(user)
    return [
        d for d in departments_grouped() if any(services.department_within(g, d) for g in grants)
    ]


@staff_only
@require_http_methods(["GET", "POST"])
def workitem_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _assigner_grants(user):
        raise PermissionDenied(_("只有政府领导或部门负责人可以交办督办事项"))
    form: dict[str, Any] = {"title": "", "description": "", "department_ids": [], "deadline": ""}
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = {
            "title": request.POST.get("title", "")[:400],
            "description": request.POST.get("description", "")[:10000],
            "department_ids": [
                i for i in (_int(v) for v in request.POST.getlist("department_ids")[:100]) if i
            ],
            "deadline": request.POST.get("deadline", "")[:20],
        }
        try:
            deadline = date.fromisoformat(form["deadline"])
        except ValueError:
            extra = {"error": _("请按“年-月-日”填写办结时限"), "error_field": "deadline"}
            status = 422
        else:
            try:
                item = services.workitem_create(
                    user=user,
                    title=form["title"],
                    description=form["description"],
                    department_ids=form["department_ids"],
                    deadline=deadline,
                )
            except DomainError as exc:
                extra = _error(exc, CREATE_FIELDS, "title")
                status = exc.status
            else:
                messages.success(request, _("督办事项已交办。"))
                return redirect("office:workitem_detail", item_id=item.pk)
    context = {"form": form, "departments": _assignable(user), **extra}
    return render(request, "office/workitem_new.html", context, status=status)


def _detail_context(user: Any, item: WorkItem) -> dict[str, Any]:
    is_open = item.status == WorkItemStatus.OPEN
    return {
        "item": item,
        "assignments": list(item.assignments.all()),
        "mine": selectors.my_assignments(user, item) if is_open else [],
        "may_remind": is_open
        and (item.assigned_by_id == user.pk or services.may_remind(user, item)),
        "may_close": is_open and item.assigned_by_id == user.pk,
        "report_form": {"department_id": "", "text": "", "percent": ""},
    }


@staff_only
@require_safe
def workitem_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.workitem_for_viewer(user, item_id)
    return render(request, "office/workitem_detail.html", _detail_context(user, item))


@staff_only
@require_POST
def workitem_report(request: HttpRequest, item_id: int) -> HttpResponse:
    user: Any = request.user
    form = {
        "department_id": request.POST.get("department_id", "")[:12],
        "text": request.POST.get("text", "")[:10000],
        "percent": request.POST.get("percent", "")[:5],
    }
    department_id = _int(form["department_id"])
    percent = _int(form["percent"])
    try:
        services.workitem_report(
            user=user,
            item_id=item_id,
            department_id=department_id if department_id is not None else -1,
            text=form["text"],
            percent=percent if percent is not None else -1,
        )
    except DomainError as exc:
        extra = _error(exc, REPORT_FIELDS, "text")
        item = selectors.workitem_for_viewer(user, item_id)
        context = {**_detail_context(user, item), "report_form": form, **extra}
        return render(request, "office/workitem_detail.html", context, status=exc.status)
    messages.success(request, _("进展已报告。"))
    return redirect("office:workitem_detail", item_id=item_id)


@staff_only
@require_POST
def workitem_remind(request: HttpRequest, item_id: int) -> HttpResponse:
    user: Any = request.user
    try:
        told = services.workitem_remind(
            user=user, item_id=item_id, note=request.POST.get("note", "")[:4000]
        )
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已催办，通知了 %(n)d 人。") % {"n": told})
    return redirect("office:workitem_detail", item_id=item_id)


@staff_only
@require_http_methods(["GET", "POST"])
def workitem_close(request: HttpRequest, item_id: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.workitem_for_viewer(user, item_id)
    if item.assigned_by_id != user.pk:
        raise PermissionDenied(_("只有交办人可以办结督办事项"))
    form = {"evaluation": "", "comment": ""}
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = {
            "evaluation": request.POST.get("evaluation", "")[:2],
            "comment": request.POST.get("comment", "")[:4000],
        }
        evaluation = _int(form["evaluation"])
        try:
            services.workitem_close(
                user=user,
                item_id=item_id,
                evaluation=evaluation if evaluation is not None else 0,
                comment=form["comment"],
            )
        except DomainError as exc:
            extra = _error(exc, CLOSE_FIELDS, "evaluation")
            status = exc.status
        else:
            messages.success(request, _("督办事项已办结。"))
            return redirect("office:workitem_detail", item_id=item_id)
    context = {
        "item": item,
        "form": form,
        "evaluations": Evaluation.choices,
        **extra,
    }
    return render(request, "office/workitem_close.html", context, status=status)


@staff_only
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    """督查: warned and overdue office steps and work items for supervisors and leaders."""
    user: Any = request.user
    clock_selectors.require_supervisor(user)
    level = request.GET.get("level") or None
    if level not in (None, "yellow", "red"):
        level = None
    steps = selectors.overdue_page(
        user=user, kind="steps", level=level, cursor=request.GET.get("steps") or None
    )
    items = selectors.overdue_page(
        user=user, kind="work_items", level=level, cursor=request.GET.get("items") or None
    )
    context = {
        "steps": steps.items,
        "steps_next": steps.next_cursor,
        "work_items": items.items,
        "items_next": items.next_cursor,
        "level": level or "",
    }
    return render(request, "office/overdue.html", context)
