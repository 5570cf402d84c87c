"""Workflow events, written to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tongban.core.events import DomainEvent


@dataclass(frozen=True)
class HumanTaskCreated(DomainEvent):
    topic: ClassVar[str] = "workflow.human_task_created"
    task_id: int
    instance_id: int


@dataclass(frozen=True)
class HumanTaskCompleted(DomainEvent):
    topic: ClassVar[str] = "workflow.human_task_completed"
    task_id: int
    instance_id: int
    decision: str


@dataclass(frozen=True)
class ProcessCompleted(DomainEvent):
    topic: ClassVar[str] = "workflow.process_completed"
    instance_id: int
    business_type: str
    business_id: str
    outcome: str


@dataclass(frozen=True)
class TaskEscalated(DomainEvent):
    """督办: a timer on a user task fired; ``task_id`` is the overdue inbox task, cancelled
    when the timer interrupts it, still open otherwise."""

    topic: ClassVar[str] = "workflow.task_escalated"
    task_id: int
    instance_id: int
    timer: str
    interrupting: bool
