"""The figures of the dashboard (图表): each a chart and the table it pictures, built from
the fact sums of :mod:`tongban.analytics.selectors`; also the public statistics and the
content of the monthly report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongban.analytics.maps import division_map
from tongban.analytics.models import Metric
from tongban.analytics.report import ReportContent, ReportTable
from tongban.analytics.selectors import (
    CASE_METRICS,
    RATING_METRICS,
    TOP_ITEMS,
    TOP_KEYWORDS,
    Lens,
    Period,
    fact_sums,
    fact_totals,
    mean,
    percent,
    public_lens,
    ratio,
    summary,
)
from tongban.catalog.selectors import item_facts
from tongban.core.charts import bar_chart, line_chart, stacked_bar_chart
from tongban.core.errors import ValidationFailed
from tongban.interaction.selectors import appeal_type_choices
from tongban.org.selectors import (
    department_names,
    division_children,
    division_get,
    division_names,
    division_paths,
)

# --- Figures: a chart and the table it pictures -------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Any
    href: str = ""

    def __str__(self) -> str:
        if isinstance(self.value, float):
            return f"{self.value:g}"
        return "—" if self.value is None else str(self.value)


@dataclass
class Figure:
    """One figure of the dashboard: its chart and the table with the same numbers."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: SafeString = field(default_factory=lambda: mark_safe(""))
    note: str = ""

    def plain_rows(self) -> list[list[Any]]:
        return [[cell.value for cell in row] for row in self.rows]


def _cells(*values: Any) -> list[Cell]:
    return [value if isinstance(value, Cell) else Cell(value) for value in values]


def drilldown_url(
    lens: Lens,
    period: Period,
    *,
    metric: str,
    department: str = "",
    item: str = "",
    division: str = "",
) -> str:
    query = {
        "division": division or lens.division_code,
        "metric": metric,
        "from": period.param(period.first),
        "to": period.param(period.last),
    }
    if department:
        query["department"] = department
    if item:
        query["item"] = item
    return reverse("analytics:cases") + "?" + urlencode(query)


def figure_monthly(lens: Lens, period: Period) -> Figure:
    facts = fact_sums(
        lens,
        (Metric.RECEIVED, Metric.COMPLETED, Metric.ONLINE, Metric.ON_TIME),
        period,
        ("period",),
    )
    figure = Figure(
        "monthly",
        _("每月受理与办结"),
        [_("月份"), _("受理"), _("办结"), _("网上办理率"), _("按时办结率")],
    )
    received, completed = [], []
    for month in period.months:
        row = facts.get((month,), {})
        received.append(row.get(Metric.RECEIVED, 0))
        completed.append(row.get(Metric.COMPLETED, 0))
        figure.rows.append(
            _cells(
                period.param(month),
                received[-1],
                completed[-1],
                percent(ratio(row.get(Metric.ONLINE, 0), received[-1])),
                percent(ratio(row.get(Metric.ON_TIME, 0), completed[-1])),
            )
        )
    figure.chart = line_chart(
        [period.param(m) for m in period.months],
        [(_("受理"), received), (_("办结"), completed)],
        title=figure.title,
        chart_id="chart-monthly",
        unit=_("件"),
    )
    return figure


@dataclass
class DepartmentRow:
    division_code: str
    department_code: str
    name: str
    received: int = 0
    completed: int = 0
    online: int = 0
    on_time: int = 0
    late: int = 0
    used_days: int = 0
    promised_days: int = 0
    statutory_days: int = 0
    overdue_running: int = 0
    running: int = 0
    ratings: int = 0
    score_sum: int = 0
    bad: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.completed)

    @property
    def online_rate(self) -> float | None:
        return ratio(self.online, self.received)

    @property
    def average_rating(self) -> float | None:
        return mean(self.score_sum, self.ratings)

    @property
    def score(self) -> float:
        """League score (综合得分, 0-100): 40 for being on time, 20 for serving online, 40
        for the citizens' ratings, less up to 20 for the share of running cases now at 红灯
        (a share, so that busy departments are not punished for their volume; floor 0). A
        department with nothing completed or rated gets the neutral half of those parts."""
        on_time = self.on_time_rate if self.on_time_rate is not None else 0.5
        online = self.online_rate if self.online_rate is not None else 0.5
        rating = (self.average_rating / 5) if self.average_rating is not None else 0.5
        overdue = ratio(self.overdue_running, self.running) or 0.0
        raw = 40 * on_time + 20 * online + 40 * rating - 20 * overdue
        return round(max(raw, 0.0), 1)


