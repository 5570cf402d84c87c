"""Staff workbench pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.accounts.selectors import (
    can_reveal_personal_data,
    citizen_directory,
    citizen_get,
    user_summary,
)
from tongban.accounts.services import personal_data_reveal
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.workflow.selectors import Decision, task_inbox
from tongban.workflow.services import task_claim, task_complete

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if getattr(request.user, "kind", None) != "staff":
            raise PermissionDenied(_("工作台仅供政务工作人员使用"))
        return view(request, *args, **kwargs)

    return wrapper


@staff_only
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/index.html", {"summary": user_summary(request.user)})  # type: ignore[arg-type]


@staff_only
@require_safe
def citizens(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = citizen_directory(
        viewer=request.user,  # type: ignore[arg-type]
        query=query,
        cursor=request.GET.get("cursor"),
    )
    return render(
        request,
        "workbench/citizens.html",
        {"page": page, "q": query, "can_reveal": can_reveal_personal_data(request.user)},  # type: ignore[arg-type]
    )


@staff_only
@require_POST
def citizen_reveal(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = citizen_get(user_id=user_id)
    context: dict[str, object] = {"profile": profile}
    try:
        context["revealed"] = personal_data_reveal(
            viewer=request.user,  # type: ignore[arg-type]
            citizen_user_id=user_id,
            reason=request.POST.get("reason", ""),
        )
    except ValidationFailed as exc:
        context["error"] = exc.message
        return render(request, "workbench/reveal.html", context, status=exc.status)
    return render(request, "workbench/reveal.html", context)


@staff_only
@require_safe
def tasks(request: HttpRequest, box: str = "todo") -> HttpResponse:
    page = task_inbox(user=request.user, box=box, cursor=request.GET.get("cursor"))
    return render(
        request,
        "workbench/tasks.html",
        {"page": page, "box": box, "decisions": Decision.choices},
    )


@staff_only
@require_POST
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    """Claim or complete a task from the inbox page, then return to it with the outcome."""
    try:
        if action == "claim":
            task_claim(task_id=task_id, user=request.user)
            messages.success(request, _("已签收任务。"))
        else:
            task_complete(
                task_id=task_id,
                user=request.user,
                decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("已办理完毕。"))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    return redirect("workbench:tasks")
