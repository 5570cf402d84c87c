"""Supervision events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class LevelChanged(DomainEvent):
    """A clock's supervision level changed (黄灯 / 红灯 or lifted); an alert was recorded."""

    topic: ClassVar[str] = "supervision.level_changed"
    alert_id: int
    case_id: int
    number: str
    level: str
    previous_level: str
    division_code: str
    department_code: str
    deadline: str


@dataclass(frozen=True)
class RatingSubmitted(DomainEvent):
    topic: ClassVar[str] = "supervision.rating_submitted"
    rating_id: int
    case_id: int
    score: int


@dataclass(frozen=True)
class RectificationOpened(DomainEvent):
    """A bad rating (差评) opened a rectification for the handling department."""

    topic: ClassVar[str] = "supervision.rectification_opened"
    rectification_id: int
    case_id: int
    number: str
    division_code: str
    department_code: str
    due: str
