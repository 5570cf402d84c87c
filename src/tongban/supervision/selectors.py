"""Supervision reads: clock arithmetic, rule matching, who may supervise what, the
supervisor's lists and statistics, rectifications and the public rating scores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.cases.selectors import MaterialCounts, material_counts
from tongban.core import workdays
from tongban.core.dates import day_bounds
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.core.selectors import calendar_overrides
from tongban.org.selectors import Role, department_by_code, division_codes_under, division_get
from tongban.supervision.models import (
    Clock,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    StopReason,
    SupervisionRule,
    Suspension,
)

# Roles of the handling department that may pause and resume its clocks.
CLOCK_STAFF_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.HEAD})
DEPARTMENT_STAFF_ROLES = CLOCK_STAFF_ROLES
LIST_LEVELS = (Level.WARNING, Level.OVERDUE)


# --- Working-day arithmetic over one loaded calendar ------------------------------------


@dataclass(frozen=True)
class Calendar:
    """The calendar's overrides from ``since`` on, loaded in one query (the table holds
    only the exceptions to Monday-to-Friday, a few dozen rows a year), so that a sweep
    over many clocks needs no query per clock."""

    since: date
    overrides: dict[date, bool]

    def add(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (see ``core.workdays``)."""
        assert start >= self.since
        return workdays.add_working_days(start, n, self.overrides)

    def between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        assert min(start, end) >= self.since
        return workdays.working_days_between(start, end, self.overrides)


def calendar_since(since: date) -> Calendar:
    return Calendar(since, calendar_overrides(since, date.max))


@dataclass(frozen=True)
class ClockState:
    """Where a clock stands on ``today``: every figure in working days."""

    allowed: int  # promised limit plus extensions
    suspended_days: int  # closed suspensions plus the open one up to today
    used_days: int
    deadline: date
    statutory_deadline: date
    remaining: int  # to the deadline; negative when overdue


def clock_state(
    clock: Clock, *, today: date, calendar: Calendar, open_since: date | None
) -> ClockState:
    """The clock's figures on ``today``.

    A suspension from ``started_on`` to ``ended_on`` excludes the working days in
    ``(started_on, ended_on]``: the day the clock stops still counts, the day it resumes
    does not. While a suspension is open (``open_since``) its days up to today are
    excluded, so the used days stand still and the deadline moves with the calendar.
    """
    open_days = 0
    if open_since is not None and today > open_since:
        open_days = calendar.between(open_since, today)
    suspended = clock.suspended_days + open_days
    allowed = clock.promised_limit + clock.extension_days
    deadline = calendar.add(clock.clock_start, allowed + suspended)
    statutory = calendar.add(
        clock.clock_start, clock.statutory_limit + clock.extension_days + suspended
    )
    used = (
        max(0, calendar.between(clock.clock_start, today) - suspended)
        if today > clock.clock_start
        else 0
    )
    return ClockState(
        allowed=allowed,
        suspended_days=suspended,
        used_days=used,
        deadline=deadline,
        statutory_deadline=statutory,
        remaining=calendar.between(today, deadline),
    )


@dataclass(frozen=True)
class RuleValues:
    """The thresholds that apply to a clock; ``rule_id`` is None for the built-in default."""

    rule_id: int | None
    warning_ratio: Decimal = Decimal("0.8")
    warning_days_left: int = 1
    rectification_days: int = 15
    max_extension_days: int = 10


DEFAULT_RULE = RuleValues(rule_id=None)


def level_for(state: ClockState, rule: RuleValues, *, today: date) -> str:
    """红灯 once today is past the deadline; 黄灯 when the used share reaches the rule's
    ratio or no more than its number of working days remain; otherwise normal."""
    if today > state.deadline:
        return Level.OVERDUE
    if state.used_days >= rule.warning_ratio * state.allowed:
        return Level.WARNING
    if state.remaining <= rule.warning_days_left:
        return Level.WARNING
    return Level.NORMAL


def rules_all() -> list[SupervisionRule]:
    return list(SupervisionRule.objects.all())