def department_rows(lens: Lens, period: Period) -> list[DepartmentRow]:
    by = ("division_code", "department_code")
    facts = fact_sums(
        lens, (*CASE_METRICS, Metric.RATINGS, Metric.SCORE_SUM, Metric.BAD), period, by
    )
    now = fact_sums(lens, (Metric.OVERDUE, Metric.RUNNING), None, by)
    names = department_names(list(lens.codes))
    divisions = division_names(list(lens.codes))
    rows = []
    for key in sorted(set(facts) | set(now)):
        division_code, department_code = key
        values = facts.get(key, {})
        rows.append(
            DepartmentRow(
                division_code,
                department_code,
                _department_name(lens, key, names, divisions),
                received=values.get(Metric.RECEIVED, 0),
                completed=values.get(Metric.COMPLETED, 0),
                online=values.get(Metric.ONLINE, 0),
                on_time=values.get(Metric.ON_TIME, 0),
                late=values.get(Metric.LATE, 0),
                used_days=values.get(Metric.USED_DAYS, 0),
                promised_days=values.get(Metric.PROMISED_DAYS, 0),
                statutory_days=values.get(Metric.STATUTORY_DAYS, 0),
                overdue_running=now.get(key, {}).get(Metric.OVERDUE, 0),
                running=now.get(key, {}).get(Metric.RUNNING, 0),
                ratings=values.get(Metric.RATINGS, 0),
                score_sum=values.get(Metric.SCORE_SUM, 0),
                bad=values.get(Metric.BAD, 0),
            )
        )
    return rows


def figure_league(
    lens: Lens, period: Period, departments: list[DepartmentRow] | None = None
) -> Figure:
    """Department league table (部门排名) for 电子监察, best score first."""
    if departments is None:
        departments = department_rows(lens, period)
    rows = sorted(departments, key=lambda r: (-r.score, r.name))
    figure = Figure(
        "league",
        _("部门综合排名"),
        [
            _("名次"),
            _("部门"),
            _("受理"),
            _("办结"),
            _("网上办理率"),
            _("按时办结率"),
            _("超期办结"),
            _("当前超期"),
            _("平均评分"),
            _("综合得分"),
        ],
        note=_(
            "综合得分 = 按时办结率×40 + 网上办理率×20 + 平均评分/5×40 − 当前超期件占在办件比例×20"
        ),
    )
    for rank, row in enumerate(rows, start=1):

        def link(metric: str, value: int, row: DepartmentRow = row) -> Cell:
            url = drilldown_url(
                lens,
                period,
                metric=metric,
                department=row.department_code,
                division=row.division_code,
            )
            return Cell(value, url if value else "")

        figure.rows.append(
            _cells(
                rank,
                row.name,
                link("received", row.received),
                link("completed", row.completed),
                percent(row.online_rate),
                percent(row.on_time_rate),
                link("late", row.late),
                link("overdue", row.overdue_running),
                row.average_rating,
                row.score,
            )
        )
    figure.chart = bar_chart(
        [(row.name, (row.score,)) for row in rows[:20]],
        title=figure.title,
        chart_id="chart-league",
    )
    return figure


def figure_duration(
    lens: Lens, period: Period, departments: list[DepartmentRow] | None = None
) -> Figure:
    if departments is None:
        departments = department_rows(lens, period)
    rows = [r for r in departments if r.completed]
    figure = Figure(
        "duration",
        _("平均办理用时与时限（工作日）"),
        [_("部门"), _("办结"), _("平均用时"), _("平均承诺时限"), _("平均法定时限")],
    )
    chart_rows = []
    for row in rows:
        used = mean(row.used_days, row.completed)
        promised = mean(row.promised_days, row.completed)
        statutory = mean(row.statutory_days, row.completed)
        figure.rows.append(_cells(row.name, row.completed, used, promised, statutory))
        chart_rows.append((row.name, (used or 0, promised or 0, statutory or 0)))
    figure.chart = bar_chart(
        chart_rows[:20],
        title=figure.title,
        chart_id="chart-duration",
        series=(_("平均用时"), _("承诺时限"), _("法定时限")),
    )
    return figure


