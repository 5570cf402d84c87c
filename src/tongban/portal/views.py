"""Portal pages: division homes, news, "my space" and display preferences."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.accounts.selectors import user_summary
from tongban.core.errors import NotFound
from tongban.disclosure.selectors import article_get, article_list
from tongban.interaction.selectors import mailbox_page, public_letter
from tongban.org.selectors import (
    department_list,
    division_ancestors,
    division_children,
    division_get,
    division_root,
)
from tongban.portal.context import ELDERLY_COOKIE


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    root = division_root()
    if root is None:
        return render(request, "portal/empty.html")
    return division_home(request, root.code)


@require_safe
def division_home(request: HttpRequest, code: str) -> HttpResponse:
    division = division_get(code)
    news = article_list(division_code=code, cursor=request.GET.get("news"), size=5)
    departments = department_list(division_code=code, cursor=request.GET.get("dept"), size=6)
    return render(
        request,
        "portal/division.html",
        {
            "division": division,
            "ancestors": division_ancestors(division)[:-1],
            "children": division_children(code),
            "news": news,
            "departments": departments,
        },
    )


@require_safe
def article_detail(request: HttpRequest, code: str, article_id: int) -> HttpResponse:
    article = article_get(division_code=code, article_id=article_id)
    return render(request, "portal/article.html", {"article": article})


@require_safe
def interact(request: HttpRequest) -> HttpResponse:
    """The government–citizen interaction hub (互动交流): every way to be heard, and the
    latest published letters."""
    letters = [public_letter(appeal) for appeal in mailbox_page(cursor=None, size=5).items]
    return render(
        request,
        "portal/interact.html",
        {"letters": letters, "root": division_root()},
    )


@login_required
@require_safe
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/me.html", {"summary": user_summary(request.user)})  # type: ignore[arg-type]


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def elderly_mode(request: HttpRequest) -> HttpResponse:
    """Switch the elderly-friendly display (适老化) on or off; remembered for a year."""
    enabled = request.POST.get("enabled") == "1"
    response = HttpResponseRedirect(safe_next(request, reverse("portal:home")))
    response.set_cookie(
        ELDERLY_COOKIE,
        "1" if enabled else "0",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.message if isinstance(exception, NotFound) else _("您访问的页面不存在")
    return render(request, "error.html", {"message": message}, status=404)


RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """An unhandled error: 503 with a retry hint when the database is unreachable (it is
    restarting or failing over; nothing was written), else 500. The page is rendered
    without the request's context, which would read the database again."""
    failed = sys.exc_info()[1]
    unavailable = isinstance(failed, OperationalError | InterfaceError)
    if unavailable:
        status, code = 503, "service_unavailable"
        title, message = _("服务暂时不可用"), _("系统正在恢复，请稍后重试。")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # The connection may have dropped after the write committed.
            message = _(
                "系统正在恢复，请稍后重试。刚才的操作可能已经生效，请先查看结果，避免重复提交。"
            )
    else:
        status, code = 500, "server_error"
        title, message = _("系统出错了"), _("系统出现错误，我们已记录，请稍后重试。")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": code, "message": message, "field": None}, status=status
        )
    else:
        context = {"title": title, "message": message, "LANGUAGE_CODE": get_language()}
        response = HttpResponse(render_to_string("server_error.html", context), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