def rule_match(
    rules: Iterable[SupervisionRule],
    *,
    division_path: str,
    department_code: str,
    item_code: str,
) -> RuleValues:
    """The most specific rule: one naming the item beats one naming the department, which
    beats one naming only a division; among those the nearest division wins."""
    ancestors = division_path.split("/") if division_path else []
    best: tuple[tuple[int, int, int], SupervisionRule] | None = None
    for rule in rules:
        if rule.item_code and rule.item_code != item_code:
            continue
        if rule.department_code and rule.department_code != department_code:
            continue
        if rule.division_code and rule.division_code not in ancestors:
            continue
        depth = ancestors.index(rule.division_code) + 1 if rule.division_code else 0
        key = (int(bool(rule.item_code)), int(bool(rule.department_code)), depth)
        if best is None or key > best[0]:
            best = (key, rule)
    if best is None:
        return DEFAULT_RULE
    rule = best[1]
    return RuleValues(
        rule_id=rule.pk,
        warning_ratio=Decimal(rule.warning_ratio),
        warning_days_left=rule.warning_days_left,
        rectification_days=rule.rectification_days,
        max_extension_days=rule.max_extension_days,
    )


def rule_for(*, division_path: str, department_code: str, item_code: str) -> RuleValues:
    return rule_match(
        rules_all(),
        division_path=division_path,
        department_code=department_code,
        item_code=item_code,
    )


# --- Clocks ---------------------------------------------------------------------------


def clock_get(case_id: int) -> Clock:
    clock = Clock.objects.filter(case_id=case_id).first()
    if clock is None:
        raise NotFound(_("该办件没有计时记录"))
    return clock


def clock_open_suspension(clock: Clock) -> Suspension | None:
    return clock.suspensions.filter(ended_on__isnull=True).first()


def open_suspensions_of(clock_ids: list[int]) -> dict[int, date]:
    rows = Suspension.objects.filter(clock_id__in=clock_ids, ended_on__isnull=True)
    return dict(rows.values_list("clock_id", "started_on"))


def clock_state_today(clock: Clock, *, today: date) -> ClockState:
    """A single clock's state (loads the calendar and its open suspension)."""
    open_since = None
    if clock.suspended:
        suspension = clock_open_suspension(clock)
        open_since = suspension.started_on if suspension else None
    calendar = calendar_since(min(clock.clock_start, today))
    return clock_state(clock, today=today, calendar=calendar, open_since=open_since)


def running_clocks_batch(*, after_id: int, size: int) -> list[Clock]:
    return list(
        Clock.objects.filter(stopped_at__isnull=True, id__gt=after_id).order_by("id")[:size]
    )


def department_id_of(*, division_code: str, department_code: str) -> int | None:
    department = department_by_code(division_code=division_code, code=department_code)
    return department.pk if department else None


def is_department_staff(
    user: Any, *, division_code: str, department_code: str, roles: frozenset[str]
) -> bool:
    department_id = department_id_of(division_code=division_code, department_code=department_code)
    if department_id is None:
        return False
    # Only grants in the department itself: division-wide roles are not in ``roles``.
    return staff_has_role(user, roles=roles, department_id=department_id)


def is_supervisor_of(user: Any, *, division_code: str) -> bool:
    return staff_has_role(user, Role.SUPERVISOR, division_code=division_code)


# --- Scope: what a supervisor or a head may see ---------------------------------------


@dataclass(frozen=True)
class Scope:
    """Division subtrees (supervisors) and single departments (heads) a user oversees."""

    division_paths: tuple[str, ...] = ()
    departments: tuple[tuple[str, str], ...] = ()  # (division code, department code)

    @property
    def empty(self) -> bool:
        return not self.division_paths and not self.departments

    def q(self) -> Q:
        condition = Q(pk__in=[])
        for path in self.division_paths:
            condition |= Q(division_path=path) | Q(division_path__startswith=path + "/")
        for division_code, department_code in self.departments:
            condition |= Q(division_code=division_code, department_code=department_code)
        return condition

    def covers_division(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.division_paths)