def figure_items(lens: Lens, period: Period) -> Figure:
    facts = fact_sums(
        lens,
        (
            Metric.ITEM_RECEIVED,
            Metric.ITEM_COMPLETED,
            Metric.ITEM_ON_TIME,
            Metric.ITEM_ZERO_VISIT,
            Metric.ITEM_ONLINE,
        ),
        period,
        ("key",),
    )
    top = sorted(facts.items(), key=lambda kv: (-kv[1].get(Metric.ITEM_RECEIVED, 0), kv[0]))[
        :TOP_ITEMS
    ]
    names = item_facts([key[0] for key, _values in top])
    figure = Figure(
        "items",
        _("受理量最多的事项"),
        [_("事项"), _("受理"), _("办结"), _("网上办理率"), _("零跑动率"), _("按时办结率")],
    )
    for (code,), values in top:
        name = names[code].name if code in names else code
        received = values.get(Metric.ITEM_RECEIVED, 0)
        completed = values.get(Metric.ITEM_COMPLETED, 0)
        url = drilldown_url(lens, period, metric="received", item=code)
        figure.rows.append(
            _cells(
                name,
                Cell(received, url if received else ""),
                completed,
                percent(ratio(values.get(Metric.ITEM_ONLINE, 0), received)),
                percent(ratio(values.get(Metric.ITEM_ZERO_VISIT, 0), received)),
                percent(ratio(values.get(Metric.ITEM_ON_TIME, 0), completed)),
            )
        )
    figure.chart = bar_chart(
        [(row[0].value, (row[1].value, row[2].value)) for row in figure.rows],
        title=figure.title,
        chart_id="chart-items",
        series=(_("受理"), _("办结")),
    )
    return figure


def figure_ratings(lens: Lens, period: Period) -> Figure:
    facts = fact_sums(lens, RATING_METRICS, period, ("period",))
    figure = Figure(
        "ratings",
        _("好差评与整改"),
        [
            _("月份"),
            _("评价数"),
            _("平均评分"),
            _("差评"),
            _("差评率"),
            _("发起整改"),
            _("整改办结"),
        ],
    )
    counts, bads = [], []
    for month in period.months:
        values = facts.get((month,), {})
        count, bad = values.get(Metric.RATINGS, 0), values.get(Metric.BAD, 0)
        counts.append(count)
        bads.append(bad)
        figure.rows.append(
            _cells(
                period.param(month),
                count,
                mean(values.get(Metric.SCORE_SUM, 0), count),
                bad,
                percent(ratio(bad, count)),
                values.get(Metric.RECT_OPENED, 0),
                values.get(Metric.RECT_CLOSED, 0),
            )
        )
    figure.chart = line_chart(
        [period.param(m) for m in period.months],
        [(_("评价数"), counts), (_("差评"), bads)],
        title=figure.title,
        chart_id="chart-ratings",
        unit=_("条"),
    )
    return figure


def figure_appeal_types(lens: Lens, period: Period) -> Figure:
    facts = fact_sums(lens, (Metric.APPEALS,), period, ("period", "key"))
    types = appeal_type_choices()
    figure = Figure(
        "appeal_types",
        _("每月诉求（按类型）"),
        [_("月份"), *[label for _v, label in types], _("合计")],
    )
    chart_rows = []
    for month in period.months:
        values = [facts.get((month, value), {}).get(Metric.APPEALS, 0) for value, _label in types]
        figure.rows.append(_cells(period.param(month), *values, sum(values)))
        chart_rows.append((period.param(month), values))
    figure.chart = stacked_bar_chart(
        chart_rows,
        title=figure.title,
        chart_id="chart-appeal-types",
        series=[label for _v, label in types],
    )
    return figure


def _department_name(
    lens: Lens, key: tuple[str, str], names: dict[tuple[str, str], str], divisions: dict[str, str]
) -> str:
    """A department's name, with its division when it is not the one shown."""
    name = names.get(key, key[1])
    if key[0] != lens.division_code:
        name = f"{name}（{divisions.get(key[0], key[0])}）"
    return name


