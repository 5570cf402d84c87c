"""Supervision pages render for the right people, work without JavaScript, and refuse others."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from tongban.supervision import services
from tongban.supervision.models import Rating, Rectification

from .factories import accept, make_case, user

pytestmark = pytest.mark.django_db
ANON = "anonymous"

PAGES = [
    # path, {who: status}
    (
        "/supervision/",
        {ANON: 302, "zhangsan": 403, "xg-scjg": 403, "scjg": 403, "jiancha": 200, "scjg-head": 200},
    ),
    (
        "/supervision/stats/",
        {ANON: 302, "zhangsan": 403, "xg-scjg": 403, "scjg": 403, "jiancha": 200, "scjg-head": 200},
    ),
    (
        "/supervision/rectifications/",
        {ANON: 302, "zhangsan": 403, "xg-scjg": 200, "scjg": 200, "jiancha": 200, "scjg-head": 200},
    ),
    (
        "/ratings/",
        {ANON: 200, "zhangsan": 200, "xg-scjg": 200, "scjg": 200, "jiancha": 200, "scjg-head": 200},
    ),
]


@pytest.fixture
def client_for(login_as):
    def _client(who: str) -> Client:
        return Client() if who == ANON else login_as(who)

    return _client


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_authorization(demo, client_for, path, expected):
    for who, status in expected.items():
        response = client_for(who).get(path)
        assert response.status_code == status, (who, response.content.decode()[:300])
        if status == 403:
            assert "无法完成您的请求" in response.content.decode()
        if status == 302:
            assert response["Location"].startswith("/accounts/login/")


def test_overdue_page_shows_red_and_yellow(demo, login_as):
    red = make_case(promised_limit=2)
    accept(red, clock_start=date(2025, 3, 3))
    yellow = make_case(promised_limit=10)
    accept(yellow, clock_start=date(2025, 3, 7))
    services.supervision_sweep(today=date(2025, 3, 19))
    client = login_as("jiancha")
    html = client.get("/supervision/").content.decode()
    assert red.number in html and yellow.number in html
    assert "红灯" in html and "黄灯" in html
    only_red = client.get("/supervision/?level=overdue").content.decode()
    assert red.number in only_red and yellow.number not in only_red
    assert client.get("/supervision/?level=blue").status_code == 422


def test_stats_page_has_chart_and_table(demo, login_as):
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    client = login_as("jiancha")
    html = client.get("/supervision/stats/?from=2025-03-01&to=2025-03-31").content.decode()
    assert "<svg" in html and "<table>" in html and "<script" not in html
    assert "市场监督管理局" in html and "网上办理率" in html and "100.0%" in html
    assert client.get("/supervision/stats/?from=bad").status_code == 422


def test_rating_form_posts_and_redirects_back(demo, login_as):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    request = RequestFactory().get(f"/me/cases/{case.pk}/")
    request.user = user("zhangsan")
    form = render_to_string("supervision/_rating_form.html", {"case_id": case.pk}, request=request)
    assert f'action="/supervision/rate/{case.pk}/"' in form and "csrfmiddlewaretoken" in form

    assert Client().post(f"/supervision/rate/{case.pk}/", {"score": "5"}).status_code == 302
    assert login_as("lisi").post(f"/supervision/rate/{case.pk}/", {"score": "5"}).status_code == 404
    client = login_as("zhangsan")
    response = client.post(
        f"/supervision/rate/{case.pk}/",
        {"score": "2", "comment": "慢", "next": f"/me/cases/{case.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/me/cases/{case.pk}/"
    assert Rating.objects.get(case_id=case.pk).score == 2
    again = client.post(
        f"/supervision/rate/{case.pk}/", {"score": "5", "next": "https://evil.example/"}
    )
    assert again["Location"] == "/me/"
    assert Rating.objects.get(case_id=case.pk).score == 2


def test_rectification_page_actions(demo, login_as):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=1, comment="态度差")
    item = Rectification.objects.get()
    staff = login_as("scjg")
    html = staff.get("/supervision/rectifications/").content.decode()
    assert case.number in html and "态度差" in html and "记录回访" in html
    base = f"/supervision/rectifications/{item.pk}"
    assert login_as("xg-scjg").post(f"{base}/callback/", {"note": "x"}).status_code == 403
    assert staff.post(f"{base}/callback/", {"note": "已回访"}).status_code == 302
    response = staff.post(f"{base}/close/", {"outcome": "fixed", "note": ""}, follow=True)
    assert "请填写整改情况" in response.content.decode()
    staff.post(f"{base}/close/", {"outcome": "fixed", "note": "已整改到位"})
    item.refresh_from_db()
    assert item.status == "closed" and item.outcome == "fixed"


def test_clock_actions_from_pages(demo, login_as):
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    staff = login_as("scjg")
    base = f"/supervision/clocks/{case.pk}"
    assert (
        login_as("xg-scjg")
        .post(f"{base}/suspend/", {"kind": "hearing", "reason": "听证"})
        .status_code
        == 403
    )
    assert staff.post(f"{base}/suspend/", {"kind": "hearing", "reason": "听证"}).status_code == 302
    assert staff.post(f"{base}/resume/").status_code == 302
    assert (
        login_as("scjg-head").post(f"{base}/extend/", {"days": "2", "reason": "复杂"}).status_code
        == 302
    )
    from tongban.supervision.models import Clock

    clock = Clock.objects.get(case_id=case.pk)
    assert clock.extension_days == 2 and not clock.suspended


def test_public_ratings_page(demo):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=5)
    html = Client().get("/ratings/").content.decode()
    assert "武汉市市场监督管理局" in html and "5.00" in html and "0.0%" in html