def supervision_scope(user: Any, *, department_roles: frozenset[str] = frozenset()) -> Scope:
    """Supervisors oversee their division and those below it; heads (and, when asked
    for, other ``department_roles``) their own department."""
    paths: list[str] = []
    departments: list[tuple[str, str]] = []
    wanted = frozenset({Role.HEAD}) | department_roles
    for grant in staff_roles(user):
        if grant.role == Role.SUPERVISOR:
            paths.append(grant.department.division.path)
        elif grant.role in wanted:
            departments.append((grant.department.division_id, grant.department.code))
    return Scope(tuple(dict.fromkeys(paths)), tuple(dict.fromkeys(departments)))


def _require_scope(user: Any, scope: Scope) -> None:
    if scope.empty:
        raise PermissionDenied(_("仅电子监察员或部门负责人可以查看电子监察信息"))


def overdue_list(
    *,
    user: Any,
    level: str = "",
    department: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> Page[Clock]:
    """Running clocks at 黄灯 or 红灯 the user oversees, the nearest deadline first."""
    scope = supervision_scope(user)
    _require_scope(user, scope)
    if level and level not in LIST_LEVELS:
        raise ValidationFailed(_("预警级别只能是 warning 或 overdue"), field="level")
    qs: QuerySet[Clock] = Clock.objects.filter(stopped_at__isnull=True).filter(scope.q())
    qs = qs.filter(level=level) if level else qs.filter(level__in=LIST_LEVELS)
    if department:
        qs = qs.filter(department_code=department)
    return keyset_page(qs, order=("deadline", "id"), cursor=cursor, size=size)


@dataclass
class StatsRow:
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    accepted: int
    completed: int
    online: int
    on_time: int
    overdue: int
    avg_used_days: float | None
    avg_promised_limit: float | None

    @property
    def online_rate(self) -> float | None:
        return round(self.online / self.accepted, 4) if self.accepted else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.completed, 4) if self.completed else None

    @property
    def online_percent(self) -> str:
        return _percent(self.online_rate)

    @property
    def on_time_percent(self) -> str:
        return _percent(self.on_time_rate)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class Stats:
    date_from: date | None
    date_to: date | None
    divisions: list[StatsRow]
    departments: list[StatsRow]


def _stats_rows(qs: QuerySet[Clock], keys: list[str]) -> list[dict[str, Any]]:
    completed = Q(stop_reason="completed")
    return list(
        qs.values(*keys)
        .annotate(
            accepted=Count("id"),
            completed=Count("id", filter=completed),
            online_count=Count("id", filter=Q(online=True)),
            on_time_count=Count("id", filter=completed & Q(on_time=True)),
            overdue=Count("id", filter=Q(level=Level.OVERDUE)),
            avg_used=Avg("used_days", filter=completed),
            avg_promised=Avg("promised_limit", filter=completed),
        )
        .order_by(*keys)
    )


