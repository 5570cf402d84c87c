"""List and detail endpoints cost a bounded number of queries, whatever the data size."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.conftest import RESTAURANT_FORM, decide


def _queries(call) -> int:
    call()  # warm up: the first request of a client also looks its token up
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content.decode()
    return len(captured)


def _drafts(api, n):
    for _ in range(n):
        api("hbcanyin").post(
            "/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
        )


def test_my_applications_list_does_not_grow_with_the_page(api, demo):
    _drafts(api, 2)
    few = _queries(lambda: api("hbcanyin").get("/applications"))
    _drafts(api, 8)
    many = _queries(lambda: api("hbcanyin").get("/applications"))
    assert many == few


def test_case_detail_does_not_grow_with_the_timeline(api, restaurant_case):
    case = restaurant_case()
    before = _queries(lambda: api("hbcanyin").get(f"/applications/{case['id']}"))
    decide(api("chuangkou"), case["id"], "approve")
    for reviewer in ("scjg", "xiaofang", "huanbao"):
        decide(api(reviewer), case["id"], "approve")
    after = _queries(lambda: api("hbcanyin").get(f"/applications/{case['id']}"))
    assert after <= before + 1


def test_staff_inbox_does_not_grow_with_the_number_of_cases(api, restaurant_case):
    restaurant_case()
    few = _queries(lambda: api("chuangkou").get("/tasks"))
    for _ in range(4):
        restaurant_case()
    many = _queries(lambda: api("chuangkou").get("/tasks"))
    assert many == few
