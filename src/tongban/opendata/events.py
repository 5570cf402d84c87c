"""Open data events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class DatasetPublished(DomainEvent):
    """A dataset was opened (or its metadata and snapshot were refreshed)."""

    topic: ClassVar[str] = "opendata.dataset_published"
    dataset_id: int
    name: str
    department_id: int


@dataclass(frozen=True)
class DatasetWithdrawn(DomainEvent):
    topic: ClassVar[str] = "opendata.dataset_withdrawn"
    dataset_id: int
    name: str


@dataclass(frozen=True)
class AccessApplicationDecided(DomainEvent):
    """An application for a conditionally open dataset was decided; the applicant is told."""

    topic: ClassVar[str] = "opendata.application_decided"
    application_id: int
    dataset_id: int
    applicant_id: int
    status: str
