"""My notifications over HTTP: list, mark one read, mark all read."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.notify import selectors, services
from tongban.notify.models import Notification

router = Router(tags=["消息通知"], auth=API_AUTH)


class NotificationOut(Schema):
    id: int
    topic: str
    title: str
    body: str
    link: str
    read: bool
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next: str | None


class UnreadOut(Schema):
    unread: int
    capped: bool


class ReadAllOut(Schema):
    updated: int


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.pk,
        topic=notification.topic,
        title=notification.title,
        body=notification.body,
        link=notification.link,
        read=notification.read_at is not None,
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **errors(401, 422)},
    summary="我的消息（最新在前；unread=true 只看未读）",
)
def notification_list(
    request: HttpRequest, cursor: str | None = None, size: int = 20, unread: bool = False
) -> NotificationPageOut:
    page = selectors.notifications_for(
        user=caller(request), cursor=cursor, size=size, unread_only=unread
    )
    return NotificationPageOut(
        items=[notification_out(n) for n in page.items], next=next_url(request, page.next_cursor)
    )


@router.get(
    "/notifications/unread-count",
    response={200: UnreadOut, **errors(401)},
    summary="未读消息数（超过 99 条时 capped 为 true）",
)
def notification_unread_count(request: HttpRequest) -> UnreadOut:
    count = selectors.unread_count(caller(request))
    return UnreadOut(
        unread=min(count, selectors.UNREAD_CAP - 1), capped=count >= selectors.UNREAD_CAP
    )


@router.post(
    "/notifications/read-all",
    response={200: ReadAllOut, **errors(401)},
    summary="全部标为已读",
)
def notification_read_all(request: HttpRequest) -> ReadAllOut:
    return ReadAllOut(updated=services.notifications_mark_all_read(user=caller(request)))


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **errors(401, 404)},
    summary="标为已读",
)
def notification_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    notification = services.notification_mark_read(
        user=caller(request), notification_id=notification_id
    )
    return notification_out(notification)
