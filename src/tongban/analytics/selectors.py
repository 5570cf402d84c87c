"""Figures of decision support (决策支持), read from the precomputed :class:`Fact` rows.

Every figure is a sum over month (or snapshot) facts of a division subtree, so a request
reads at most months x departments x items rows, never the cases themselves.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.analytics.models import Fact, Grain, Metric, MonthlyReport
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.org.selectors import (
    Role,
    department_names,
    division_children,
    division_codes_under,
    division_get,
    division_names,
    division_root,
)
from tongban.supervision import selectors as supervision

# Roles that see the figures of their whole division and the divisions below it.
DIVISION_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.SYSADMIN})
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 36
TOP_ITEMS = 15
TOP_KEYWORDS = 15

# --- Who sees what ----------------------------------------------------------------------


@dataclass(frozen=True)
class Lens:
    """The division whose figures are shown and, for a department head, the one
    department of it they may see (``department`` empty: all of them)."""

    division_code: str
    division_name: str
    division_path: str
    codes: tuple[str, ...]
    department: str = ""

    def q(self) -> Q:
        condition = Q(division_code__in=self.codes)
        if self.department:
            condition &= Q(department_code=self.department)
        return condition


def _grants(user: Any) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Division paths the user oversees, and (division code, path, department) of the
    departments they head."""
    paths: list[str] = []
    heads: list[tuple[str, str, str]] = []
    for grant in staff_roles(user):
        if grant.role in DIVISION_ROLES:
            paths.append(grant.department.division.path)
        elif grant.role == Role.HEAD:
            division = grant.department.division
            heads.append((division.code, division.path, grant.department.code))
    return paths, heads


def may_view_dashboard(user: Any) -> bool:
    paths, heads = _grants(user)
    return bool(paths or heads)


def lens_for(user: Any, division_code: str = "") -> Lens:
    """The figures ``user`` may see for ``division_code`` (default: the highest division
    they oversee). Leaders, supervisors and administrators see their division and those
    below it; a department head sees their own department."""
    paths, heads = _grants(user)
    if not paths and not heads:
        raise PermissionDenied(_("仅政府领导、电子监察员和部门负责人可以查看统计分析"))
    if not division_code:
        division_code = (sorted(paths, key=len)[0].split("/")[-1]) if paths else heads[0][0]
    division = division_get(division_code)
    if any(division.path == p or division.path.startswith(p + "/") for p in paths):
        return _lens(division)
    for code, _path, department in heads:
        if code == division.code:
            return _lens(division, department=department)
    raise PermissionDenied(_("您无权查看该行政区划的统计"))


def _lens(division: Any, *, department: str = "") -> Lens:
    codes = division_codes_under(division.path) if not department else [division.code]
    return Lens(division.code, division.name, division.path, tuple(codes), department)


def public_lens(division_code: str = "") -> Lens:
    """Everyone may see the totals of any division (办件公示)."""
    if division_code:
        return _lens(division_get(division_code))
    root = division_root()
    if root is None:
        raise ValidationFailed(_("尚未配置行政区划"), field="division")
    return _lens(root)


# --- Periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (both the first day of their month)."""

    first: date
    last: date

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    @property
    def end(self) -> date:
        """The last day of the period."""
        return (self.last + timedelta(days=32)).replace(day=1) - timedelta(days=1)

    def param(self, month: date) -> str:
        return f"{month:%Y-%m}"


def _parse_month(value: str, name: str) -> date:
    match = MONTH_RE.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed(_("月份格式应为 YYYY-MM，例如 2026-01"), field=name)
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_from(first: str = "", last: str = "") -> Period:
    """The months asked for; by default the twelve months up to the current one."""
    this_month = timezone.localdate().replace(day=1)
    end = _parse_month(last, "to") if last else this_month
    if first:
        start = _parse_month(first, "from")
    else:
        start = date(end.year - 1, end.month, 1)
        start = (start + timedelta(days=32)).replace(day=1)
    if start > end:
        raise ValidationFailed(_("开始月份不能晚于结束月份"), field="from")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise ValidationFailed(_("统计期间最长 36 个月"), field="from")
    return Period(start, end)