def figure_appeal_departments(lens: Lens, period: Period) -> Figure:
    by = ("division_code", "department_code")
    facts = fact_sums(lens, (Metric.HANDLED, Metric.HANDLED_REPLIED), period, by)
    names = department_names(list(lens.codes))
    divisions = division_names(list(lens.codes))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, values in facts.items():
        label = _department_name(lens, key, names, divisions) if key[1] else _("待派单")
        totals[label][0] += values.get(Metric.HANDLED, 0)
        totals[label][1] += values.get(Metric.HANDLED_REPLIED, 0)
    figure = Figure(
        "appeal_departments",
        _("诉求承办部门"),
        [_("部门"), _("受理"), _("答复"), _("答复率")],
    )
    for label, (received, replied) in sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0])):
        figure.rows.append(_cells(label, received, replied, percent(ratio(replied, received))))
    figure.chart = bar_chart(
        [(row[0].value, (row[1].value, row[2].value)) for row in figure.rows[:20]],
        title=figure.title,
        chart_id="chart-appeal-departments",
        series=(_("受理"), _("答复")),
    )
    return figure


def figure_hot_topics(lens: Lens, period: Period) -> Figure:
    """Hot topics (热点诉求): the keywords of the period, with the last month against the
    one before, so rising topics stand out."""
    facts = fact_sums(lens, (Metric.KEYWORD,), period, ("period", "key"))
    totals: dict[str, int] = defaultdict(int)
    for (_month, word), values in facts.items():
        totals[word] += values.get(Metric.KEYWORD, 0)
    last = period.last
    before = (last - timedelta(days=1)).replace(day=1)
    figure = Figure(
        "hot_topics",
        _("热点诉求关键词"),
        [_("关键词"), _("期间出现次数"), f"{last:%Y-%m}", f"{before:%Y-%m}", _("变化")],
    )
    for word, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_KEYWORDS]:
        now = facts.get((last, word), {}).get(Metric.KEYWORD, 0)
        earlier = facts.get((before, word), {}).get(Metric.KEYWORD, 0)
        figure.rows.append(_cells(word, total, now, earlier, f"{now - earlier:+d}"))
    figure.chart = bar_chart(
        [(row[0].value, (row[1].value,)) for row in figure.rows],
        title=figure.title,
        chart_id="chart-hot-topics",
    )
    return figure


def figure_appeal_map(lens: Lens, period: Period) -> Figure:
    """Appeals per division below the one shown (the division itself when it has none)."""
    facts = fact_sums(lens, (Metric.APPEALS,), period, ("division_code",))
    children = division_children(lens.division_code) if not lens.department else []
    areas = [(c.code, c.name) for c in children] or [(lens.division_code, lens.division_name)]
    # A division's path names its ancestors: the child it lies under is one step below ours.
    depth = len(lens.division_path.split("/"))
    paths = division_paths([code for (code,) in facts])
    counts: dict[str, int] = defaultdict(int)
    for (division_code,), values in facts.items():
        parts = paths.get(division_code, "").split("/")
        if not children:
            counts[lens.division_code] += values.get(Metric.APPEALS, 0)
        elif len(parts) > depth:
            counts[parts[depth]] += values.get(Metric.APPEALS, 0)
    figure = Figure("appeal_map", _("诉求地区分布"), [_("区划代码"), _("地区"), _("诉求数")])
    for code, name in areas:
        figure.rows.append(_cells(code, name, counts.get(code, 0)))
    own = sum(
        v.get(Metric.APPEALS, 0) for (code,), v in facts.items() if code == lens.division_code
    )
    if children and own:
        figure.note = _("本级受理 %(n)s 件，未计入下级地区。") % {"n": own}
    figure.chart = division_map(
        [(code, name, counts.get(code, 0)) for code, name in areas],
        title=figure.title,
        chart_id="chart-appeal-map",
        unit=_("件"),
    )
    return figure


def _department_label(
    key: str, names: dict[tuple[str, str], str], divisions: dict[str, str]
) -> str:
    division_code, _sep, code = key.partition(":")
    if not key:
        return _("平台")
    name = names.get((division_code, code), code)
    return f"{name}（{divisions.get(division_code, division_code)}）"


