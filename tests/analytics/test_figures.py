"""Every figure of the dashboard against a direct count of the source tables, on
generated cases, ratings, appeals and exchange records."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from bench.datagen import generate
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tongban.analytics import figures, keywords, selectors, services
from tongban.analytics.models import Fact, Grain
from tongban.catalog.models import ServiceItem
from tongban.exchange.models import MessageLog
from tongban.interaction.models import Appeal
from tongban.org.models import Department, Division
from tongban.supervision.models import Clock, Rating, Rectification

pytestmark = pytest.mark.django_db


def _items() -> list[tuple[str, str, int, int]]:
    """Real catalog items, some needing no visit (零跑动) and some needing one."""
    zero = list(ServiceItem.objects.filter(max_visits=0).order_by("code")[:3])
    one = list(ServiceItem.objects.filter(max_visits__gt=0).order_by("code")[:2])
    assert zero and one
    return [(item.code, item.name, 5 + i, 20) for i, item in enumerate(zero + one)]


@pytest.fixture
def data(demo_catalog):
    today = timezone.localdate()
    generate(cases=900, end=today, days=80, appeals=160, logs=120, seed=7, items=_items())
    services.refresh(since=today - timedelta(days=85))
    return today


def _user(name: str):
    return get_user_model().objects.get(username=name)


def _period() -> selectors.Period:
    return selectors.period_from()


def _bounds(period: selectors.Period):
    start = timezone.make_aware(
        timezone.datetime.combine(period.first, timezone.datetime.min.time())
    )
    end = timezone.make_aware(
        timezone.datetime.combine(period.end + timedelta(days=1), timezone.datetime.min.time())
    )
    return start, end


def _clocks(period, **where):
    return Clock.objects.filter(accepted_on__gte=period.first, accepted_on__lte=period.end, **where)


def _completed(period, **where):
    start, end = _bounds(period)
    return Clock.objects.filter(
        stop_reason="completed", stopped_at__gte=start, stopped_at__lt=end, **where
    )


def test_headline_figures_equal_direct_counts(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    assert lens.division_code == "420000"
    s = selectors.summary(lens, period)
    start, end = _bounds(period)
    zero_codes = list(ServiceItem.objects.filter(max_visits=0).values_list("code", flat=True))
    completed = _completed(period)

    assert s.received == _clocks(period).count() == 900
    assert s.online == _clocks(period, online=True).count()
    assert s.zero_visit == _clocks(period, online=True, item_code__in=zero_codes).count() > 0
    assert s.completed == completed.count() > 0
    assert s.on_time == completed.filter(on_time=True).count()
    assert s.late == completed.filter(on_time=False).count()
    used = completed.aggregate(
        u=Sum("used_days"), p=Sum("promised_limit"), s=Sum("statutory_limit")
    )
    assert s.avg_used_days == round(used["u"] / s.completed, 2)
    assert s.avg_promised_days == round(used["p"] / s.completed, 2)
    assert s.avg_statutory_days == round(used["s"] / s.completed, 2)
    assert s.running == Clock.objects.filter(stopped_at__isnull=True).count()
    assert (
        s.overdue_running == Clock.objects.filter(stopped_at__isnull=True, level="overdue").count()
    )
    ratings = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, excluded=False)
    assert s.ratings == ratings.count() > 0
    assert s.average_rating == round(ratings.aggregate(t=Sum("score"))["t"] / s.ratings, 2)
    assert s.bad_ratings == ratings.filter(score__lte=2).count()
    assert (
        s.rectifications_opened
        == Rectification.objects.filter(opened_at__gte=start, opened_at__lt=end).count()
    )
    assert (
        s.rectifications_closed
        == Rectification.objects.filter(closed_at__gte=start, closed_at__lt=end).count()
    )
    assert (
        s.appeals_received
        == Appeal.objects.filter(submitted_at__gte=start, submitted_at__lt=end).count()
        == 160
    )
    assert (
        s.appeals_replied
        == Appeal.objects.filter(replied_at__gte=start, replied_at__lt=end).count()
    )
    assert s.exchange_calls == MessageLog.objects.filter(at__gte=start, at__lt=end).count() == 120
    assert s.online_rate == round(s.online / s.received, 4)


def test_monthly_figure_counts_each_month(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    figure = figures.figure_monthly(lens, period)
    assert [row[0].value for row in figure.rows] == [f"{m:%Y-%m}" for m in period.months]
    for month, row in zip(period.months, figure.rows, strict=True):
        month_period = selectors.Period(month, month)
        assert row[1].value == _clocks(month_period).count()
        assert row[2].value == _completed(month_period).count()
    assert "<svg" in figure.chart


def test_league_table_per_department_and_drilldown(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    figure = figures.figure_league(lens, period)
    rows = {(r.division_code, r.department_code): r for r in figures.department_rows(lens, period)}
    direct = Counter(_clocks(period).values_list("division_code", "department_code"))
    assert {key: row.received for key, row in rows.items() if row.received} == dict(direct)
    late = Counter(
        _completed(period, on_time=False).values_list("division_code", "department_code")
    )
    assert {k: r.late for k, r in rows.items() if r.late} == dict(late)
    overdue = Counter(
        Clock.objects.filter(stopped_at__isnull=True, level="overdue").values_list(
            "division_code", "department_code"
        )
    )
    assert {k: r.overdue_running for k, r in rows.items() if r.overdue_running} == dict(overdue)
    keys = ("division_code", "department_code")
    start, end = _bounds(period)
    direct_rows = {
        (r["division_code"], r["department_code"]): r
        for r in _completed(period)
        .values(*keys)
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(on_time=True)),
            used=Sum("used_days"),
            promised=Sum("promised_limit"),
            statutory=Sum("statutory_limit"),
        )
    }
    ratings = {
        (r["division_code"], r["department_code"]): r
        for r in Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
        .values(*keys)
        .annotate(n=Count("id"), total=Sum("score"), bad=Count("id", filter=Q(score__lte=2)))
    }
    online = Counter(_clocks(period, online=True).values_list(*keys))
    running = Counter(Clock.objects.filter(stopped_at__isnull=True).values_list(*keys))
    for key, row in rows.items():
        done = direct_rows.get(key, {})
        rated = ratings.get(key, {})
        assert row.completed == done.get("n", 0), key
        assert row.on_time == done.get("ok", 0), key
        assert (row.used_days, row.promised_days, row.statutory_days) == (
            done.get("used", 0) or 0,
            done.get("promised", 0) or 0,
            done.get("statutory", 0) or 0,
        ), key
        assert row.online == online.get(key, 0), key
        assert row.running == running.get(key, 0), key
        assert (row.ratings, row.score_sum, row.bad) == (
            rated.get("n", 0),
            rated.get("total", 0) or 0,
            rated.get("bad", 0),
        ), key
    scores = [row[-1].value for row in figure.rows]
    assert scores == sorted(scores, reverse=True)
    assert [row[0].value for row in figure.rows] == list(range(1, len(figure.rows) + 1))

    # Drill down from the busiest department's 受理 figure to its cases, page by page.
    (division_code, department_code), expected = direct.most_common(1)[0]
    sub = selectors.lens_for(_user("lingdao"), division_code)
    seen, cursor = [], None
    while True:
        page = selectors.drilldown(
            sub, period, metric="received", department=department_code, cursor=cursor
        )
        seen += [line.number for line in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == expected
    late_lines = selectors.drilldown(sub, period, metric="late", department=department_code).items
    assert all(line.on_time is False for line in late_lines)


def test_items_figure_and_zero_visit(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    figure = figures.figure_items(lens, period)
    names = dict(ServiceItem.objects.values_list("name", "code"))
    direct = Counter(_clocks(period).values_list("item_code", flat=True))
    assert {names[row[0].value]: row[1].value for row in figure.rows} == dict(direct)
    assert all(row[1].href for row in figure.rows)


def test_appeal_figures(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    start, end = _bounds(period)
    appeals = Appeal.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    types = figures.figure_appeal_types(lens, period)
    for month, row in zip(period.months, types.rows, strict=True):
        in_month = appeals.filter(submitted_at__year=month.year, submitted_at__month=month.month)
        assert row[-1].value == in_month.count()
        for index, (value, _label) in enumerate(figures.appeal_type_choices(), start=1):
            assert row[index].value == in_month.filter(appeal_type=value).count()

    by_department = figures.figure_appeal_departments(lens, period)
    assert sum(row[1].value for row in by_department.rows) == appeals.count()
    undispatched = [row for row in by_department.rows if row[0].value == "待派单"]
    assert undispatched[0][1].value == appeals.filter(department__isnull=True).count()

    area = figures.figure_appeal_map(lens, period)
    for code, _name, count in ((r[0].value, r[1].value, r[2].value) for r in area.rows):
        path = Division.objects.get(code=code).path
        assert (
            count
            == appeals.filter(
                Q(division__path=path) | Q(division__path__startswith=path + "/")
            ).count()
        )
    assert "<svg" in area.chart

    words: Counter[str] = Counter()
    for appeal in appeals:
        words.update(keywords.extract(f"{appeal.title}\n{appeal.content}"))
    hot = figures.figure_hot_topics(lens, period)
    expected = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    for row, (word, count) in zip(hot.rows[:3], expected, strict=True):
        assert (row[0].value, row[1].value) == (word, count)


def test_exchange_ratings_and_materials_figures(data):
    period = _period()
    lens = selectors.lens_for(_user("lingdao"))
    start, end = _bounds(period)
    exchange = figures.figure_exchange(lens, period)
    logs = MessageLog.objects.filter(at__gte=start, at__lt=end)
    assert sum(row[1].value for row in exchange.rows) == logs.count()
    assert sum(row[2].value for row in exchange.rows) == logs.filter(status__gte=400).count()
    assert sum(row[3].value for row in exchange.rows) == logs.count()
    busiest = Counter(logs.values_list("provider_id", flat=True)).most_common(1)[0]
    department = Department.objects.select_related("division").get(pk=busiest[0])
    label = f"{department.name}（{department.division.name}）"
    assert [row[1].value for row in exchange.rows if row[0].value == label] == [busiest[1]]

    ratings = figures.figure_ratings(lens, period)
    assert (
        sum(row[1].value for row in ratings.rows)
        == Rating.objects.filter(rated_at__gte=start, rated_at__lt=end).count()
    )
    assert (
        sum(row[3].value for row in ratings.rows)
        == Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, score__lte=2).count()
    )


def test_department_head_sees_only_their_department(data):
    period = _period()
    lens = selectors.lens_for(_user("scjg-head"))
    assert (lens.division_code, lens.department) == ("420100", "scjg")
    s = selectors.summary(lens, period)
    assert s.received == _clocks(period, division_code="420100", department_code="scjg").count()
    start, end = _bounds(period)
    handled = Appeal.objects.filter(
        department__division_id="420100",
        department__code="scjg",
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    assert s.appeals_received == handled.count() > 0
    with pytest.raises(selectors.PermissionDenied):
        selectors.lens_for(_user("scjg-head"), "420900")
    with pytest.raises(selectors.PermissionDenied):
        selectors.drilldown(lens, period, metric="received", department="gaj")
    with pytest.raises(selectors.PermissionDenied):
        selectors.lens_for(_user("zhangsan"))
    with pytest.raises(selectors.PermissionDenied):
        selectors.lens_for(_user("wh-lingdao"), "420900")


def test_refresh_is_incremental_and_idempotent(data):
    before = list(
        Fact.objects.order_by(
            "grain", "period", "metric", "division_code", "department_code", "key"
        ).values_list(
            "grain", "period", "metric", "division_code", "department_code", "key", "value"
        )
    )
    services.refresh(since=data - timedelta(days=85))
    after = list(
        Fact.objects.order_by(
            "grain", "period", "metric", "division_code", "department_code", "key"
        ).values_list(
            "grain", "period", "metric", "division_code", "department_code", "key", "value"
        )
    )
    assert before == after

    lens = selectors.lens_for(_user("lingdao"))
    received = selectors.summary(lens, _period()).received
    generate(cases=5, end=data, days=1, appeals=0, logs=0, seed=99, items=_items())
    result = services.refresh()  # the worker's job: only the last days
    assert len(result.days) <= 5
    assert selectors.summary(lens, _period()).received == received + 5


def test_period_validation():
    with pytest.raises(selectors.ValidationFailed):
        selectors.period_from("2026-13")
    with pytest.raises(selectors.ValidationFailed):
        selectors.period_from("2026-05", "2026-01")
    with pytest.raises(selectors.ValidationFailed):
        selectors.period_from("2020-01", "2026-01")
    period = selectors.period_from("2026-01", "2026-03")
    assert period.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert period.end == date(2026, 3, 31)


def test_month_facts_are_the_sum_of_day_facts(data):
    days = (
        Fact.objects.filter(grain=Grain.DAY)
        .exclude(metric="appeals.keyword")
        .aggregate(t=Sum("value"))["t"]
    )
    months = (
        Fact.objects.filter(grain=Grain.MONTH)
        .exclude(metric="appeals.keyword")
        .aggregate(t=Sum("value"))["t"]
    )
    assert days == months > 0


def test_materials_and_conflicts(demo):
    from tests.supervision.factories import make_case
    from tongban.cases.models import CaseMaterial, FetchedMaterial, StoredFile
    from tongban.registries.models import Conflict, Entity

    owner = _user("zhangsan")
    stored = StoredFile.objects.create(
        owner=owner,
        sha256="a" * 64,
        size=3,
        content_type="application/pdf",
        original_name="a.pdf",
        file="cases/files/a.pdf",
        label="营业执照",
    )
    now = timezone.now()
    plan = [("scjg", 2, 1, 3), ("scjg", 1, 0, 0), ("gaj", 0, 2, 1)]  # uploaded, reused, fetched
    for department, uploaded, reused, fetched in plan:
        case = make_case(department_code=department)
        case.first_submitted_at = now
        case.save(update_fields=["first_submitted_at"])
        for n in range(uploaded + reused):
            CaseMaterial.objects.create(
                case=case, name=f"材料{n}", file=stored, reused=n >= uploaded
            )
        for n in range(fetched):
            FetchedMaterial.objects.create(case=case, name=f"共享{n}", resource_code="R1", ok=True)
        FetchedMaterial.objects.create(case=case, name="未获取", resource_code="R2", ok=False)
    entity = Entity.objects.create(registry_id="P1", kind="person", division_code="420100")
    Conflict.objects.create(entity=entity, attribute="name", values=[], fingerprint="f1")
    Conflict.objects.create(
        entity=entity, attribute="phone", values=[], fingerprint="f2", status="resolved"
    )
    services.refresh(since=timezone.localdate() - timedelta(days=1))

    lens = selectors.lens_for(_user("wh-lingdao"))
    period = _period()
    figure = figures.figure_materials(lens, period)
    rows = {row[0].value: [cell.value for cell in row[1:4]] for row in figure.rows}
    assert rows == {"市场监督管理局": [3, 1, 3], "公安局": [0, 2, 1]}
    s = selectors.summary(lens, period)
    assert (s.materials_total, s.materials_fetched) == (10, 4)
    conflicts = figures.figure_conflicts(selectors.lens_for(_user("lingdao")))
    assert [row[1].value for row in conflicts.rows] == [1, 1]


def test_dashboard_reads_facts_only(demo):
    """The number of queries does not grow with cases: the figures read the facts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    lens = selectors.lens_for(_user("lingdao"))
    period = _period()
    counts = []
    for size in (50, 400):
        generate(cases=size, end=today, days=30, appeals=size // 10, logs=size // 10, seed=size)
        services.refresh(since=today - timedelta(days=31))
        with CaptureQueriesContext(connection) as queries:
            selectors.summary(lens, period)
            figures.dashboard(lens, period)
        counts.append(len(queries))
        tables = {q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]}
        assert not {'"supervision_clock"', '"interaction_appeal"', '"exchange_messagelog"'} & tables
    assert counts[0] == counts[1] < 60


def test_league_score_formula():
    row = figures.DepartmentRow(
        "420100",
        "scjg",
        "市场监督管理局",
        received=10,
        completed=8,
        online=6,
        on_time=6,
        overdue_running=1,
        running=4,
        ratings=2,
        score_sum=9,
    )
    # 40 × 6/8 + 20 × 6/10 + 40 × 4.5/5 − 20 × 1/4
    assert row.score == 30 + 12 + 36 - 5
    idle = figures.DepartmentRow("420100", "gaj", "公安局")
    assert idle.score == 50.0


def test_refresh_survives_a_removed_department(demo):
    today = timezone.localdate()
    generate(cases=0, end=today, days=1, appeals=0, logs=3, seed=5)
    MessageLog.objects.update(provider_id=999_999)
    result = services.refresh(since=today - timedelta(days=1))
    assert result.days[-1] == today
    lens = selectors.lens_for(_user("lingdao"))
    assert selectors.summary(lens, _period()).exchange_calls == 3
