"""Appeal pages: the submission form, the submitter's own appeals with the follow-up,
the public mailbox (公开信箱), and the staff inbox, overdue list and detail with the
step forms. Thin: parse, call one service or selector, render; a ``DomainError`` from a
form is shown next to the field, a refusal goes to the error-page middleware (audited)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import DomainError, NotFound, PermissionDenied, RateLimited
from tongban.core.throttling import ClientRateThrottle
from tongban.interaction import selectors, services
from tongban.interaction.models import (
    ANONYMOUS_TYPES,
    Appeal,
    AppealStatus,
    AppealType,
    Satisfaction,
)
from tongban.org.selectors import division_list

FORM_FIELDS = ("appeal_type", "title", "content", "division_code", "location", "contact_phone")


def _check_rate(request: HttpRequest) -> None:
    """Anonymous posts and code look-ups share the API's per-address rate."""
    throttle = ClientRateThrottle("appeal_public", settings.TONGBAN_RATE_STATUS)
    if not throttle.allow_request(request):
        raise RateLimited(_("操作过于频繁，请稍后再试"))


def _divisions() -> list[Any]:
    return list(division_list(size=100).items)


def _timeline(appeal: Appeal) -> list[dict[str, Any]]:
    return [
        {"step": s, "label": selectors.ACTION_LABELS.get(s.action, s.action)}
        for s in selectors.appeal_steps(appeal)
    ]