def figure_exchange(lens: Lens, period: Period) -> Figure:
    """Exchange volume (数据共享调用量) by providing and consuming department."""
    facts = fact_sums(
        lens,
        (Metric.CALLS, Metric.CALLS_FAILED),
        period,
        ("division_code", "department_code", "key"),
    )
    consumer_divisions = sorted({key.partition(":")[0] for (_d, _c, key) in facts if key})
    names = department_names(list(lens.codes) + consumer_divisions)
    divisions = division_names(list(lens.codes) + consumer_divisions)
    providers: dict[str, int] = defaultdict(int)
    consumers: dict[str, int] = defaultdict(int)
    failed: dict[str, int] = defaultdict(int)
    for (division_code, department_code, key), values in facts.items():
        provider = _department_label(
            f"{division_code}:{department_code}" if department_code else "", names, divisions
        )
        providers[provider] += values.get(Metric.CALLS, 0)
        failed[provider] += values.get(Metric.CALLS_FAILED, 0)
        consumers[_department_label(key, names, divisions)] += values.get(Metric.CALLS, 0)
    figure = Figure(
        "exchange",
        _("数据共享调用量"),
        [_("部门"), _("作为提供方"), _("其中失败"), _("作为使用方")],
    )
    for name in sorted(
        set(providers) | set(consumers),
        key=lambda n: (-providers.get(n, 0) - consumers.get(n, 0), n),
    ):
        figure.rows.append(
            _cells(name, providers.get(name, 0), failed.get(name, 0), consumers.get(name, 0))
        )
    figure.chart = bar_chart(
        [(row[0].value, (row[1].value, row[3].value)) for row in figure.rows[:20]],
        title=figure.title,
        chart_id="chart-exchange",
        series=(_("提供"), _("使用")),
    )
    return figure


def figure_materials(lens: Lens, period: Period) -> Figure:
    facts = fact_sums(
        lens,
        (Metric.UPLOADED, Metric.REUSED, Metric.FETCHED),
        period,
        ("division_code", "department_code"),
    )
    names = department_names(list(lens.codes))
    divisions = division_names(list(lens.codes))
    figure = Figure(
        "materials",
        _("申请材料来源"),
        [_("部门"), _("上传"), _("复用"), _("自动获取"), _("自动获取占比")],
    )
    chart_rows = []
    for key, values in sorted(facts.items()):
        uploaded, reused, fetched = (
            values.get(m, 0) for m in (Metric.UPLOADED, Metric.REUSED, Metric.FETCHED)
        )
        name = _department_name(lens, key, names, divisions)
        figure.rows.append(
            _cells(
                name,
                uploaded,
                reused,
                fetched,
                percent(ratio(fetched, uploaded + reused + fetched)),
            )
        )
        chart_rows.append((name, (uploaded, reused, fetched)))
    figure.chart = stacked_bar_chart(
        chart_rows[:20],
        title=figure.title,
        chart_id="chart-materials",
        series=(_("上传"), _("复用"), _("自动获取")),
    )
    return figure


def figure_conflicts(lens: Lens) -> Figure:
    now = fact_totals(lens, (Metric.CONFLICTS_OPEN, Metric.CONFLICTS_RESOLVED), None)
    figure = Figure("conflicts", _("基础库数据冲突"), [_("状态"), _("数量")])
    rows = [
        (_("待处理"), now.get(Metric.CONFLICTS_OPEN, 0)),
        (_("已处理"), now.get(Metric.CONFLICTS_RESOLVED, 0)),
    ]
    figure.rows = [_cells(label, value) for label, value in rows]
    figure.chart = bar_chart(
        [(label, (value,)) for label, value in rows], title=figure.title, chart_id="chart-conflicts"
    )
    return figure


FIGURES = (
    "monthly",
    "league",
    "duration",
    "items",
    "ratings",
    "appeal_types",
    "appeal_departments",
    "hot_topics",
    "appeal_map",
    "exchange",
    "materials",
    "conflicts",
)


