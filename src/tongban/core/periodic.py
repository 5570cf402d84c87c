"""Registry of periodic jobs run by ``tongban worker`` (SLA sweeps, syncs, checkpoints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    """A job run every ``every_seconds`` by one worker at a time.

    An ``atomic`` job runs in one transaction with its schedule: killed midway, it leaves
    nothing and runs again at once. A batch job (``atomic=False``: syncs, backfills)
    commits its own batches instead, so that it never holds locks for its whole run (on
    SQLite, the database's write lock, which would stop every other writer); it is claimed
    before it starts, so a run killed midway is resumed at the next interval, and it must
    be safe to run again over work it has partly done."""

    name: str
    every_seconds: int
    job: Callable[[], object]
    atomic: bool = True


_jobs: dict[str, PeriodicJob] = {}


def register(
    name: str, *, every_seconds: int, job: Callable[[], object], atomic: bool = True
) -> None:
    _jobs[name] = PeriodicJob(name, every_seconds, job, atomic)


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())
