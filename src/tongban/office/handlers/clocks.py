"""The office clocks follow the workflow: a task of an office process starts its step
clock, its completion stops it; the sweeps of step clocks and work items run periodically."""

from __future__ import annotations

from typing import Any

from tongban.office.services import clocks, workitems

SWEEP_EVERY_SECONDS = 3600


def on_task_created(event_id: int, payload: dict[str, Any]) -> None:
    clocks.clock_start_for_task(task_id=int(payload["task_id"]))


def on_task_completed(event_id: int, payload: dict[str, Any]) -> None:
    task_id = int(payload["task_id"])
    # Delivered before the creation event (at least once, any order): start, then stop.
    clocks.clock_start_for_task(task_id=task_id)
    clocks.clock_close_for_task(task_id=task_id)


def connect() -> None:
    """Subscribe the step clocks to workflow events and register the sweeps."""
    from tongban.core.events import subscribe
    from tongban.core.periodic import register
    from tongban.workflow.events import HumanTaskCompleted, HumanTaskCreated

    subscribe(HumanTaskCreated.topic, on_task_created)
    subscribe(HumanTaskCompleted.topic, on_task_completed)
    register(
        "office.step_clock_sweep",
        every_seconds=SWEEP_EVERY_SECONDS,
        job=clocks.sweep_job,
        atomic=False,
    )
    register(
        "office.workitem_sweep",
        every_seconds=SWEEP_EVERY_SECONDS,
        job=workitems.sweep_job,
        atomic=False,
    )