def figure(lens: Lens, period: Period, figure_id: str) -> Figure:
    builders: dict[str, Callable[[Lens, Period], Figure]] = {
        "monthly": figure_monthly,
        "league": figure_league,
        "duration": figure_duration,
        "items": figure_items,
        "ratings": figure_ratings,
        "appeal_types": figure_appeal_types,
        "appeal_departments": figure_appeal_departments,
        "hot_topics": figure_hot_topics,
        "appeal_map": figure_appeal_map,
        "exchange": figure_exchange,
        "materials": figure_materials,
    }
    if figure_id == "conflicts":
        return figure_conflicts(lens)
    if figure_id not in builders:
        raise ValidationFailed(_("没有这个图表"), field="figure")
    return builders[figure_id](lens, period)


def dashboard(lens: Lens, period: Period) -> list[Figure]:
    """Every figure; the league table and the durations share one read of the departments."""
    departments = department_rows(lens, period)
    shared = {
        "league": lambda: figure_league(lens, period, departments),
        "duration": lambda: figure_duration(lens, period, departments),
    }
    return [
        shared[figure_id]() if figure_id in shared else figure(lens, period, figure_id)
        for figure_id in FIGURES
    ]


# --- The public statistics (办件公示) -------------------------------------------------------


def public_figure(lens: Lens, period: Period) -> Figure:
    """Totals and on-time rates per department, nothing about any person or case."""
    rows = sorted(department_rows(lens, period), key=lambda r: (-r.received, r.name))
    figure = Figure(
        "public",
        _("各部门办件情况"),
        [_("部门"), _("受理"), _("办结"), _("网上办理率"), _("按时办结率")],
    )
    for row in rows:
        figure.rows.append(
            _cells(
                row.name,
                row.received,
                row.completed,
                percent(row.online_rate),
                percent(row.on_time_rate),
            )
        )
    figure.chart = bar_chart(
        [(row.name, (row.received, row.completed)) for row in rows[:20]],
        title=figure.title,
        chart_id="chart-public",
        series=(_("受理"), _("办结")),
    )
    return figure


# --- Monthly report (月度报告) -----------------------------------------------------------------


def _report_table(
    figure: Figure, *, chart: str = "none", values: tuple[int, ...] = (1,)
) -> ReportTable:
    return ReportTable(
        title=figure.title,
        columns=list(figure.columns),
        rows=[[("—" if v is None else v) for v in row] for row in figure.plain_rows()],
        chart=chart,
        value_columns=values,
    )


def monthly_report_content(*, division_code: str, month: date) -> ReportContent:
    division = division_get(division_code)
    lens = public_lens(division.code)
    one_month = Period(month, month)
    year = Period(((month - timedelta(days=334)).replace(day=1)), month)
    head = summary(lens, one_month)
    headline = [
        (_("受理办件"), str(head.received)),
        (_("办结办件"), str(head.completed)),
        (_("网上办理率"), percent(head.online_rate)),
        (_("零跑动率"), percent(head.zero_visit_rate)),
        (_("按时办结率"), percent(head.on_time_rate)),
        (_("平均用时（工作日）"), "—" if head.avg_used_days is None else str(head.avg_used_days)),
        (_("当前超期"), str(head.overdue_running)),
        (_("平均评分"), "—" if head.average_rating is None else str(head.average_rating)),
        (_("差评率"), percent(head.bad_rate)),
        (_("诉求受理"), str(head.appeals_received)),
        (_("诉求答复"), str(head.appeals_replied)),
        (_("材料自动获取占比"), percent(head.fetched_share)),
    ]
    league = figure_league(lens, one_month)
    return ReportContent(
        title=f"{division.name}政务服务月度报告",
        division_name=division.name,
        month=month,
        generated_on=timezone.localdate(),
        headline=headline,
        tables=[
            _report_table(figure_monthly(lens, year), chart="line", values=(1, 2)),
            _report_table(league, chart="bar", values=(9,)),
            _report_table(figure_items(lens, one_month), chart="bar", values=(1, 2)),
            _report_table(
                figure_appeal_types(lens, year),
                chart="bar",
                values=(len(appeal_type_choices()) + 1,),
            ),
            _report_table(figure_hot_topics(lens, one_month), chart="bar", values=(1,)),
            _report_table(figure_ratings(lens, year), chart="line", values=(1, 3)),
        ],
    )
