"""Supervisor statistics and lists on a small known dataset."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.core.errors import PermissionDenied
from tongban.supervision import selectors, services

from .factories import accept, complete, make_case, user, withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(demo):
    a = make_case(promised_limit=10, channel="online")
    accept(a, clock_start=date(2025, 3, 3))
    complete(a, on=date(2025, 3, 10))  # 5 working days, on time
    b = make_case(promised_limit=5, channel="window")
    accept(b, clock_start=date(2025, 3, 3))
    complete(b, on=date(2025, 3, 12))  # 7 working days, late
    c = make_case(promised_limit=10, channel="online")
    accept(c, clock_start=date(2025, 3, 4))  # running
    d = make_case(division_code="420102", promised_limit=3, channel="online")
    accept(d, clock_start=date(2025, 3, 5))
    withdraw(d, on=date(2025, 3, 6))
    e = make_case(division_code="420900", promised_limit=2)  # 孝感: not jiancha's
    accept(e, clock_start=date(2025, 3, 3))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_stats_per_department_and_division(dataset):
    stats = selectors.supervision_stats(user=user("jiancha"))
    rows = {(r.division_code, r.department_code): r for r in stats.departments}
    assert set(rows) == {("420100", "scjg"), ("420102", "scjg")}
    wuhan = rows[("420100", "scjg")]
    assert (wuhan.accepted, wuhan.completed, wuhan.online, wuhan.on_time) == (3, 2, 2, 1)
    assert wuhan.online_rate == pytest.approx(0.6667)
    assert wuhan.on_time_rate == 0.5
    assert (wuhan.avg_used_days, wuhan.avg_promised_limit) == (6.0, 7.5)
    assert wuhan.overdue == 1
    assert wuhan.online_percent == "66.7%"
    jiangan = rows[("420102", "scjg")]
    assert (jiangan.accepted, jiangan.completed, jiangan.online_rate) == (1, 0, 1.0)
    assert jiangan.on_time_rate is None and jiangan.avg_used_days is None
    divisions = {r.division_code: r.accepted for r in stats.divisions}
    assert divisions == {"420100": 3, "420102": 1}


def test_stats_filters_by_period_and_division(dataset):
    stats = selectors.supervision_stats(
        user=user("jiancha"), date_from=date(2025, 3, 4), date_to=date(2025, 3, 31)
    )
    assert sum(r.accepted for r in stats.divisions) == 2
    only = selectors.supervision_stats(user=user("jiancha"), division="420102")
    assert [r.division_code for r in only.divisions] == ["420102"]
    with pytest.raises(PermissionDenied):
        selectors.supervision_stats(user=user("jiancha"), division="420900")


def test_head_sees_own_department_and_others_nothing(dataset):
    stats = selectors.supervision_stats(user=user("scjg-head"))
    assert [(r.division_code, r.department_code) for r in stats.departments] == [("420100", "scjg")]
    for name in ("xg-scjg", "scjg", "chuangkou", "zhangsan"):
        with pytest.raises(PermissionDenied):
            selectors.supervision_stats(user=user(name))
        with pytest.raises(PermissionDenied):
            selectors.overdue_list(user=user(name))


def test_overdue_list_by_level_and_department(dataset):
    services.supervision_sweep(today=date(2025, 3, 14))  # c: 8 of 10 used -> warning; e overdue
    page = selectors.overdue_list(user=user("jiancha"))
    assert [(c.case_id, c.level) for c in page.items] == [(dataset["c"].pk, "warning")]
    assert selectors.overdue_list(user=user("jiancha"), level="overdue").items == []
    assert selectors.overdue_list(user=user("jiancha"), department="gaj").items == []
    assert len(selectors.overdue_list(user=user("scjg-head")).items) == 1
