"""API authentication shared by every router: platform bearer tokens or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from tongban.accounts import selectors, services
from tongban.accounts.models import User, UserKind
from tongban.core.errors import NotAuthenticated


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` issued by ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = selectors.user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class StaffAwareSession(SessionAuth):
    """The signed-in browser user, with Django's CSRF check on unsafe methods; staff who
    must use MFA count only after confirming their code."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated or not isinstance(user, User):
            return None
        if (
            user.kind == UserKind.STAFF
            and services.mfa_required_for(user)
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            return None
        return user


API_AUTH = [BearerToken(), StaffAwareSession()]


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):
        raise NotAuthenticated(_("请先登录"))
    return user
