"""Reads of notifications: a user's inbox and the unread badge."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from tongban.core.pagination import Page, keyset_page
from tongban.notify.models import Delivery, Notification

UNREAD_CAP = 100  # the badge shows "99+" beyond this; no unbounded COUNT(*)
PAGE_SIZE = 20


def notifications_for(
    *,
    user: AbstractBaseUser | AnonymousUser,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    unread_only: bool = False,
) -> Page[Notification]:
    """The user's notifications, newest first (keyset-paginated)."""
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, size=size)


def unread_count(user: AbstractBaseUser | AnonymousUser) -> int:
    """Unread notifications of ``user``, counted up to ``UNREAD_CAP``."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    return unread[:UNREAD_CAP].count()


def deliveries_of(notification_id: int) -> list[Delivery]:
    return list(Delivery.objects.filter(notification_id=notification_id).order_by("channel"))
