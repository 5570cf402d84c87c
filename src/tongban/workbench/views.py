"""Staff workbench pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.accounts.selectors import (
    can_reveal_personal_data,
    citizen_directory,
    citizen_get,
    user_summary,
)
from tongban.accounts.services import personal_data_reveal
from tongban.cases import selectors as cases
from tongban.cases import services as case_services
from tongban.core.decorators import staff_only
from tongban.core.errors import Conflict, ValidationFailed
from tongban.office.selectors import internal as office_requests
from tongban.workflow.selectors import Decision, task_inbox, tasks_of_instance
from tongban.workflow.services import can_work_on, task_claim, task_complete

View = Callable[..., HttpResponse]


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
    rows = [(task, _case_id(task)) for task in page.items]
    numbers = cases.case_numbers([case_id for _task, case_id in rows if case_id])
    items = [
        {"task": task, "case_id": case_id, "case_number": numbers.get(case_id or 0, "")}
        for task, case_id in rows
    ]
    return render(
        request,
        "workbench/tasks.html",
        {"page": page, "items": items, "box": box, "decisions": Decision.choices},
    )


def _case_id(task: Any) -> int | None:
    business = task.instance
    if business.business_type == "case" and business.business_id.isdigit():
        return int(business.business_id)
    return None


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
    return redirect(_back_to(request))


def _back_to(request: HttpRequest) -> str:
    """Back to the page the form was on (the inbox or a case page), never off the workbench."""
    target = request.POST.get("next", "")
    if target.startswith("/workbench/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/workbench/tasks/"


OPEN_TASK = ("open", "claimed")


@staff_only
@require_safe
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case as staff see it: facts, form, materials, timeline and their open tasks on it.

    Staff who may not see the case get 'not found' (``case_for_viewer``)."""
    case = cases.case_for_viewer(user=request.user, case_id=case_id)
    tasks = []
    if case.process_instance_id is not None:
        tasks = [
            t
            for t in tasks_of_instance(case.process_instance_id)
            if t.status in OPEN_TASK
            and (t.status == "open" or t.claimed_by_id == request.user.pk)
            and can_work_on(request.user, t)
        ]
    schema = case_services.case_form_schema(case)
    titles = {
        key: str(spec.get("title") or key)
        for key, spec in schema.get("properties", {}).items()
        if isinstance(spec, dict)
    }
    form_rows = [
        (titles.get(key, key), _display(value)) for key, value in (case.form or {}).items()
    ]
    materials = cases.case_materials(case)
    provided = {m.name for m in materials}
    return render(
        request,
        "workbench/case.html",
        {
            "case": case,
            "timeline": cases.case_timeline(case, internal=True),
            "form_rows": form_rows,
            "materials": materials,
            "missing": [
                name
                for name, required in case_services.required_material_names(case)
                if required and name not in provided
            ],
            "corrections": cases.case_corrections(case),
            "fetched": cases.case_fetched(case),
            "tasks": tasks,
            "decisions": Decision.choices,
            "internal_requests": office_requests.requests_of_case(case_id=case.pk),
            "can_raise_request": office_requests.can_raise(request.user, case),
        },
    )


def _display(value: object) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)