def _error_context(exc: DomainError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    return {"error": exc.message, "error_field": exc.field if exc.field in fields else default}


# ---------------------------------------------------------------------------- portal


def _new_page(request: HttpRequest, form: dict[str, Any], **extra: Any) -> HttpResponse:
    context = {
        "form": form,
        "types": AppealType.choices,
        "anonymous_types": [str(AppealType(t).label) for t in sorted(ANONYMOUS_TYPES)],
        "divisions": _divisions(),
        "max_files": services.MAX_ATTACHMENTS,
        **extra,
    }
    return render(request, "interaction/new.html", context, status=extra.get("status", 200))


@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # 智能问答 sends a citizen it could not help here with the question already filled in.
        chosen = request.GET.get("type", "")
        prefill = {
            "allow_publication": True,
            "title": request.GET.get("title", "").strip()[:100],
            "appeal_type": chosen if chosen in AppealType.values else "",
        }
        return _new_page(request, prefill)
    _check_rate(request)
    form: dict[str, Any] = {f: request.POST.get(f, "")[:4000] for f in FORM_FIELDS}
    form["allow_publication"] = request.POST.get("allow_publication") == "on"
    try:
        submitted = services.appeal_submit(
            user=request.user, files=request.FILES.getlist("attachments"), **form
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        fields = (*FORM_FIELDS, "attachments")
        return _new_page(request, form, status=exc.status, **_error_context(exc, fields, "title"))
    if submitted.query_code:
        # Shown once: the code is stored only as a keyed hash.
        return render(request, "interaction/submitted.html", {"submitted": submitted})
    messages.success(
        request, _("诉求已提交，编号 %(number)s。") % {"number": submitted.appeal.number}
    )
    return redirect("interaction:appeal_detail", number=submitted.appeal.number)


@login_required
@require_safe
def appeals_mine(request: HttpRequest) -> HttpResponse:
    page = selectors.mine_page(request.user, cursor=request.GET.get("cursor") or None)
    return render(
        request, "interaction/mine.html", {"appeals": page.items, "next_cursor": page.next_cursor}
    )


def _detail_page(
    request: HttpRequest, appeal: Appeal, code: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "appeal": appeal,
        "code": code,
        "timeline": _timeline(appeal),
        "satisfactions": Satisfaction.choices,
        "may_follow_up": appeal.status == AppealStatus.REPLIED,
        **extra,
    }
    return render(request, "interaction/detail.html", context, status=status)


@require_safe
def appeal_detail(request: HttpRequest, number: str) -> HttpResponse:
    code = request.GET.get("code", "")[:20]
    if not request.user.is_authenticated and not code:
        return render(request, "interaction/lookup.html", {"number": number})
    appeal = selectors.appeal_for_submitter(user=request.user, number=number, code=code)
    return _detail_page(request, appeal, code)


@require_safe
def appeal_lookup(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip()[:20]
    code = request.GET.get("code", "").strip()[:20]
    if not number or not code:
        return render(request, "interaction/lookup.html", {"number": number})
    _check_rate(request)
    try:
        appeal = selectors.appeal_for_submitter(user=None, number=number, code=code)
    except (NotFound, PermissionDenied):
        context = {"number": number, "error": _("诉求编号或查询码不正确")}
        return render(request, "interaction/lookup.html", context, status=404)
    return _detail_page(request, appeal, code)


@require_POST
def appeal_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    _check_rate(request)
    code = request.POST.get("code", "")[:20]
    form = {
        "satisfaction": request.POST.get("satisfaction", ""),
        "comment": request.POST.get("comment", "")[:600],
    }
    try:
        services.appeal_follow_up(
            actor=request.user,
            number=number,
            code=code,
            satisfaction=form["satisfaction"],
            comment=form["comment"],
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        appeal = selectors.appeal_for_submitter(user=request.user, number=number, code=code)
        context = _error_context(exc, ("satisfaction", "comment"), "satisfaction")
        return _detail_page(request, appeal, code, status=exc.status, form=form, **context)
    messages.success(request, _("感谢您的评价。"))
    if code:
        detail = reverse("interaction:appeal_detail", kwargs={"number": number})
        return redirect(f"{detail}?{urlencode({'code': code})}")
    return redirect("interaction:appeal_detail", number=number)


@require_safe
def mailbox(request: HttpRequest) -> HttpResponse:
    page = selectors.mailbox_page(cursor=request.GET.get("cursor") or None)
    letters = [selectors.public_letter(a) for a in page.items]
    return render(
        request, "interaction/mailbox.html", {"letters": letters, "next_cursor": page.next_cursor}
    )


@require_safe
def mailbox_detail(request: HttpRequest, number: str) -> HttpResponse:
    letter = selectors.public_letter(selectors.mailbox_get(number))
    return render(request, "interaction/mailbox_detail.html", {"letter": letter})


# ---------------------------------------------------------------------------- workbench


def staff_only(view: Any) -> Any:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_roles(request.user):  # type: ignore[arg-type]
            raise PermissionDenied(_("该页面仅供工作人员使用"))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


BOXES = {
    "sign": _("待签收"),
    "handle": _("办理中"),
    "dispatch": _("待派单与退单"),
}


@staff_only
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "sign")
    if box not in BOXES:
        box = "sign"
    page = selectors.inbox_page(request.user, box=box, cursor=request.GET.get("cursor") or None)
    context = {
        "box": box,
        "boxes": [(key, str(label)) for key, label in BOXES.items()],
        "appeals": page.items,
        "next_cursor": page.next_cursor,
        "is_supervisor": bool(selectors.supervisor_paths(request.user)),
    }
    return render(request, "interaction/inbox.html", context)


@staff_only
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    page = selectors.overdue_page(request.user, cursor=request.GET.get("cursor") or None)
    return render(
        request,
        "interaction/overdue.html",
        {"appeals": page.items, "next_cursor": page.next_cursor},
    )


def _staff_page(
    request: HttpRequest, appeal: Appeal, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    lead = selectors.is_handler(user, appeal.department_id)
    dispatcher = selectors.is_dispatcher(user, appeal)
    co_handled = [
        a
        for a in selectors.appeal_assignments(appeal)
        if not a.lead and selectors.is_handler(user, a.department_id)
    ]
    context = {
        "appeal": appeal,
        "timeline": _timeline(appeal),
        "assignments": selectors.appeal_assignments(appeal),
        "lead": lead,
        "dispatcher": dispatcher,
        "co_handled": co_handled,
        "targets": selectors.dispatch_targets(user) if dispatcher else [],
        "proposed_department": selectors.proposed_department(appeal),
        "satisfactions": Satisfaction.choices,
        "form": {},
        **extra,
    }
    return render(request, "interaction/staff_detail.html", context, status=status)


@staff_only
@require_safe
def staff_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _staff_page(request, selectors.appeal_for_staff(user=request.user, number=number))


def _int_or_zero(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _run_step(request: HttpRequest, action: str, number: str) -> Appeal:
    post, user = request.POST, request.user
    if action == "dispatch":
        ids = [_int_or_zero(v) for v in post.getlist("department_ids")]
        lead = _int_or_zero(post.get("lead_id", "")) or None
        return services.appeal_dispatch(actor=user, number=number, department_ids=ids, lead_id=lead)
    if action == "sign":
        return services.appeal_sign(actor=user, number=number)
    if action == "return":
        return services.appeal_return(actor=user, number=number, reason=post.get("reason", ""))
    if action == "transfer":
        return services.appeal_transfer(
            actor=user,
            number=number,
            department_id=_int_or_zero(post.get("department_id", "")),
            reason=post.get("reason", ""),
        )
    if action == "extend":
        return services.appeal_extension_request(
            actor=user,
            number=number,
            days=_int_or_zero(post.get("days", "")),
            reason=post.get("reason", ""),
        )
    if action == "decide":
        approve = post.get("approve") == "yes"
        return services.appeal_extension_decide(actor=user, number=number, approve=approve)
    if action == "opinion":
        return services.appeal_opinion(
            actor=user,
            number=number,
            department_id=_int_or_zero(post.get("department_id", "")),
            opinion=post.get("opinion", ""),
        )
    if action == "reply":
        return services.appeal_reply(actor=user, number=number, reply=post.get("reply", ""))
    if action == "follow_up":
        return services.appeal_follow_up(
            actor=user,
            number=number,
            satisfaction=post.get("satisfaction", ""),
            comment=post.get("comment", ""),
        )
    if action == "publish":
        return services.appeal_publish(actor=user, number=number)
    raise NotFound(_("不支持的操作"))


STEP_FIELDS = (
    "reason",
    "department_ids",
    "lead_id",
    "department_id",
    "days",
    "opinion",
    "reply",
    "satisfaction",
    "comment",
)


@staff_only
@require_POST
def staff_step(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        appeal = _run_step(request, action, number)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        current = selectors.appeal_for_staff(user=request.user, number=number)
        form = {k: request.POST.get(k, "")[:4000] for k in STEP_FIELDS}
        return _staff_page(
            request,
            current,
            status=exc.status,
            form=form,
            failed=action,
            **_error_context(exc, STEP_FIELDS, "reason"),
        )
    label = selectors.ACTION_LABELS.get(action, selectors.ACTION_LABELS["dispatch"])
    messages.success(request, _("已完成：%(action)s") % {"action": label})
    return redirect("workbench_interaction:detail", number=appeal.number)
