"""Reads of the office clocks (办文时限): the time limit of a step, the level a clock is at
on a day (绿灯/黄灯/红灯, as cases have), the working days a clock is overdue, and the
supervisor's list of warned and overdue office steps (督查) for their divisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core import workdays
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.core.selectors import calendar_overrides
from tongban.office.models import ClockLevel, StepClock, StepLimit
from tongban.org.selectors import Role, division_codes_under

# A step no StepLimit row names gets this limit (working days, warn days before).
DEFAULT_LIMIT = (3, 1)
# Work items warn this many working days before their deadline unless configured
# (StepLimit process="office_workitem", step="deadline").
WORKITEM_PROCESS = "office_workitem"
WORKITEM_STEP = "deadline"
WORKITEM_WARN_DAYS = 2
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
LEVEL_RANK: dict[str, int] = {
    ClockLevel.NORMAL.value: 0,
    ClockLevel.YELLOW.value: 1,
    ClockLevel.RED.value: 2,
}
WARNED_LEVELS = (ClockLevel.YELLOW, ClockLevel.RED)
TASKS_LINK = "/workbench/tasks/"


@dataclass(frozen=True)
class Limit:
    working_days: int
    warn_days: int


def step_key(step: str) -> str:
    """The step a task stands for: a multi-instance child (``countersign [child]``) counts
    as its step."""
    return step.split(" ", 1)[0].split("[", 1)[0]


def step_limit(process: str, step: str) -> Limit:
    """The configured time limit of a step of an office process, else the default."""
    row = (
        StepLimit.objects.filter(process=process, step__in=[step, step_key(step)])
        .values_list("working_days", "warn_days")
        .first()
    )
    days, warn = row if row else DEFAULT_LIMIT
    return Limit(days, warn)


def workitem_warn_days() -> int:
    row = (
        StepLimit.objects.filter(process=WORKITEM_PROCESS, step=WORKITEM_STEP)
        .values_list("warn_days", flat=True)
        .first()
    )
    return WORKITEM_WARN_DAYS if row is None else int(row)


def working_days_before(day: date, n: int) -> date:
    """The n-th working day before ``day`` (``n == 0`` is ``day``): the warning date of a
    deadline. One query for the calendar's exceptions."""
    if n <= 0:
        return day
    window = timedelta(days=n * 3 + 30)
    overrides = calendar_overrides(day - window, day)
    found = day
    while n:
        found -= workdays.ONE_DAY
        if workdays.is_workday(found, overrides):
            n -= 1
    return found


def level_on(*, today: date, warn_on: date, due_on: date) -> str:
    """The level of a clock on ``today``: red after its due date, yellow from its warning
    date, else normal."""
    if today > due_on:
        return ClockLevel.RED
    if today >= warn_on:
        return ClockLevel.YELLOW
    return ClockLevel.NORMAL


def level_raised(current: str, found: str) -> bool:
    """Whether ``found`` is a higher level than ``current`` (levels only go up)."""
    return LEVEL_RANK.get(found, 0) > LEVEL_RANK.get(current, 0)


def overdue_days(due_dates: list[date], *, today: date) -> dict[date, int]:
    """Working days each due date is overdue on ``today`` (0 if not overdue), with one
    query for the calendar's exceptions."""
    past = [d for d in due_dates if d < today]
    result = dict.fromkeys(due_dates, 0)
    if not past:
        return result
    overrides = calendar_overrides(min(past) + workdays.ONE_DAY, today)
    for day in past:
        result[day] = workdays.working_days_between(day, today, overrides)
    return result


# ---------------------------------------------------------------------------- sweep reads


def clock_for_task(task_id: int) -> StepClock | None:
    return StepClock.objects.filter(task_id=task_id).first()


def clocks_open_batch(*, after_id: int, size: int) -> list[StepClock]:
    """Running clocks in id order after ``after_id`` (the sweep's batches)."""
    return list(
        StepClock.objects.filter(completed_at__isnull=True, pk__gt=after_id)
        .select_related("document")
        .order_by("pk")[:size]
    )


# ---------------------------------------------------------------------------- supervisor


def supervised_division_codes(user: Any) -> list[str] | None:
    """Division codes a supervisor (电子监察员) or leader oversees: their division and
    those below; None when the user is neither."""
    paths = sorted(
        {g.department.division.path for g in staff_roles(user) if g.role in SUPERVISOR_ROLES}
    )
    if not paths:
        return None
    # A path below another one adds nothing.
    tops = [p for p in paths if not any(p.startswith(q + "/") for q in paths if q != p)]
    codes: list[str] = []
    for path in tops:
        codes.extend(division_codes_under(path))
    return codes


def require_supervisor(user: Any) -> list[str]:
    codes = supervised_division_codes(user)
    if codes is None:
        raise PermissionDenied(_("只有电子监察员和政府领导可以查看督查超期情况"))
    return codes


def clean_level(level: str | None) -> str | None:
    if not level:
        return None
    if level not in WARNED_LEVELS:
        raise ValidationFailed(_("预警级别只能是 yellow（黄灯）或 red（红灯）"), field="level")
    return level


def overdue_steps(
    *, user: Any, level: str | None = None, cursor: str | None = None, size: int = 50
) -> Page[StepClock]:
    """Warned and overdue running office steps (especially 会签) of the divisions the
    supervisor oversees, the longest overdue first."""
    codes = require_supervisor(user)
    wanted = clean_level(level)
    qs: QuerySet[StepClock] = StepClock.objects.filter(
        completed_at__isnull=True,
        level__in=[wanted] if wanted else list(WARNED_LEVELS),
        division_code__in=codes,
    ).select_related("document", "receipt__document")
    return keyset_page(qs, order=("due_on", "id"), cursor=cursor, size=size)
