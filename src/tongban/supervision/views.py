"""Supervision pages: the supervisor's lists and statistics, rectifications, the public
rating scores and the applicant's rating form target. Every page works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.core.charts import bar_chart
from tongban.core.decorators import staff_only
from tongban.core.errors import Conflict, ValidationFailed
from tongban.supervision import selectors, services
from tongban.supervision.models import Outcome, SuspensionKind

View = Callable[..., HttpResponse]


def _date_param(request: HttpRequest, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    value = parse_date(raw) if len(raw) == 10 else None
    if value is None:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), field=name)
    return value


@staff_only
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "").strip()[:10]
    department = request.GET.get("department", "").strip()[:40]
    page = selectors.overdue_list(
        user=request.user, level=level, department=department, cursor=request.GET.get("cursor")
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "supervision/overdue.html",
        {
            "page": page,
            "level": level,
            "department": department,
            "base_query": params.urlencode(),
            "kinds": [k for k in SuspensionKind.choices if k[0] != SuspensionKind.CORRECTION],
        },
    )


@staff_only
@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    division = request.GET.get("division", "").strip()[:6]
    result = selectors.supervision_stats(
        user=request.user,
        division=division,
        date_from=_date_param(request, "from"),
        date_to=_date_param(request, "to"),
    )
    chart = bar_chart(
        [
            (f"{row.division_name}{row.department_name}", (row.accepted, row.completed))
            for row in result.departments[:30]
        ],
        title=_("各部门受理与办结件数"),
        series=(_("受理"), _("办结")),
    )
    return render(
        request,
        "supervision/stats.html",
        {"stats": result, "division": division, "chart": chart},
    )


@staff_only
@require_safe
def rectifications(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()[:12]
    page = selectors.rectification_list(
        user=request.user, status=status, cursor=request.GET.get("cursor")
    )
    return render(
        request,
        "supervision/rectifications.html",
        {
            "page": page,
            "status": status,
            "outcomes": [
                (Outcome.FIXED.value, Outcome.FIXED.label),
                (Outcome.EXPLAINED.value, Outcome.EXPLAINED.label),
            ],
        },
    )


RECTIFICATION_ACTIONS = {"callback", "close", "appeal", "decide"}


@login_required
@require_POST
def rectification_action(request: HttpRequest, rectification_id: int, action: str) -> HttpResponse:
    """Call back, close, appeal or decide from the rectification page, then go back to it."""
    post, user = request.POST, request.user
    try:
        if action == "callback":
            services.rectification_callback(
                user=user, rectification_id=rectification_id, note=post.get("note", "")
            )
            messages.success(request, _("已记录回访情况。"))
        elif action == "close":
            services.rectification_close(
                user=user,
                rectification_id=rectification_id,
                outcome=post.get("outcome", ""),
                note=post.get("note", ""),
            )
            messages.success(request, _("整改已办结。"))
        elif action == "appeal":
            services.rating_appeal(
                user=user, rectification_id=rectification_id, reason=post.get("reason", "")
            )
            messages.success(request, _("申诉已提交，等待电子监察员复核。"))
        else:
            services.appeal_decide(
                user=user,
                rectification_id=rectification_id,
                upheld=post.get("upheld") == "1",
                note=post.get("note", ""),
            )
            messages.success(request, _("已复核申诉。"))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    if getattr(user, "kind", None) != "staff":
        return redirect(_safe_next(request, "/me/"))
    return redirect("supervision:rectifications")


CLOCK_ACTIONS = {"suspend", "resume", "extend"}


@staff_only
@require_POST
def clock_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Suspend, resume or extend a clock from the supervision list."""
    post, user = request.POST, request.user
    try:
        if action == "suspend":
            services.clock_suspend(
                case_id=case_id, user=user, kind=post.get("kind", ""), reason=post.get("reason", "")
            )
            messages.success(request, _("已中止计时。"))
        elif action == "resume":
            services.clock_resume(case_id=case_id, user=user)
            messages.success(request, _("已恢复计时。"))
        else:
            raw_days = post.get("days", "")
            if not raw_days.isdigit():
                raise ValidationFailed(_("延长的工作日数应为正整数"), field="days")
            services.clock_extend(
                case_id=case_id, user=user, days=int(raw_days), reason=post.get("reason", "")
            )
            messages.success(request, _("已延长办理期限。"))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    return redirect(_safe_next(request, "/supervision/"))


def _safe_next(request: HttpRequest, default: str) -> str:
    """``next`` from the form if it is a local path on this site, else ``default``."""
    target = request.POST.get("next", "")
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    if local and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def rate(request: HttpRequest, case_id: int) -> HttpResponse:
    """The target of ``supervision/_rating_form.html`` on the applicant's case page."""
    raw = request.POST.get("score", "")
    try:
        if not raw.isdigit():
            raise ValidationFailed(_("请选择满意度（1到5星）"), field="score")
        rating = services.rating_submit(
            user=request.user,
            case_id=case_id,
            score=int(raw),
            comment=request.POST.get("comment", ""),
            channel="pc",
        )
        if rating.score <= 2:
            messages.success(request, _("感谢您的评价。办理部门将回访并限期整改。"))
        else:
            messages.success(request, _("感谢您的评价。"))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    return redirect(_safe_next(request, "/me/"))


@require_safe
def ratings_public(request: HttpRequest) -> HttpResponse:
    division = request.GET.get("division", "").strip()[:6]
    scores = selectors.department_scores(division=division)
    return render(request, "supervision/ratings.html", {"scores": scores, "division": division})
