"""Case events, written to the outbox in the transaction that caused them.

Times are ISO 8601 strings with offset, dates ``YYYY-MM-DD``: payloads are JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class CaseSubmitted(DomainEvent):
    topic: ClassVar[str] = "cases.submitted"
    case_id: int
    number: str
    submitted_at: str


@dataclass(frozen=True)
class CaseCorrectionRequested(DomainEvent):
    """Intake asked for corrections (补正) once, listing everything missing."""

    topic: ClassVar[str] = "cases.correction_requested"
    case_id: int
    number: str
    items: list[str]
    during_review: bool


@dataclass(frozen=True)
class CaseAccepted(DomainEvent):
    """受理: the statutory clock starts on ``clock_start`` (the submission day when the
    correction notice came too late and the case counts as accepted from submission)."""

    topic: ClassVar[str] = "cases.accepted"
    case_id: int
    number: str
    item_code: str
    item_name: str
    division_code: str
    department_code: str
    accepted_at: str
    clock_start: str
    statutory_limit: int
    promised_limit: int
    online: bool
    deemed: bool


@dataclass(frozen=True)
class CaseNotAccepted(DomainEvent):
    topic: ClassVar[str] = "cases.not_accepted"
    case_id: int
    number: str
    reason: str


@dataclass(frozen=True)
class CaseSuspended(DomainEvent):
    """The clock pauses (correction during review); ``kind`` is ``correction``."""

    topic: ClassVar[str] = "cases.suspended"
    case_id: int
    kind: str
    reason: str
    at: str


@dataclass(frozen=True)
class CaseResumed(DomainEvent):
    topic: ClassVar[str] = "cases.resumed"
    case_id: int
    kind: str
    at: str


@dataclass(frozen=True)
class CaseCompleted(DomainEvent):
    """办结 with ``result`` ``approved`` (准予) or ``denied`` (不予)."""

    topic: ClassVar[str] = "cases.completed"
    case_id: int
    number: str
    result: str
    completed_at: str


@dataclass(frozen=True)
class CaseWithdrawn(DomainEvent):
    topic: ClassVar[str] = "cases.withdrawn"
    case_id: int
    number: str
    at: str
