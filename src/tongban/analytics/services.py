"""Keeping the figures of decision support (决策支持) up to date.

The worker folds the records of each day (cases accepted and completed, ratings, appeals,
exchanges, materials) into :class:`Fact` rows and rolls the days up into months. A day
costs one pass over that day's records, so the refresh stays fast however many cases
the platform holds, and the dashboards read only the small fact table.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.analytics import figures, keywords, report, selectors
from tongban.analytics.models import Fact, Grain, Metric, MonthlyReport, RefreshState
from tongban.cases import selectors as cases
from tongban.catalog.selectors import item_facts
from tongban.core.dates import day_bounds
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.exchange.selectors import exchange_rows
from tongban.interaction.selectors import appeal_rows, appeal_texts
from tongban.org.selectors import department_get, division_root
from tongban.registries.selectors import conflict_counts
from tongban.supervision import selectors as supervision

logger = logging.getLogger(__name__)

FactKey = tuple[str, str, str, str]  # metric, division, department, key
Progress = Callable[[str], None]

# Hot topics kept per division and day, and per division and month after the roll-up.
KEYWORDS_PER_DAY = 30
KEYWORDS_PER_MONTH = 100


@dataclass
class RefreshResult:
    days: list[date] = field(default_factory=list)
    months: list[date] = field(default_factory=list)
    facts: int = 0


def month_start(day: date) -> date:
    return day.replace(day=1)


def _add(
    counter: Counter[FactKey],
    metric: str,
    division: str,
    department: str,
    key: str,
    value: int | None,
) -> None:
    if value:
        counter[(metric, division, department or "", key or "")] += int(value)


def _case_facts(day: date, start: datetime, end: datetime, counter: Counter[FactKey]) -> None:
    """Case figures per division and department, and the few the items figure needs per
    item too (kept apart so that the other figures read one row per department)."""
    received = supervision.clock_received_rows(day)
    completed = supervision.clock_completed_rows(start, end)
    facts = item_facts(sorted({row["item_code"] for row in received}))

    def add(metric: str, item_metric: str, row: dict[str, Any], value: int | None) -> None:
        _add(counter, metric, row["division_code"], row["department_code"], "", value)
        if item_metric:
            where = (row["division_code"], row["department_code"], row["item_code"])
            _add(counter, item_metric, *where, value)

    for row in received:
        add(Metric.RECEIVED, Metric.ITEM_RECEIVED, row, row["count"])
        if row["online"]:
            add(Metric.ONLINE, Metric.ITEM_ONLINE, row, row["count"])
            item = facts.get(row["item_code"])
            if item is not None and item.zero_visit:
                add(Metric.ZERO_VISIT, Metric.ITEM_ZERO_VISIT, row, row["count"])
    sums = (
        (Metric.COMPLETED, Metric.ITEM_COMPLETED, "n_completed"),
        (Metric.ON_TIME, Metric.ITEM_ON_TIME, "n_on_time"),
        (Metric.LATE, "", "n_late"),
        (Metric.USED_DAYS, "", "sum_used_days"),
        (Metric.PROMISED_DAYS, "", "sum_promised_days"),
        (Metric.STATUTORY_DAYS, "", "sum_statutory_days"),
    )
    for row in completed:
        for metric, item_metric, name in sums:
            add(metric, item_metric, row, row[name])
    for row in cases.material_rows(start, end):
        where = (row["division_code"], row["department_code"], "")
        _add(counter, Metric.UPLOADED, *where, row["uploaded"])
        _add(counter, Metric.REUSED, *where, row["reused"])
        _add(counter, Metric.FETCHED, *where, row["fetched"])


def _rating_facts(start: datetime, end: datetime, counter: Counter[FactKey]) -> None:
    for row in supervision.rating_rows(start, end):
        where = (row["division_code"], row["department_code"], "")
        _add(counter, Metric.RATINGS, *where, row["count"])
        _add(counter, Metric.SCORE_SUM, *where, row["score_sum"])
        _add(counter, Metric.BAD, *where, row["bad"])
    for row in supervision.rectification_rows(start, end):
        metric = Metric.RECT_OPENED if row["metric"] == "opened" else Metric.RECT_CLOSED
        _add(counter, metric, row["division_code"], row["department_code"], "", row["count"])


def _appeal_facts(start: datetime, end: datetime, counter: Counter[FactKey]) -> None:
    for row in appeal_rows(start, end):
        received = row["metric"] == "received"
        metric = Metric.APPEALS if received else Metric.APPEALS_REPLIED
        _add(counter, metric, row["division_code"], "", row["appeal_type"], row["count"])
        handler = row["department_division_code"] or row["division_code"]
        metric = Metric.HANDLED if received else Metric.HANDLED_REPLIED
        _add(counter, metric, handler, row["department_code"], "", row["count"])
    per_division: dict[str, Counter[str]] = {}
    for division_code, text in appeal_texts(start, end):
        per_division.setdefault(division_code, Counter()).update(keywords.extract(text))
    for division_code, words in per_division.items():
        for word, count in words.most_common(KEYWORDS_PER_DAY):
            _add(counter, Metric.KEYWORD, division_code, "", word, count)


class _Departments:
    """Department ids of the message log resolved to (division, code), once each; a
    department removed since is counted as unknown rather than stopping the refresh."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[str, str] | None] = {}

    def __call__(self, department_id: int | None) -> tuple[str, str] | None:
        if department_id is None:
            return None
        if department_id not in self._known:
            try:
                department = department_get(department_id)
            except NotFound:
                self._known[department_id] = None
            else:
                self._known[department_id] = (department.division_id, department.code)
        return self._known[department_id]


