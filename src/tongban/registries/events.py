"""Registry events: a conflict for a data steward opened or was decided."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class ConflictOpened(DomainEvent):
    topic: ClassVar[str] = "registries.conflict_opened"
    conflict_id: int
    attribute: str


@dataclass(frozen=True)
class ConflictResolved(DomainEvent):
    topic: ClassVar[str] = "registries.conflict_resolved"
    conflict_id: int
    attribute: str
