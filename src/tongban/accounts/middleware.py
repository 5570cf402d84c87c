"""Staff MFA enforcement for pages: a staff member who must use TOTP is sent to enrol or
to confirm a code before any other page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tongban.accounts.models import User, UserKind
from tongban.accounts.selectors import mfa_device_confirmed
from tongban.accounts.services import mfa_required_for

# The API is exempt here because its session authentication refuses unverified staff.
EXEMPT_PREFIXES = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/static/",
    "/i18n/",
    "/api/",
    "/healthz",
    "/readyz",
)


class StaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.kind == UserKind.STAFF
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not getattr(user, "is_verified", lambda: False)()  # set by OTPMiddleware
            and mfa_required_for(user)
        ):
            if mfa_device_confirmed(user):
                return redirect("accounts:mfa_verify")
            return redirect("accounts:mfa_setup")
        return self.get_response(request)
