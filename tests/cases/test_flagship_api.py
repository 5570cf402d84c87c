"""The flagship 开办餐饮店一件事 end to end through the HTTP API."""

from __future__ import annotations

import itertools

import pytest

from tests.cases.conftest import decide, deliver

pytestmark = pytest.mark.django_db(transaction=False)

REVIEWERS = ("scjg", "xiaofang", "huanbao")


@pytest.mark.parametrize("order", [REVIEWERS, tuple(reversed(REVIEWERS))])
def test_restaurant_case_runs_end_to_end(api, restaurant_case, order):
    case = restaurant_case()
    assert case["status"] == "submitted"
    assert case["number"].startswith("420100-")

    window = api("chuangkou")
    assert decide(window, case["id"], "approve", "材料齐全，予以受理").status_code == 200
    applicant = api("hbcanyin")
    after_intake = applicant.get(f"/applications/{case['id']}").json()
    assert after_intake["status"] == "in_review"
    assert after_intake["accepted_at"] is not None

    for username in order:
        assert decide(api(username), case["id"], "approve", "").status_code == 200
    assert decide(window, case["id"], "approve", "准予，证照已生成").status_code == 200

    done = applicant.get(f"/applications/{case['id']}").json()
    assert (done["status"], done["result"]) == ("completed", "approved")
    actions = [e["action"] for e in done["timeline"] if e["action"] != "fetch"]
    assert actions[:4] == ["create", "submit", "accept", "review"]
    assert actions.count("step.approve") == 4
    assert actions[-1] == "complete"
    assert {e["actor"] for e in done["timeline"]} >= {"王窗口", "刘审批", "陈消防", "赵环保"}
    deliver()


def test_any_refusal_ends_the_case_denied_with_its_reason(api, restaurant_case):
    case = restaurant_case()
    decide(api("chuangkou"), case["id"], "approve")
    decide(api("scjg"), case["id"], "approve")
    response = decide(api("xiaofang"), case["id"], "reject", "消防通道不符合要求")
    assert response.status_code == 200
    done = api("hbcanyin").get(f"/applications/{case['id']}").json()
    assert (done["status"], done["result"]) == ("completed", "denied")
    assert done["result_reason"] == "消防通道不符合要求"
    assert api("huanbao").get("/tasks").json()["items"] == []


def test_zhangsan_may_apply_for_the_bundle_too(restaurant_case):
    assert restaurant_case("zhangsan")["status"] == "submitted"


def test_all_permutations_are_order_independent(api, restaurant_case):
    """Every order of the three parallel approvals completes the case (6 orders)."""
    for order in itertools.permutations(REVIEWERS):
        case = restaurant_case()
        decide(api("chuangkou"), case["id"], "approve")
        for username in order:
            decide(api(username), case["id"], "approve")
        decide(api("chuangkou"), case["id"], "approve")
        done = api("hbcanyin").get(f"/applications/{case['id']}").json()
        assert (done["status"], done["result"]) == ("completed", "approved"), order


def test_clock_deadline_notifications_and_rating_follow_the_case(api, restaurant_case):
    from tongban.core.selectors import add_working_days

    case = restaurant_case()
    window, applicant = api("chuangkou"), api("hbcanyin")
    decide(window, case["id"], "approve")
    deliver()
    accepted = applicant.get(f"/applications/{case['id']}").json()
    start = accepted["clock_start"]
    from datetime import date

    expected = add_working_days(date.fromisoformat(start), accepted["promised_limit"])
    assert accepted["deadline"] == expected.isoformat()
    assert accepted["level"] == "normal"
    early = applicant.post(f"/applications/{case['id']}/rating", {"score": 5})
    assert early.status_code == 409

    for username in REVIEWERS:
        decide(api(username), case["id"], "approve")
    decide(window, case["id"], "approve")
    deliver()
    titles = [n["title"] for n in applicant.get("/notifications").json()["items"]]
    assert {"申请已提交", "申请已受理", "办件已办结"} <= set(titles)

    rated = applicant.post(f"/applications/{case['id']}/rating", {"score": 2, "comment": "等太久"})
    assert rated.status_code == 201, rated.content.decode()
    assert (
        api("zhangsan").post(f"/applications/{case['id']}/rating", {"score": 5}).status_code == 404
    )
    rectifications = api("jiancha").get("/supervision/rectifications").json()["items"]
    assert len(rectifications) == 1
