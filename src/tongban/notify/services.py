"""Notify writes. The notify app owns messages to users (消息通知): the in-app inbox
(我的消息), which is always written, and delivery of the same message by email and SMS.

Other apps call ``notification_send`` (usually from their event handlers); the worker
then sends the external deliveries through the outbox (``NotificationQueued``), retrying
with back-off while a channel is down. Addresses are never stored here: they are read
from the user's account when the message is queued and again when it is sent.

Sending a notification and marking it read are not audited: neither changes what the
platform decided, and the notification row itself is the record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import citizen_get
from tongban.core.errors import NotAuthenticated, NotFound, ValidationFailed
from tongban.core.services import event_emit
from tongban.notify.channels import DeliveryFailed, Message, channel_get
from tongban.notify.events import NotificationQueued
from tongban.notify.models import Channel, Delivery, DeliveryStatus, Notification

TOPIC = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
User = AbstractBaseUser | AnonymousUser


def _address(user_id: int, channel: str) -> str:
    """Where ``channel`` reaches the user now, or "" if it cannot."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return ""
    if channel == Channel.EMAIL:
        return str(getattr(user, "email", "") or "").strip()
    if channel == Channel.SMS:
        try:
            return str(citizen_get(user_id=user_id).phone or "").strip()
        except NotFound:
            return ""
    return ""


def _validate(topic: str, title: str, link: str, channels: Sequence[str]) -> None:
    if not TOPIC.match(topic or "") or len(topic) > 100:
        raise ValidationFailed(_("消息类型代码格式不正确"), field="topic")
    if not title or len(title) > 200:
        raise ValidationFailed(_("请填写不超过 200 字的消息标题"), field="title")
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > 500):
        raise ValidationFailed(_("相关链接须为本站的相对地址"), field="link")
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValidationFailed(
            _("不支持的发送渠道：%(names)s") % {"names": ", ".join(sorted(unknown))},
            field="channels",
        )


@transaction.atomic
def notification_send(
    *,
    user_id: int,
    topic: str,
    title: str,
    body: str,
    link: str = "",
    channels: Sequence[str] = ("email", "sms"),
) -> Notification:
    """Put a message in the user's inbox and queue it on the extra ``channels``.

    ``topic`` is a stable code (``cases.accepted``); ``link`` a relative URL on this site.
    A channel for which the user has no address gets a ``skipped`` delivery. The SMS
    carries only the title, so put no identity numbers or other details in it.
    """
    title = (title or "").strip()
    link = (link or "").strip()
    _validate(topic, title, link, channels)
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise NotFound(_("接收消息的用户不存在"))
    notification = Notification.objects.create(
        recipient_id=user_id, topic=topic, title=title, body=body or "", link=link
    )
    Delivery.objects.bulk_create(
        Delivery(
            notification=notification,
            channel=channel,
            status=(
                DeliveryStatus.PENDING if _address(user_id, channel) else DeliveryStatus.SKIPPED
            ),
        )
        for channel in dict.fromkeys(channels)  # de-duplicated, order kept
    )
    event_emit(NotificationQueued(notification_id=notification.pk))
    return notification


@transaction.atomic
def delivery_send(*, notification_id: int, channel: str) -> Delivery | None:
    """Send one pending delivery (called by the worker); sent ones are never sent again.

    A temporary failure propagates, so the outbox rolls this back and retries later with
    back-off; a permanent one (the address was refused) is recorded as ``failed``.
    """
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("notification")
        .filter(notification_id=notification_id, channel=channel)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery
    notification = delivery.notification
    address = _address(notification.recipient_id, channel)
    if not address:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.save(update_fields=["status"])
        return delivery
    message = Message(title=notification.title, body=notification.body, link=notification.link)
    delivery.attempts += 1
    try:
        channel_get(channel).send(address=address, message=message)
    except DeliveryFailed as exc:
        if not exc.permanent:
            raise
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(exc)[:2000]
    else:
        delivery.status, delivery.sent_at, delivery.last_error = (
            DeliveryStatus.SENT,
            timezone.now(),
            "",
        )
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return delivery


def _require_user(user: User) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated(_("请先登录"))


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (someone else's: not found)."""
    _require_user(user)
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, recipient_id=user.pk)
        .first()
    )
    if notification is None:
        raise NotFound(_("该消息不存在"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; returns how many changed."""
    _require_user(user)
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
