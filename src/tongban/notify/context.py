"""Template context for the portal header: the 我的消息 link with the unread count."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from tongban.notify.selectors import UNREAD_CAP, unread_count


class UnreadBadge:
    """Counts lazily (only pages that show the header query), at most once per page."""

    def __init__(self, user: AbstractBaseUser | AnonymousUser):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)

    @property
    def label(self) -> str:
        return f"{UNREAD_CAP - 1}+" if self.count >= UNREAD_CAP else str(self.count)


def unread_messages(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_badge": UnreadBadge(user)}
