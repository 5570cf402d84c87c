"""Events of interaction: appeals submitted, moved through their handling, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class AppealSubmitted(DomainEvent):
    topic: ClassVar[str] = "interaction.appeal_submitted"
    appeal_id: int
    auto_dispatched: bool


@dataclass(frozen=True)
class AppealStepped(DomainEvent):
    """A handling step (dispatch, sign, return, transfer, reply, follow-up ...)."""

    topic: ClassVar[str] = "interaction.appeal_stepped"
    appeal_id: int
    action: str
    status: str
    department_id: int | None


@dataclass(frozen=True)
class AppealOverdue(DomainEvent):
    """An appeal's sign-off or reply passed its deadline, or its reply is near it."""

    topic: ClassVar[str] = "interaction.appeal_overdue"
    appeal_id: int
    kind: str  # "sign", "reply" or "reply_warning"
