"""Reactions to events: send a queued notification's email and SMS.

One handler per channel, so the outbox keeps a receipt per channel: when the SMS gateway
is down, only the SMS is retried and the email already sent is not sent again.
"""

from __future__ import annotations

from typing import Any

from tongban.core.events import subscribe
from tongban.notify import services
from tongban.notify.events import NotificationQueued
from tongban.notify.models import Channel


def deliver_email(event_id: int, payload: dict[str, Any]) -> None:
    services.delivery_send(notification_id=payload["notification_id"], channel=Channel.EMAIL)


def deliver_sms(event_id: int, payload: dict[str, Any]) -> None:
    services.delivery_send(notification_id=payload["notification_id"], channel=Channel.SMS)


def connect() -> None:
    subscribe(NotificationQueued.topic, deliver_email)
    subscribe(NotificationQueued.topic, deliver_sms)