# --- Reading facts ------------------------------------------------------------------------


def fact_sums(
    lens: Lens, metrics: Iterable[str], period: Period | None, by: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Sums of ``metrics`` per ``by`` (fields of Fact), over the period's months, or over
    the snapshot when ``period`` is None."""
    qs = Fact.objects.filter(lens.q(), metric__in=list(metrics))
    if period is None:
        qs = qs.filter(grain=Grain.SNAPSHOT)
    else:
        qs = qs.filter(grain=Grain.MONTH, period__gte=period.first, period__lte=period.last)
    rows = qs.values("metric", *by).annotate(total=Sum("value")).order_by()
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        out[tuple(row[name] for name in by)][row["metric"]] += row["total"]
    return out


def fact_totals(lens: Lens, metrics: Iterable[str], period: Period | None) -> dict[str, int]:
    totals = fact_sums(lens, metrics, period, ())
    return dict(totals.get((), {}))


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


# --- Headline figures -------------------------------------------------------------------


CASE_METRICS = (
    Metric.RECEIVED,
    Metric.ONLINE,
    Metric.ZERO_VISIT,
    Metric.COMPLETED,
    Metric.ON_TIME,
    Metric.LATE,
    Metric.USED_DAYS,
    Metric.PROMISED_DAYS,
    Metric.STATUTORY_DAYS,
)
RATING_METRICS = (
    Metric.RATINGS,
    Metric.SCORE_SUM,
    Metric.BAD,
    Metric.RECT_OPENED,
    Metric.RECT_CLOSED,
)
OTHER_METRICS = (
    Metric.APPEALS,
    Metric.APPEALS_REPLIED,
    Metric.HANDLED,
    Metric.HANDLED_REPLIED,
    Metric.CALLS,
    Metric.UPLOADED,
    Metric.REUSED,
    Metric.FETCHED,
)
SNAPSHOT_METRICS = (
    Metric.RUNNING,
    Metric.WARNING,
    Metric.OVERDUE,
    Metric.CONFLICTS_OPEN,
    Metric.CONFLICTS_RESOLVED,
)


@dataclass(frozen=True)
class Summary:
    """The dashboard's headline figures (核心指标) for a division and period."""

    division_code: str
    division_name: str
    period: Period
    received: int
    completed: int
    online: int
    zero_visit: int
    on_time: int
    late: int
    avg_used_days: float | None
    avg_promised_days: float | None
    avg_statutory_days: float | None
    running: int
    overdue_running: int
    ratings: int
    average_rating: float | None
    bad_ratings: int
    rectifications_opened: int
    rectifications_closed: int
    appeals_received: int
    appeals_replied: int
    exchange_calls: int
    materials_total: int
    materials_fetched: int
    conflicts_open: int
    conflicts_resolved: int

    @property
    def online_rate(self) -> float | None:
        return ratio(self.online, self.received)

    @property
    def zero_visit_rate(self) -> float | None:
        return ratio(self.zero_visit, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.completed)

    @property
    def overdue_rate(self) -> float | None:
        """Completed late, and still running at 红灯, among completed and running cases."""
        return ratio(self.late + self.overdue_running, self.completed + self.running)

    @property
    def bad_rate(self) -> float | None:
        return ratio(self.bad_ratings, self.ratings)

    @property
    def fetched_share(self) -> float | None:
        return ratio(self.materials_fetched, self.materials_total)

    @property
    def reply_rate(self) -> float | None:
        return ratio(self.appeals_replied, self.appeals_received)

    @property
    def percent(self) -> dict[str, str]:
        """The rates as the page prints them."""
        return {
            "online": percent(self.online_rate),
            "zero_visit": percent(self.zero_visit_rate),
            "on_time": percent(self.on_time_rate),
            "overdue": percent(self.overdue_rate),
            "bad": percent(self.bad_rate),
            "fetched": percent(self.fetched_share),
            "reply": percent(self.reply_rate),
        }


def summary(lens: Lens, period: Period) -> Summary:
    totals = fact_totals(lens, CASE_METRICS + RATING_METRICS + OTHER_METRICS, period)
    now = fact_totals(lens, SNAPSHOT_METRICS, None)
    get = totals.get
    completed = get(Metric.COMPLETED, 0)
    ratings = get(Metric.RATINGS, 0)
    return Summary(
        division_code=lens.division_code,
        division_name=lens.division_name,
        period=period,
        received=get(Metric.RECEIVED, 0),
        completed=completed,
        online=get(Metric.ONLINE, 0),
        zero_visit=get(Metric.ZERO_VISIT, 0),
        on_time=get(Metric.ON_TIME, 0),
        late=get(Metric.LATE, 0),
        avg_used_days=mean(get(Metric.USED_DAYS, 0), completed),
        avg_promised_days=mean(get(Metric.PROMISED_DAYS, 0), completed),
        avg_statutory_days=mean(get(Metric.STATUTORY_DAYS, 0), completed),
        running=now.get(Metric.RUNNING, 0),
        overdue_running=now.get(Metric.OVERDUE, 0),
        ratings=ratings,
        average_rating=mean(get(Metric.SCORE_SUM, 0), ratings),
        bad_ratings=get(Metric.BAD, 0),
        rectifications_opened=get(Metric.RECT_OPENED, 0),
        rectifications_closed=get(Metric.RECT_CLOSED, 0),
        # A head sees the appeals their department handles; others where the matters are.
        appeals_received=get(Metric.HANDLED if lens.department else Metric.APPEALS, 0),
        appeals_replied=get(
            Metric.HANDLED_REPLIED if lens.department else Metric.APPEALS_REPLIED, 0
        ),
        exchange_calls=get(Metric.CALLS, 0),
        materials_total=get(Metric.UPLOADED, 0) + get(Metric.REUSED, 0) + get(Metric.FETCHED, 0),
        materials_fetched=get(Metric.FETCHED, 0),
        conflicts_open=now.get(Metric.CONFLICTS_OPEN, 0) if not lens.department else 0,
        conflicts_resolved=now.get(Metric.CONFLICTS_RESOLVED, 0) if not lens.department else 0,
    )


# --- Page helpers -------------------------------------------------------------------------


def period_query(lens: Lens, period: Period) -> str:
    """The query string that keeps the division and period across links and exports."""
    return urlencode(
        {
            "division": lens.division_code,
            "from": period.param(period.first),
            "to": period.param(period.last),
        }
    )


def navigable_divisions(user: Any, lens: Lens) -> list[tuple[str, str, str]]:
    """(code, name, relation) of the divisions one click away that ``user`` may see: the
    parent (when overseen) and the children."""
    paths, _heads = _grants(user)
    out: list[tuple[str, str, str]] = []
    parts = lens.division_path.split("/")
    if len(parts) > 1:
        parent_path = "/".join(parts[:-1])
        if any(parent_path == p or parent_path.startswith(p + "/") for p in paths):
            parent = division_get(parts[-2])
            out.append((parent.code, parent.name, "up"))
    if not lens.department:
        out += [(c.code, c.name, "down") for c in division_children(lens.division_code)]
    return out


def public_divisions(lens: Lens) -> list[tuple[str, str, str]]:
    parts = lens.division_path.split("/")
    out: list[tuple[str, str, str]] = []
    if len(parts) > 1:
        parent = division_get(parts[-2])
        out.append((parent.code, parent.name, "up"))
    return out + [(c.code, c.name, "down") for c in division_children(lens.division_code)]


@dataclass(frozen=True)
class PublicSummary:
    received: int
    completed: int
    on_time_rate: float | None
    online_rate: float | None


def public_summary(lens: Lens, period: Period) -> PublicSummary:
    totals = fact_totals(
        lens, (Metric.RECEIVED, Metric.COMPLETED, Metric.ON_TIME, Metric.ONLINE), period
    )
    received, completed = totals.get(Metric.RECEIVED, 0), totals.get(Metric.COMPLETED, 0)
    return PublicSummary(
        received,
        completed,
        ratio(totals.get(Metric.ON_TIME, 0), completed),
        ratio(totals.get(Metric.ONLINE, 0), received),
    )


def drilldown_labels() -> list[tuple[str, str]]:
    return [
        ("received", _("期间受理")),
        ("completed", _("期间办结")),
        ("late", _("超期办结")),
        ("overdue", _("当前超期（红灯）")),
    ]


@dataclass(frozen=True)
class CaseLine:
    """A case behind a figure, without anything about the applicant."""

    number: str
    item_name: str
    division_name: str
    department_name: str
    accepted_on: date
    deadline: date
    stopped_on: date | None
    used_days: int | None
    promised_limit: int
    level: str
    level_label: str
    on_time: bool | None


@dataclass(frozen=True)
class CasePage:
    items: list[CaseLine]
    next_cursor: str | None


def drilldown(
    lens: Lens,
    period: Period,
    *,
    metric: str,
    department: str = "",
    item: str = "",
    cursor: str | None = None,
) -> CasePage:
    """The cases behind a figure of the dashboard (下钻), in the user's lens."""
    if lens.department and department and department != lens.department:
        raise PermissionDenied(_("您只能查看本部门的办件"))
    page = supervision.drilldown_page(
        division_codes=list(lens.codes),
        department_code=lens.department or department,
        item_code=item,
        metric=metric,
        date_from=period.first,
        date_to=period.end,
        cursor=cursor,
    )
    divisions = division_names(sorted({c.division_code for c in page.items}))
    departments = department_names(sorted({c.division_code for c in page.items}))
    lines = [
        CaseLine(
            number=clock.number,
            item_name=clock.item_name,
            division_name=divisions.get(clock.division_code, clock.division_code),
            department_name=departments.get(
                (clock.division_code, clock.department_code), clock.department_code
            ),
            accepted_on=clock.accepted_on,
            deadline=clock.deadline,
            stopped_on=timezone.localdate(clock.stopped_at) if clock.stopped_at else None,
            used_days=clock.used_days,
            promised_limit=clock.promised_limit,
            level=clock.level,
            level_label=clock.get_level_display(),
            on_time=clock.on_time,
        )
        for clock in page.items
    ]
    return CasePage(lines, page.next_cursor)


# --- Archived reports ---------------------------------------------------------------------


def report_divisions() -> list[str]:
    """The province and its cities, whose leaders get a monthly report."""
    root = division_root()
    if root is None:
        return []
    return [root.code, *[child.code for child in division_children(root.code)]]


def reports_of(lens: Lens, *, limit: int = 120) -> list[MonthlyReport]:
    return list(
        MonthlyReport.objects.filter(division_code=lens.division_code).order_by("-month")[:limit]
    )


def may_generate_reports(user: Any, lens: Lens) -> bool:
    """Leaders, supervisors and administrators of the division, not department heads."""
    return not lens.department and may_view_dashboard(user)


def report_months(count: int = 12) -> list[date]:
    month = timezone.localdate().replace(day=1)
    months = []
    for _i in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def report_for_viewer(user: Any, report_id: int) -> MonthlyReport:
    archived = MonthlyReport.objects.filter(pk=report_id).first()
    if archived is None:
        raise NotFound(_("报告不存在"), field="report")
    lens = lens_for(user, archived.division_code)
    if lens.department:
        raise PermissionDenied(_("月度报告仅供政府领导和电子监察员查看"))
    return archived
