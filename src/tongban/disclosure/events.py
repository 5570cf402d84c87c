"""Disclosure events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class PublicationPublished(DomainEvent):
    topic: ClassVar[str] = "disclosure.publication_published"
    publication_id: int
    index_number: str
    division_code: str


@dataclass(frozen=True)
class InfoRequestReplied(DomainEvent):
    """An information request (依申请公开) was answered; the applicant is told."""

    topic: ClassVar[str] = "disclosure.request_replied"
    request_id: int
    number: str
    applicant_id: int
    reply_type: str


@dataclass(frozen=True)
class InfoRequestOverdue(DomainEvent):
    topic: ClassVar[str] = "disclosure.request_overdue"
    request_id: int
    number: str
    department_id: int
