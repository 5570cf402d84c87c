"""The supervision API: every endpoint against anonymous callers, citizens, the right staff
and staff of another division; one error shape with Chinese messages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tongban.demo.data import DEMO_PASSWORD
from tongban.supervision import services
from tongban.supervision.models import Rectification

from .factories import accept, make_case, user

pytestmark = pytest.mark.django_db
ANON = "anonymous"


@pytest.fixture
def call(api_token):
    tokens: dict[str, dict[str, str]] = {}

    def _call(who: str, method: str, path: str, body: object = None):
        if who != ANON and who not in tokens:
            tokens[who] = api_token(who)
        headers = tokens.get(who, {})
        client = Client()
        if method == "get":
            return client.get(path, body or {}, **headers)
        return client.post(path, body or {}, content_type="application/json", **headers)

    return _call


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content.decode()[:300]
    data = response.json()
    assert set(data) == {"code", "message", "field"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["message"]), data["message"]
    return data


@pytest.mark.parametrize("path", ["/api/v1/supervision/overdue", "/api/v1/supervision/stats"])
def test_supervisor_reads(demo, call, path):
    case = make_case(promised_limit=2)
    accept(case, clock_start=date(2025, 3, 3))
    services.supervision_sweep(today=date(2025, 3, 20))
    assert_error(call(ANON, "get", path), 401)
    for who in ("zhangsan", "chuangkou", "scjg", "xg-scjg"):
        denied = assert_error(call(who, "get", path), 403)
        assert denied["message"] == "仅电子监察员或部门负责人可以查看电子监察信息"
    for who in ("jiancha", "scjg-head"):
        assert call(who, "get", path).status_code == 200


def test_overdue_list_shape_and_keyset(demo, call):
    for _ in range(3):
        accept(make_case(promised_limit=2), clock_start=date(2025, 3, 3))
    services.supervision_sweep(today=date(2025, 3, 20))
    first = call("jiancha", "get", "/api/v1/supervision/overdue", {"level": "overdue", "size": 2})
    data = first.json()
    assert len(data["items"]) == 2 and data["next"]
    assert data["items"][0]["level_label"] == "红灯超期"
    assert data["items"][0]["deadline"] == "2025-03-05"
    rest = Client().get(data["next"], **_fresh_token("jiancha"))
    assert len(rest.json()["items"]) == 1 and rest.json()["next"] is None
    bad = call("jiancha", "get", "/api/v1/supervision/overdue", {"level": "red"})
    assert_error(bad, 422)


def _fresh_token(who):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": who, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_stats_numbers_and_scope(demo, call):
    case = make_case(promised_limit=5, channel="window")
    accept(case, clock_start=date(2025, 3, 3))
    xg = make_case(division_code="420900")
    accept(xg, clock_start=date(2025, 3, 3))
    data = call(
        "jiancha", "get", "/api/v1/supervision/stats", {"from": "2025-03-01", "to": "2025-03-31"}
    ).json()
    assert data["from"] == "2025-03-01"
    assert [(r["division_code"], r["accepted"], r["online_rate"]) for r in data["divisions"]] == [
        ("420100", 1, 0.0)
    ]
    assert_error(call("jiancha", "get", "/api/v1/supervision/stats", {"division": "420900"}), 403)
    assert_error(call("jiancha", "get", "/api/v1/supervision/stats", {"division": "999999"}), 404)
    assert_error(call("jiancha", "get", "/api/v1/supervision/stats", {"from": "March"}), 422)


def test_clock_actions(demo, call):
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    base = f"/api/v1/supervision/clocks/{case.pk}"
    body = {"kind": "expert_review", "reason": "专家评审"}
    assert_error(call(ANON, "post", f"{base}/suspend", body), 401)
    for who in ("zhangsan", "xg-scjg", "jiancha"):
        assert_error(call(who, "post", f"{base}/suspend", body), 403)
    ok = call("scjg", "post", f"{base}/suspend", body)
    assert ok.status_code == 200, ok.content
    assert ok.json()["kind_label"] == "专家评审"
    assert_error(call("scjg", "post", f"{base}/suspend", body), 409)
    assert_error(call("xg-scjg", "post", f"{base}/resume"), 403)
    assert call("scjg", "post", f"{base}/resume").status_code == 200
    assert_error(call("scjg", "post", f"{base}/resume"), 409)
    extend = {"days": 3, "reason": "情况复杂"}
    assert_error(call("scjg", "post", f"{base}/extend", extend), 403)
    response = call("scjg-head", "post", f"{base}/extend", extend)
    assert response.status_code == 200 and response.json()["extension_days_total"] == 3
    assert_error(call("scjg-head", "post", f"{base}/extend", {"days": 20, "reason": "x"}), 422)
    assert_error(call("scjg-head", "post", f"{base}/extend", {"days": "many", "reason": "x"}), 422)
    assert_error(call("scjg", "post", "/api/v1/supervision/clocks/999999/resume"), 404)


def test_rating_endpoint(demo, call):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    path = f"/api/v1/applications/{case.pk}/rating"
    assert_error(call(ANON, "post", path, {"score": 5}), 401)
    assert_error(call("lisi", "post", path, {"score": 5}), 404)
    assert_error(call("scjg", "post", path, {"score": 5}), 404)
    assert_error(call("zhangsan", "post", path, {"score": 0}), 422)
    assert_error(call("zhangsan", "post", path, {"score": "好"}), 422)
    assert_error(call("zhangsan", "post", path, {}), 422)
    created = call("zhangsan", "post", path, {"score": 1, "comment": "等太久"})
    assert created.status_code == 201, created.content
    assert created.json()["score_label"] == "非常不满意"
    assert created.json()["rectification_id"]
    assert_error(call("zhangsan", "post", path, {"score": 5}), 409)
    open_case = make_case(status="in_review")
    assert_error(
        call("zhangsan", "post", f"/api/v1/applications/{open_case.pk}/rating", {"score": 5}), 409
    )


def test_public_scores(demo, call):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=4)
    data = call(ANON, "get", "/api/v1/ratings/departments").json()
    assert data["items"] == [
        {
            "division_code": "420100",
            "division_name": "武汉市",
            "department_code": "scjg",
            "department_name": "市场监督管理局",
            "count": 1,
            "average": 4.0,
            "bad_share": 0.0,
        }
    ]


def test_rectification_endpoints(demo, call):
    case = make_case(status="completed")
    accept(case, clock_start=date(2025, 3, 3))
    services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=1)
    item = Rectification.objects.get()
    listing = "/api/v1/supervision/rectifications"
    assert_error(call(ANON, "get", listing), 401)
    assert_error(call("zhangsan", "get", listing), 403)
    assert call("xg-scjg", "get", listing).json()["items"] == []
    for who in ("scjg", "scjg-head", "jiancha"):
        assert [r["id"] for r in call(who, "get", listing).json()["items"]] == [item.pk]
    base = f"{listing}/{item.pk}"
    for who in ("zhangsan", "xg-scjg", "jiancha"):
        assert_error(call(who, "post", f"{base}/callback", {"note": "回访"}), 403)
    assert_error(call(ANON, "post", f"{base}/callback", {"note": "回访"}), 401)
    assert call("scjg", "post", f"{base}/callback", {"note": "已回访"}).json()["status"] == (
        "called_back"
    )
    assert_error(call("xg-scjg", "post", f"{base}/appeal", {"reason": "误评"}), 403)
    assert call("zhangsan", "post", f"{base}/appeal", {"reason": "点错了"}).status_code == 200
    assert_error(call("scjg", "post", f"{base}/decide", {"upheld": True, "note": "x"}), 403)
    decided = call("jiancha", "post", f"{base}/decide", {"upheld": True, "note": "属误评"})
    assert decided.json()["excluded"] is True
    assert_error(call("scjg", "post", f"{base}/close", {"outcome": "fixed", "note": "已整改"}), 409)
    assert_error(call("scjg", "post", f"{listing}/999999/callback", {"note": "x"}), 404)