def supervision_stats(
    *,
    user: Any,
    division: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Stats:
    """Per department and per division (办件统计): cases accepted in the period, completed,
    网上办理率, 按时办结率, average used working days against the average promised limit
    of the completed ones, and cases at 红灯 (running or completed late)."""
    scope = supervision_scope(user)
    _require_scope(user, scope)
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(_("开始日期不能晚于结束日期"), field="from")
    qs: QuerySet[Clock] = Clock.objects.filter(scope.q())
    if division:
        path = division_get(division).path
        if not scope.covers_division(path) and not any(
            d == division for d, _c in scope.departments
        ):
            raise PermissionDenied(_("您无权查看该行政区划的统计"))
        qs = qs.filter(Q(division_path=path) | Q(division_path__startswith=path + "/"))
    if date_from:
        qs = qs.filter(accepted_on__gte=date_from)
    if date_to:
        qs = qs.filter(accepted_on__lte=date_to)

    def row(values: dict[str, Any]) -> StatsRow:
        return StatsRow(
            division_code=values["division_code"],
            division_name=values["division_name"],
            department_code=values.get("department_code", ""),
            department_name=values.get("department_name", ""),
            accepted=values["accepted"],
            completed=values["completed"],
            online=values["online_count"],
            on_time=values["on_time_count"],
            overdue=values["overdue"],
            avg_used_days=_rounded(values["avg_used"]),
            avg_promised_limit=_rounded(values["avg_promised"]),
        )

    departments = [
        row(v)
        for v in _stats_rows(
            qs, ["division_code", "division_name", "department_code", "department_name"]
        )
    ]
    divisions = [row(v) for v in _stats_rows(qs, ["division_code", "division_name"])]
    return Stats(date_from, date_to, divisions, departments)


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


# --- Ratings and rectifications ------------------------------------------------------


def rating_for_case(case_id: int) -> Rating | None:
    return Rating.objects.filter(case_id=case_id).first()


def rectification_id_for_rating(rating_id: int) -> int | None:
    return Rectification.objects.filter(rating_id=rating_id).values_list("id", flat=True).first()


def rectification_get(rectification_id: int) -> Rectification:
    found = Rectification.objects.select_related("rating").filter(pk=rectification_id).first()
    if found is None:
        raise NotFound(_("整改记录不存在"))
    return found


def rectification_list(
    *, user: Any, status: str = "", cursor: str | None = None, size: int = 20
) -> Page[Rectification]:
    """Rectifications of the departments the user works in, or oversees as supervisor."""
    scope = supervision_scope(user, department_roles=DEPARTMENT_STAFF_ROLES)
    if scope.empty:
        raise PermissionDenied(_("仅办理部门工作人员或电子监察员可以查看差评整改"))
    qs = Rectification.objects.select_related("rating").filter(scope.q())
    if status:
        if status not in RectificationStatus.values:
            raise ValidationFailed(_("整改状态不正确"), field="status")
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


@dataclass
class DepartmentScore:
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    count: int
    average: float
    bad: int

    @property
    def bad_share(self) -> float:
        return round(self.bad / self.count, 4) if self.count else 0.0

    @property
    def bad_percent(self) -> str:
        return _percent(self.bad_share)


def department_scores(*, division: str = "", limit: int = 500) -> list[DepartmentScore]:
    """Public scores per department (好差评公示): average, count and share of 差评 (1 or 2
    stars), leaving out ratings excluded after an upheld appeal."""
    qs = Rating.objects.filter(excluded=False)
    if division:
        qs = qs.filter(division_code=division)
    rows = (
        qs.values("division_code", "division_name", "department_code", "department_name")
        .annotate(count=Count("id"), average=Avg("score"), bad=Count("id", filter=Q(score__lte=2)))
        .order_by("division_code", "department_code")[:limit]
    )
    return [
        DepartmentScore(
            division_code=r["division_code"],
            division_name=r["division_name"],
            department_code=r["department_code"],
            department_name=r["department_name"],
            count=r["count"],
            average=round(float(r["average"]), 2),
            bad=r["bad"],
        )
        for r in rows
    ]


# --- Who is told ----------------------------------------------------------------------


def recipients_for(*, division_code: str, department_code: str) -> list[int]:
    """Active staff of the handling department and the supervisors of its division and of
    the divisions above it (user ids, de-duplicated)."""
    ancestors = division_get(division_code).path.split("/")
    users = get_user_model().objects.filter(is_active=True)
    department_staff = users.filter(
        staff_roles__department__division_id=division_code,
        staff_roles__department__code=department_code,
        staff_roles__role__in=list(DEPARTMENT_STAFF_ROLES),
    )
    supervisors = users.filter(
        staff_roles__role=Role.SUPERVISOR,
        staff_roles__department__division_id__in=ancestors,
    )
    ids = list(department_staff.values_list("id", flat=True)) + list(
        supervisors.values_list("id", flat=True)
    )
    return sorted(set(ids))[:200]


def department_staff_ids(*, division_code: str, department_code: str) -> list[int]:
    users = get_user_model().objects.filter(
        is_active=True,
        staff_roles__department__division_id=division_code,
        staff_roles__department__code=department_code,
        staff_roles__role__in=list(DEPARTMENT_STAFF_ROLES),
    )
    return sorted(set(users.values_list("id", flat=True)))[:200]


def material_stats(*, user: Any, division: str = "") -> MaterialCounts:
    """How the materials of the cases the user oversees arrived: uploaded, reused, or
    fetched by the platform through the exchange (自动获取率)."""
    scope = supervision_scope(user)
    _require_scope(user, scope)
    paths = list(scope.division_paths)
    if division:
        path = division_get(division).path
        if not scope.covers_division(path):
            raise PermissionDenied(_("您无权查看该地区的统计"))
        paths = [path]
    codes = sorted({code for path in paths for code in division_codes_under(path)})
    codes += [division_code for division_code, _code in scope.departments]
    return material_counts(division_codes=codes)


# --- Daily figures for decision support (决策支持) ---------------------------------------


def clock_received_rows(day: date) -> list[dict[str, Any]]:
    """Cases accepted on ``day`` per division, department, item and channel."""
    return list(
        Clock.objects.filter(accepted_on=day)
        .values("division_code", "department_code", "item_code", "online")
        .annotate(count=Count("id"))
        .order_by()
    )


def clock_completed_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Cases completed in [start, end) per division, department and item: how many, how
    many on time, and the working days used against the promised and statutory limits."""
    return list(
        Clock.objects.filter(
            stopped_at__gte=start, stopped_at__lt=end, stop_reason=StopReason.COMPLETED
        )
        .values("division_code", "department_code", "item_code")
        .annotate(
            n_completed=Count("id"),
            n_on_time=Count("id", filter=Q(on_time=True)),
            n_late=Count("id", filter=Q(on_time=False)),
            sum_used_days=Sum("used_days"),
            sum_promised_days=Sum("promised_limit"),
            sum_statutory_days=Sum("statutory_limit"),
        )
        .order_by()
    )


def clock_backlog_rows() -> list[dict[str, Any]]:
    """Running cases now per division and department, with those at 黄灯 and 红灯."""
    return list(
        Clock.objects.filter(stopped_at__isnull=True)
        .values("division_code", "department_code")
        .annotate(
            n_running=Count("id"),
            n_warning=Count("id", filter=Q(level=Level.WARNING)),
            n_overdue=Count("id", filter=Q(level=Level.OVERDUE)),
        )
        .order_by()
    )


def rating_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Counted ratings (好差评) given in [start, end) per division and department."""
    return list(
        Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, excluded=False)
        .values("division_code", "department_code")
        .annotate(
            count=Count("id"), score_sum=Sum("score"), bad=Count("id", filter=Q(score__lte=2))
        )
        .order_by()
    )


