"""Exchange pages: the public resource catalog, and the data steward's pages (requests to
decide, grants, access log). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.exchange import selectors, services
from tongban.exchange.selectors import ResourceFilter


def steward_only(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.steward_departments(request.user):
            raise PermissionDenied(_("该页面仅供数据管理员使用"))
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    filters = ResourceFilter(
        q=request.GET.get("q", "").strip()[:100],
        department=request.GET.get("department", "").strip(),
        theme=request.GET.get("theme", "").strip()[:50],
    )
    page = selectors.resource_search(filters, cursor=request.GET.get("cursor"), size=20)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "exchange/catalog.html",
        {
            "filters": filters,
            "page": page,
            "themes": selectors.resource_themes(),
            "providers": selectors.resource_providers(),
            "base_query": params.urlencode(),
        },
    )


@require_safe
def resource(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.resource_get(code)
    return render(
        request,
        "exchange/resource.html",
        {"resource": found, "items": selectors.resource_items(found)},
    )


@steward_only
@require_safe
def requests_page(request: HttpRequest) -> HttpResponse:
    role = "consumer" if request.GET.get("role") == "consumer" else "provider"
    page = selectors.sharing_request_list(
        user=request.user, role=role, cursor=request.GET.get("cursor"), size=20
    )
    return render(request, "exchange/requests.html", {"page": page, "role": role})


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), field="expires_on") from None


@steward_only
@require_POST
def decide(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            services.sharing_request_approve(
                actor=request.user,
                request_id=request_id,
                reason=reason,
                expires_on=_date(request.POST.get("expires_on", "")),
            )
            messages.success(request, _("已批准该共享申请。"))
        elif action == "refuse":
            services.sharing_request_refuse(
                actor=request.user, request_id=request_id, reason=reason
            )
            messages.success(request, _("已拒绝该共享申请。"))
        else:
            services.grant_revoke(actor=request.user, request_id=request_id, reason=reason)
            messages.success(request, _("已撤销该共享授权。"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect("exchange_pages:requests")


@steward_only
@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    role = "consumer" if request.GET.get("role") == "consumer" else "provider"
    page = selectors.message_log_list(
        user=request.user, role=role, cursor=request.GET.get("cursor"), size=50
    )
    return render(request, "exchange/log.html", {"page": page, "role": role})
