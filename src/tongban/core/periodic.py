"""Registry of periodic jobs run by ``tongban worker`` (SLA sweeps, syncs, checkpoints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    job: Callable[[], object]


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, *, every_seconds: int, job: Callable[[], object]) -> None:
    _jobs[name] = PeriodicJob(name, every_seconds, job)


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())