def rectification_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Rectifications (整改) opened and closed in [start, end) per division and department."""
    opened = (
        Rectification.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .values("division_code", "department_code")
        .annotate(count=Count("id"))
        .order_by()
    )
    closed = (
        Rectification.objects.filter(closed_at__gte=start, closed_at__lt=end)
        .values("division_code", "department_code")
        .annotate(count=Count("id"))
        .order_by()
    )
    return [{**row, "metric": "opened"} for row in opened] + [
        {**row, "metric": "closed"} for row in closed
    ]


DRILLDOWN_METRICS = ("received", "completed", "late", "overdue")


def drilldown_page(
    *,
    division_codes: list[str],
    department_code: str,
    item_code: str,
    metric: str,
    date_from: date,
    date_to: date,
    cursor: str | None = None,
    size: int = 50,
) -> Page[Clock]:
    """The cases behind a dashboard figure: accepted or completed (on time or late) in the
    period, or running at 红灯 now, in the given divisions (and department, item)."""
    if metric not in DRILLDOWN_METRICS:
        raise ValidationFailed(_("不支持的指标"), field="metric")
    qs: QuerySet[Clock] = Clock.objects.filter(division_code__in=division_codes)
    if department_code:
        qs = qs.filter(department_code=department_code)
    if item_code:
        qs = qs.filter(item_code=item_code)
    if metric == "received":
        qs = qs.filter(accepted_on__gte=date_from, accepted_on__lte=date_to)
    elif metric == "overdue":
        qs = qs.filter(stopped_at__isnull=True, level=Level.OVERDUE)
    else:
        qs = qs.filter(
            stop_reason=StopReason.COMPLETED,
            stopped_at__gte=day_bounds(date_from)[0],
            stopped_at__lt=day_bounds(date_to)[1],
        )
        if metric == "late":
            qs = qs.filter(on_time=False)
    return keyset_page(qs, order=("-accepted_on", "-id"), cursor=cursor, size=size)