def _exchange_facts(start: datetime, end: datetime, counter: Counter[FactKey]) -> None:
    resolve = _Departments()
    root = division_root()
    for row in exchange_rows(start, end):
        provider = resolve(row["provider_id"]) or ((root.code if root else ""), "")
        consumer = resolve(row["consumer_id"])
        key = f"{consumer[0]}:{consumer[1]}" if consumer else ""
        _add(counter, Metric.CALLS, provider[0], provider[1], key, row["calls"])
        _add(counter, Metric.CALLS_FAILED, provider[0], provider[1], key, row["failed"])


def _day_counter(day: date) -> Counter[FactKey]:
    start, end = day_bounds(day)
    counter: Counter[FactKey] = Counter()
    _case_facts(day, start, end, counter)
    _rating_facts(start, end, counter)
    _appeal_facts(start, end, counter)
    _exchange_facts(start, end, counter)
    return counter


def _replace(grain: str, period: date, counter: Counter[FactKey]) -> int:
    Fact.objects.filter(grain=grain, period=period).delete()
    facts = [
        Fact(
            grain=grain,
            period=period,
            metric=metric,
            division_code=division,
            department_code=department,
            key=key[:100],
            value=value,
        )
        for (metric, division, department, key), value in counter.items()
        if value
    ]
    Fact.objects.bulk_create(facts, batch_size=1000)
    return len(facts)


