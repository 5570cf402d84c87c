"""Internal request pages (征求意见函) under /workbench/office/requests/: the department's
incoming and outgoing requests, one request with its reply form, and the form that raises
a request from a case. Thin: parse, call one service or selector, render; a form error is
shown next to its field, a refusal goes to the error-page middleware (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.cases import selectors as cases
from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.office.selectors import internal as selectors
from tongban.office.services import internal as services

BOX_LABELS = {"incoming": _("收到的征求意见"), "outgoing": _("发出的征求意见")}
FORM_FIELDS = ("to_department", "subject", "body", "due_days")


def _case_page(case_id: int) -> str:
    return f"/workbench/cases/{case_id}/"


@staff_only
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "incoming")
    if box not in selectors.BOXES:
        box = "incoming"
    page = selectors.requests_page(
        user=request.user, box=box, cursor=request.GET.get("cursor") or None
    )
    today = timezone.localdate()
    rows = [(r, selectors.is_overdue(r, today)) for r in page.items]
    return render(
        request,
        "office/request_list.html",
        {
            "box": box,
            "boxes": [(key, str(BOX_LABELS[key])) for key in selectors.BOXES],
            "box_label": str(BOX_LABELS[box]),
            "rows": rows,
            "next_cursor": page.next_cursor,
        },
    )


def _detail_page(
    request: HttpRequest, item: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "item": item,
        "from_department": selectors.department_ref(item.from_department),
        "to_department": selectors.department_ref(item.to_department),
        "overdue": selectors.is_overdue(item, timezone.localdate()),
        "can_reply": selectors.can_reply(request.user, item),
        "case_url": _case_page(item.case_id),
        "form": {},
        **extra,
    }
    return render(request, "office/request_detail.html", context, status=status)


@staff_only
@require_safe
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail_page(
        request, selectors.request_for_staff(user=request.user, request_id=request_id)
    )


@staff_only
@require_POST
def request_reply(request: HttpRequest, request_id: int) -> HttpResponse:
    reply = request.POST.get("reply", "")
    try:
        services.request_reply(user=request.user, request_id=request_id, reply=reply)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        current = selectors.request_for_staff(user=request.user, request_id=request_id)
        return _detail_page(
            request,
            current,
            status=exc.status,
            form={"reply": reply[:5000]},
            error=exc.message,
            error_field=exc.field or "reply",
        )
    messages.success(request, _("已回复，回复意见已记入办件的办理过程。"))
    return redirect("office:request_detail", request_id=request_id)


def _int_or_zero(value: str) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else 0


@staff_only
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """发起征求意见: the form opened from the staff case page (``?case=<id>``)."""
    case_id = _int_or_zero(request.GET.get("case", "") or request.POST.get("case", ""))
    case = cases.case_for_viewer(user=request.user, case_id=case_id)
    department = selectors.requesting_department(request.user, case)
    if department is None:
        raise PermissionDenied(_("只有办理该办件的部门工作人员可以发起征求意见"))
    form: dict[str, str] = {"due_days": "3"}
    error: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:5000] for k in FORM_FIELDS}
        try:
            services.request_raise(
                user=request.user,
                case_id=case.pk,
                to_department_id=_int_or_zero(form["to_department"]),
                subject=form["subject"],
                body=form["body"],
                due_days=_int_or_zero(form["due_days"]),
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            status = exc.status
            field = exc.field if exc.field in FORM_FIELDS else "subject"
            error = {"error": exc.message, "error_field": field}
        else:
            messages.success(request, _("征求意见函已发出，已记入办件的办理过程。"))
            return redirect(_case_page(case.pk))
    context = {
        "case": case,
        "department": selectors.department_ref(department),
        "targets": [
            selectors.department_ref(d)
            for d in selectors.target_departments(case, exclude_id=department.pk)
        ],
        "form": form,
        "case_url": _case_page(case.pk),
        "min_days": services.MIN_DUE_DAYS,
        "max_days": services.MAX_DUE_DAYS,
        **error,
    }
    return render(request, "office/request_new.html", context, status=status)
