"""Staff MFA enforcement for pages: a staff member who must use TOTP is sent to enrol or
to confirm a code before any other page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tongban.accounts.models import User, UserKind
from tongban.accounts.selectors import mfa_device_confirmed, oidc_redirect_origins
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


SSO_FORM_PATHS = ("/accounts/login/", "/accounts/mfa/verify/", "/o/authorize/")


class SsoFormActionMiddleware:
    """Lets sign-in forms finish an SSO hand-off under the CSP.

    Browsers apply ``form-action`` to every redirect that follows a form submission, so
    login -> /o/authorize/ -> a department system's callback would be blocked by
    ``form-action 'self'``. Only the pages whose forms can start that chain also allow the
    origins of the registered clients' redirect URIs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(SSO_FORM_PATHS):
            origins = oidc_redirect_origins()
            if origins:
                response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response
