"""Reactions to authentication signals: every login and failed login is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from oauth2_provider.models import get_application_model

from tongban.accounts.selectors import OIDC_ORIGINS_CACHE_KEY
from tongban.core.services import audit_record


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="login.success", actor=user, object_type="user", object_id=user.pk)


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="logout", actor=user, object_type="user", object_id=user.pk)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    audit_record(
        action="login.failed",
        object_type="username",
        object_id=str(credentials.get("username", ""))[:80],
        detail={"locked": bool(getattr(request, "axes_locked_out", False))},
    )


def _on_client_change(sender: Any, **kwargs: Any) -> None:
    # Registered redirect origins feed the CSP of the sign-in pages (SsoFormActionMiddleware).
    cache.delete(OIDC_ORIGINS_CACHE_KEY)


def connect() -> None:
    application_model = get_application_model()
    post_save.connect(_on_client_change, sender=application_model, dispatch_uid="tongban.oidc_save")
    post_delete.connect(
        _on_client_change, sender=application_model, dispatch_uid="tongban.oidc_delete"
    )
    user_logged_in.connect(_on_login, dispatch_uid="tongban.accounts.login")
    user_logged_out.connect(_on_logout, dispatch_uid="tongban.accounts.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="tongban.accounts.login_failed")
