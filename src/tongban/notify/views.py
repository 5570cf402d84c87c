"""我的消息 pages: the inbox and the mark-read forms (no JavaScript needed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.notify import selectors, services


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the page the form was on (same site only), else the inbox."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notify:list")
    return HttpResponseRedirect(target)


@login_required
@require_safe
def message_list(request: HttpRequest, unread_only: bool = False) -> HttpResponse:
    page = selectors.notifications_for(
        user=request.user, cursor=request.GET.get("cursor"), unread_only=unread_only
    )
    return render(
        request,
        "notify/list.html",
        {"page": page, "unread_only": unread_only, "here": request.get_full_path()},
    )


@login_required
@require_POST
def message_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    messages.success(request, _("已标为已读。"))
    return _back(request)


@login_required
@require_POST
def message_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return _back(request)
