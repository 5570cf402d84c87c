"""Notify events, written to the outbox in the transaction that created the notification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class NotificationQueued(DomainEvent):
    """A notification was created; its email/SMS deliveries wait for the worker."""

    topic: ClassVar[str] = "notify.notification_queued"
    notification_id: int