def _roll_up_month(month: date) -> int:
    """The month's facts are the sums of its days' facts; hot topics keep the top ones."""
    following = (month + timedelta(days=32)).replace(day=1)
    rows = (
        Fact.objects.filter(grain=Grain.DAY, period__gte=month, period__lt=following)
        .values("metric", "division_code", "department_code", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    counter: Counter[FactKey] = Counter()
    keywords_of: dict[str, Counter[str]] = {}
    for row in rows:
        if row["metric"] == Metric.KEYWORD:
            keywords_of.setdefault(row["division_code"], Counter())[row["key"]] += row["total"]
            continue
        where = (row["metric"], row["division_code"], row["department_code"], row["key"])
        counter[where] += row["total"]
    for division_code, words in keywords_of.items():
        for word, count in words.most_common(KEYWORDS_PER_MONTH):
            counter[(Metric.KEYWORD, division_code, "", word)] += count
    return _replace(Grain.MONTH, month, counter)


def _snapshot() -> int:
    counter: Counter[FactKey] = Counter()
    for row in supervision.clock_backlog_rows():
        where = (row["division_code"], row["department_code"], "")
        _add(counter, Metric.RUNNING, *where, row["n_running"])
        _add(counter, Metric.WARNING, *where, row["n_warning"])
        _add(counter, Metric.OVERDUE, *where, row["n_overdue"])
    root = division_root()
    if root is not None:
        conflicts = conflict_counts()
        _add(counter, Metric.CONFLICTS_OPEN, root.code, "", "", conflicts["open"])
        _add(counter, Metric.CONFLICTS_RESOLVED, root.code, "", "", conflicts["resolved"])
    Fact.objects.filter(grain=Grain.SNAPSHOT).delete()
    return _replace(Grain.SNAPSHOT, timezone.localdate(), counter)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def refresh(
    *, since: date | None = None, until: date | None = None, progress: Progress | None = None
) -> RefreshResult:
    """Recompute the facts of the days from ``since`` to ``until`` (today), roll up the
    months they fall in and take a new snapshot. Each day is replaced in its own
    transaction, so an interrupted refresh leaves whole days and is simply run again.

    Without ``since`` the refresh starts after the last day already final, going back
    ``TONGBAN_ANALYTICS_REFRESH_DAYS`` days to pick up late changes (a rating excluded
    after an appeal), or ``TONGBAN_ANALYTICS_BACKFILL_DAYS`` days on the first run."""
    today = timezone.localdate()
    until = min(until or today, today)
    state, _created = RefreshState.objects.get_or_create(name="facts")
    if since is None:
        overlap = today - timedelta(days=settings.TONGBAN_ANALYTICS_REFRESH_DAYS)
        if state.done_through is None:
            since = today - timedelta(days=settings.TONGBAN_ANALYTICS_BACKFILL_DAYS)
        else:
            since = min(state.done_through + timedelta(days=1), overlap)
    result = RefreshResult()
    days = list(_days(since, until))
    for index, day in enumerate(days, start=1):
        counter = _day_counter(day)
        with transaction.atomic():
            result.facts += _replace(Grain.DAY, day, counter)
        result.days.append(day)
        if progress and (index % 30 == 0 or index == len(days)):
            progress(f"{index}/{len(days)} 天 ({day:%Y-%m-%d})")
    for month in sorted({month_start(day) for day in days}):
        with transaction.atomic():
            result.facts += _roll_up_month(month)
        result.months.append(month)
    with transaction.atomic():
        result.facts += _snapshot()
        state.refreshed_at = timezone.now()
        if until == today:
            done = today - timedelta(days=1)
            state.done_through = max(state.done_through or done, done)
        state.save(update_fields=["done_through", "refreshed_at"])
    return result


def refresh_job() -> None:
    result = refresh()
    logger.info(
        "analytics: %s days, %s months, %s facts",
        len(result.days),
        len(result.months),
        result.facts,
    )


# --- Monthly reports (月度报告) ------------------------------------------------------------


def monthly_report_create(*, division_code: str, month: date) -> MonthlyReport:
    """Render and archive the report of a division for a month; an existing report of
    the same month is replaced (a re-run after the figures were corrected)."""
    month = month_start(month)
    # An official document: Chinese whatever the language of whoever asked for it.
    with translation.override(settings.LANGUAGE_CODE):
        content = figures.monthly_report_content(division_code=division_code, month=month)
    data = report.render_monthly_report(content)
    with transaction.atomic():
        existing = MonthlyReport.objects.select_for_update().filter(
            division_code=division_code, month=month
        )
        for old in existing:
            old.file.delete(save=False)
            old.delete()
        archived = MonthlyReport(
            division_code=division_code,
            month=month,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        archived.file.save(f"{division_code}-{month:%Y-%m}.pdf", ContentFile(data), save=False)
        archived.save()
    return archived


def monthly_report_generate(*, user: Any, division_code: str, month: date) -> MonthlyReport:
    """A leader or supervisor (re)generates a month's report of their division now."""
    lens = selectors.lens_for(user, division_code)
    if not selectors.may_generate_reports(user, lens):
        raise PermissionDenied(_("仅政府领导和电子监察员可以生成月度报告"))
    if month_start(month) > timezone.localdate():
        raise ValidationFailed(_("不能生成未来月份的报告"), field="month")
    archived = monthly_report_create(division_code=division_code, month=month)
    audit_record(
        action="analytics.report_generate",
        actor=user,
        object_type="monthly_report",
        object_id=archived.pk,
        detail={"division": division_code, "month": f"{month:%Y-%m}", "sha256": archived.sha256},
    )
    return archived


def monthly_reports_job() -> list[MonthlyReport]:
    """On the first run of a month, archive last month's report of the province and of
    each city (the divisions a leader's dashboard is for)."""
    last_month = month_start(month_start(timezone.localdate()) - timedelta(days=1))
    missing = [
        code
        for code in selectors.report_divisions()
        if not MonthlyReport.objects.filter(division_code=code, month=last_month).exists()
    ]
    if missing:
        # Late corrections (a rating excluded after an appeal) land before the archive.
        refresh(since=last_month)
    return [monthly_report_create(division_code=code, month=last_month) for code in missing]
