"""Sign-in, registration and MFA pages. Thin: the rules live in services and selectors."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts import services
from tongban.accounts.models import User, UserKind
from tongban.accounts.selectors import mfa_device_confirmed
from tongban.core.errors import DomainError, PermissionDenied, RateLimited

PENDING_MFA_KEY = "tongban_mfa_pending_user"
PENDING_NEXT_KEY = "tongban_mfa_next"
REGISTER_FIELDS = ("username", "real_name", "id_number", "phone", "password")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:me")


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"next": _next_url(request), "username": ""}
    if request.method != "POST":
        return render(request, "accounts/login.html", context)
    username = request.POST.get("username", "").strip()
    context["username"] = username
    try:
        user = services.credentials_check(
            request=request, username=username, password=request.POST.get("password", "")
        )
    except RateLimited as exc:
        context["error"] = exc.message
        return render(request, "accounts/login.html", context, status=429)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "accounts/login.html", context, status=400)
    if user.kind == UserKind.STAFF and mfa_device_confirmed(user):
        # The session is not logged in until the TOTP code is confirmed.
        request.session[PENDING_MFA_KEY] = user.pk
        request.session[PENDING_NEXT_KEY] = context["next"]
        return redirect("accounts:mfa_verify")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(context["next"])


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


@require_http_methods(["GET", "HEAD", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    values = {name: request.POST.get(name, "") for name in REGISTER_FIELDS if name != "password"}
    context: dict[str, Any] = {"values": values, "errors": {}}
    if request.method != "POST":
        return render(request, "accounts/register.html", context)
    try:
        registration = services.citizen_register(
            username=values["username"],
            password=request.POST.get("password", ""),
            real_name=values["real_name"],
            id_number=values["id_number"],
            phone=values["phone"],
        )
    except DomainError as exc:
        context["errors"] = {exc.field or "__all__": exc.message}
        return render(request, "accounts/register.html", context, status=exc.status)
    login(request, registration.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("注册成功，欢迎使用一网通办。"))
    for warning in registration.warnings:
        messages.warning(request, warning)
    return redirect("portal:me")


def _pending_user(request: HttpRequest) -> User | None:
    if request.user.is_authenticated and isinstance(request.user, User):
        return request.user
    user_id = request.session.get(PENDING_MFA_KEY)
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None


@require_http_methods(["GET", "HEAD", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second step of a staff login: the current code from the authenticator app."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if user.kind != UserKind.STAFF:
        raise PermissionDenied(_("只有工作人员需要动态口令验证"))
    context: dict[str, Any] = {}
    if request.method == "POST":
        if services.otp_check(user=user, token=request.POST.get("token", "")):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            target = request.session.pop(PENDING_NEXT_KEY, None) or reverse("workbench:index")
            request.session.pop(PENDING_MFA_KEY, None)
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return HttpResponseRedirect(target)
        context["error"] = _("动态口令错误或已过期，请输入验证器中当前显示的6位数字")
        return render(request, "accounts/mfa_verify.html", context, status=400)
    return render(request, "accounts/mfa_verify.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator: show the secret as a QR code and as text, then confirm."""
    user = request.user
    assert isinstance(user, User)
    device = services.mfa_device_start(user=user)
    context: dict[str, Any] = {
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
        "secret": _base32_secret(device),
    }
    if request.method == "POST":
        try:
            confirmed = services.mfa_device_confirm(user=user, token=request.POST.get("token", ""))
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "accounts/mfa_setup.html", context, status=400)
        otp_login(request, confirmed)
        messages.success(request, _("动态口令绑定成功。"))
        return redirect("workbench:index")
    return render(request, "accounts/mfa_setup.html", context)


def _base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """What django-axes answers once a username is locked: JSON for the API, a page else."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "login_locked", "message": services.locked_message(), "field": None},
            status=429,
        )
    context = {
        "error": services.locked_message(),
        "username": (credentials or {}).get("username", ""),
        "next": _next_url(request),
    }
    return render(request, "accounts/login.html", context, status=429)
