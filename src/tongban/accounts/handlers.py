"""Reactions to authentication signals: every login and failed login is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

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


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="tongban.accounts.login")
    user_logged_out.connect(_on_logout, dispatch_uid="tongban.accounts.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="tongban.accounts.login_failed")
