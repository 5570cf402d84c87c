"""Domain events and their subscribers.

Events are frozen dataclasses carrying ids. ``services.event_emit`` writes them to the
outbox inside the caller's transaction; the worker delivers them at least once to the
handlers subscribed here, and a receipt per (event, handler) makes redelivery harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

Handler = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class DomainEvent:
    topic: ClassVar[str] = ""


_subscribers: dict[str, list[tuple[str, Handler]]] = {}


def subscribe(topic: str, handler: Handler) -> None:
    """Register ``handler(event_id, payload)`` for a topic (call from ``AppConfig.ready``)."""
    name = f"{handler.__module__}.{handler.__qualname__}"
    entries = _subscribers.setdefault(topic, [])
    if all(existing != name for existing, _ in entries):
        entries.append((name, handler))


def subscribers(topic: str) -> list[tuple[str, Handler]]:
    return list(_subscribers.get(topic, []))


@dataclass(frozen=True)
class AuditCheckpointSigned(DomainEvent):
    topic: ClassVar[str] = "core.audit_checkpoint_signed"
    seq: int
