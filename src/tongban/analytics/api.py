"""Decision support over HTTP: the dashboard's headline figures for leaders and
supervisors (citizens get 403)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tongban.accounts.auth import API_AUTH, caller
from tongban.analytics import selectors
from tongban.core.schemas import errors

router = Router(tags=["决策支持"], auth=API_AUTH)


class SummaryQuery(Schema):
    division: str = Field("", max_length=6, description="行政区划代码，缺省为本人可见的最高一级")
    from_month: str = Field("", alias="from", max_length=7, description="起始月份 YYYY-MM")
    to_month: str = Field("", alias="to", max_length=7, description="截止月份 YYYY-MM")


class SummaryOut(Schema):
    division_code: str
    division_name: str
    period_from: date
    period_to: date
    cases_received: int
    cases_completed: int
    online_rate: float | None
    zero_visit_rate: float | None
    on_time_rate: float | None
    completed_late: int
    running: int
    overdue: int
    average_used_days: float | None
    average_promised_days: float | None
    average_statutory_days: float | None
    ratings: int
    average_rating: float | None
    bad_rating_rate: float | None
    appeals_received: int
    appeals_replied: int
    exchange_calls: int
    fetched_material_share: float | None
    conflicts_open: int
    conflicts_resolved: int


@router.get(
    "/analytics/summary",
    response={200: SummaryOut, **errors(401, 403, 404, 422)},
    summary="决策支持核心指标：受理、办结、网上办理率、按时办结率、超期、平均评分、诉求受理与答复",
)
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> SummaryOut:
    lens = selectors.lens_for(caller(request), query.division)
    period = selectors.period_from(query.from_month, query.to_month)
    s = selectors.summary(lens, period)
    return SummaryOut(
        division_code=s.division_code,
        division_name=s.division_name,
        period_from=period.first,
        period_to=period.end,
        cases_received=s.received,
        cases_completed=s.completed,
        online_rate=s.online_rate,
        zero_visit_rate=s.zero_visit_rate,
        on_time_rate=s.on_time_rate,
        completed_late=s.late,
        running=s.running,
        overdue=s.overdue_running,
        average_used_days=s.avg_used_days,
        average_promised_days=s.avg_promised_days,
        average_statutory_days=s.avg_statutory_days,
        ratings=s.ratings,
        average_rating=s.average_rating,
        bad_rating_rate=s.bad_rate,
        appeals_received=s.appeals_received,
        appeals_replied=s.appeals_replied,
        exchange_calls=s.exchange_calls,
        fetched_material_share=s.fetched_share,
        conflicts_open=s.conflicts_open,
        conflicts_resolved=s.conflicts_resolved,
    )
