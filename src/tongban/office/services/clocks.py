"""Step clocks (办文时限): each user task of an office process (a 会签, a 签发 ...) runs a
working-day clock against the step's time limit, on the same calendar as cases. The
periodic sweep turns a clock yellow (黄灯预警) from its warning date and red (红灯超期)
after its due date, tells the responsible staff once per level and records an audit
entry; a completed or cancelled task closes its clock. The level helpers here are shared
with the supervised work items (督办)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_with_role
from tongban.core.selectors import add_working_days
from tongban.core.services import audit_record
from tongban.notify.services import notification_send
from tongban.office.models import ClockLevel, Document, Receipt, StepClock
from tongban.office.selectors import clocks as selectors
from tongban.workflow.selectors import tasks_by_ids

OFFICE_PREFIX = "office."
OPEN_TASK_STATUSES = frozenset({"open", "claimed", "waiting"})
SWEEP_BATCH = 500

T = TypeVar("T")


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- shared helpers


def level_label(level: str) -> str:
    return str(ClockLevel(level).label)


def level_alert(
    *,
    level: str,
    object_type: str,
    object_id: int,
    detail: dict[str, Any],
    user_ids: Iterable[int],
    title: str,
    body: str,
    link: str,
) -> int:
    """Record a clock's new level (audit entry ``<object_type>.<level>``) and tell the
    staff in their in-app inbox; returns how many were told."""
    audit_record(
        action=f"{object_type}.{level}",
        object_type=object_type,
        object_id=object_id,
        detail={**detail, "level": level},
    )
    told = 0
    for user_id in dict.fromkeys(user_ids):
        notification_send(
            user_id=user_id,
            topic=f"{object_type}.{level}",
            title=title[:200],
            body=body,
            link=link,
            channels=(),
        )
        told += 1
    return told


def sweep_batches(
    fetch: Callable[[int, int], Sequence[T]],
    handle: Callable[[Sequence[T]], None],
    key: Callable[[T], int],
    *,
    batch: int = SWEEP_BATCH,
) -> int:
    """Run ``handle`` over ``fetch(after_id, size)`` batches, each in its own transaction
    (a batch periodic job: it never holds the write lock for the whole sweep)."""
    after, seen = 0, 0
    while True:
        with transaction.atomic():
            rows = fetch(after, batch)
            if rows:
                handle(rows)
        if not rows:
            return seen
        seen += len(rows)
        after = key(rows[-1])
        if len(rows) < batch:
            return seen


def raise_level(model: Any, pk: int, current: str, found: str) -> bool:
    """Move a row's level from ``current`` to ``found`` unless someone else did: the
    conditional update makes a second sweep (or a concurrent one) change nothing."""
    return bool(model.objects.filter(pk=pk, level=current).update(level=found))


# ---------------------------------------------------------------------------- clocks


def _linked(business_type: str, business_id: str) -> dict[str, Any]:
    if not business_id.isdigit():
        return {}
    if business_type == "office.document":
        if Document.objects.filter(pk=int(business_id)).exists():
            return {"document_id": int(business_id)}
    elif business_type == "office.receipt":
        receipt = Receipt.objects.filter(pk=int(business_id)).values("pk", "document_id").first()
        if receipt:
            return {"receipt_id": receipt["pk"], "document_id": receipt["document_id"]}
    return {}


@transaction.atomic
def clock_start_for_task(*, task_id: int, today: date | None = None) -> StepClock | None:
    """Start the clock of a task of an office process (idempotent: one clock per task).
    Tasks of other processes have none. A task already ended gets a closed clock."""
    found = tasks_by_ids([task_id])
    if not found:
        return None
    task = found[0]
    instance = task.instance
    if not instance.business_type.startswith(OFFICE_PREFIX):
        return None
    existing = selectors.clock_for_task(task_id)
    if existing is not None:
        return existing
    process = instance.definition.key
    started = today or timezone.localdate(task.created_at)
    limit = selectors.step_limit(process, task.step)
    due = add_working_days(started, limit.working_days)
    warn = max(started, selectors.working_days_before(due, limit.warn_days))
    ended = task.status not in OPEN_TASK_STATUSES
    clock, _created = StepClock.objects.get_or_create(
        task_id=task_id,
        defaults={
            **_linked(instance.business_type, instance.business_id),
            "process": process,
            "step": task.step,
            "title": task.title[:200],
            "division_code": task.division_code,
            "department_code": task.department_code,
            "started_on": started,
            "warn_on": warn,
            "due_on": due,
            "completed_at": (task.completed_at or timezone.now()) if ended else None,
        },
    )
    return clock


@transaction.atomic
def clock_close_for_task(*, task_id: int, at: datetime | None = None) -> bool:
    """Stop the clock of a completed or cancelled task; its level stays as it was."""
    closed = StepClock.objects.filter(task_id=task_id, completed_at__isnull=True).update(
        completed_at=at or timezone.now()
    )
    return bool(closed)


def _clock_alert(clock: StepClock, level: str, role: str) -> None:
    subject = clock.document.title if clock.document_id and clock.document else clock.title
    if level == ClockLevel.RED:
        title = _("公文办理已超期：%(step)s《%(title)s》")
    else:
        title = _("公文办理即将到期：%(step)s《%(title)s》")
    level_alert(
        level=level,
        object_type="office.step_clock",
        object_id=clock.pk,
        detail={
            "task_id": clock.task_id,
            "process": clock.process,
            "step": clock.step,
            "department": f"{clock.division_code}:{clock.department_code}",
            "due_on": clock.due_on.isoformat(),
        },
        user_ids=staff_with_role(
            division_code=clock.division_code, department_code=clock.department_code, role=role
        ),
        title=title % {"step": clock.title, "title": subject},
        body=_("办理时限：%(due)s。请尽快在待办中办理。") % {"due": clock.due_on.isoformat()},
        link=selectors.TASKS_LINK,
    )


def step_clock_sweep(*, today: date | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """Close the clocks of ended tasks, raise the levels of the others (periodic)."""
    day = today or _today()
    counts = {"closed": 0, ClockLevel.YELLOW.value: 0, ClockLevel.RED.value: 0}

    def handle(clocks: Sequence[StepClock]) -> None:
        tasks = {t.pk: t for t in tasks_by_ids([c.task_id for c in clocks])}
        for clock in clocks:
            task = tasks.get(clock.task_id)
            if task is None or task.status not in OPEN_TASK_STATUSES:
                at = task.completed_at if task is not None else None
                counts["closed"] += clock_close_for_task(task_id=clock.task_id, at=at)
                continue
            found = selectors.level_on(today=day, warn_on=clock.warn_on, due_on=clock.due_on)
            if not selectors.level_raised(clock.level, found):
                continue
            if raise_level(StepClock, clock.pk, clock.level, found):
                clock.level = found
                _clock_alert(clock, found, task.role)
                counts[found] += 1

    def fetch(after: int, size: int) -> list[StepClock]:
        return selectors.clocks_open_batch(after_id=after, size=size)

    sweep_batches(fetch, handle, lambda c: c.pk, batch=batch)
    return counts


def sweep_job() -> object:
    """The periodic job (``tongban worker``), a batch job."""
    return step_clock_sweep()
