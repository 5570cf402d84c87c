"""Participation events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class CommentSubmitted(DomainEvent):
    topic: ClassVar[str] = "participation.comment_submitted"
    solicitation_id: int
    comment_id: int
    department_id: int


@dataclass(frozen=True)
class FeedbackPublished(DomainEvent):
    topic: ClassVar[str] = "participation.feedback_published"
    solicitation_id: int
    department_id: int


@dataclass(frozen=True)
class SurveyClosed(DomainEvent):
    topic: ClassVar[str] = "participation.survey_closed"
    survey_id: int
    department_id: int
