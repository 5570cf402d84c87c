"""Licence events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class LicenceIssued(DomainEvent):
    topic: ClassVar[str] = "licences.issued"
    licence_id: int
    identifier: str
    type_name: str
    holder_hash: str
    case_id: int | None


@dataclass(frozen=True)
class LicenceStatusChanged(DomainEvent):
    """A licence was suspended, reinstated, revoked or annulled by its issuer."""

    topic: ClassVar[str] = "licences.status_changed"
    licence_id: int
    identifier: str
    type_name: str
    holder_hash: str
    status: str
    reason: str
