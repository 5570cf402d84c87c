"""The appeal API: submission, routing, the whole handling flow and who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.interaction import services
from tongban.interaction.models import Appeal, RoutingRule
from tongban.org.selectors import department_by_code

pytestmark = pytest.mark.django_db


def _post(headers, path, body=None):
    return Client().post(
        f"/api/v1/appeals{path}", body or {}, content_type="application/json", **headers
    )


def _dept(division: str, code: str) -> int:
    department = department_by_code(division_code=division, code=code)
    assert department is not None
    return department.pk


# ---------------------------------------------------------------------------- submission


def test_submission_validation_changes_nothing(demo, api_token):
    headers = api_token("zhangsan")
    cases = [
        ({"appeal_type": "gossip"}, "appeal_type"),
        ({"title": "短"}, "title"),
        ({"content": "太短"}, "content"),
        ({"division_code": "999999"}, "division_code"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ]
    for change, field in cases:
        body = {
            "appeal_type": "complaint",
            "title": "噪音扰民问题",
            "content": "工地夜间施工噪音很大，影响休息。",
            "division_code": "420106",
            **change,
        }
        response = _post(headers, "", body)
        assert response.status_code == 422, response.content
        assert response.json()["field"] == field
    assert not Appeal.objects.exists()


def test_anonymous_only_for_suggestions_and_reports(demo, fixed_route, submit):
    body = {
        "appeal_type": "complaint",
        "title": "噪音扰民问题",
        "content": "工地夜间施工噪音很大，影响休息。",
        "division_code": "420106",
    }
    refused = Client().post("/api/v1/appeals", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "appeal_type"
    answer = submit(None, appeal_type="report")
    assert answer["number"].startswith("SQ") and len(answer["query_code"]) == 8
    number = answer["number"]
    assert Client().get(f"/api/v1/appeals/{number}").status_code == 401
    assert Client().get(f"/api/v1/appeals/{number}?code=WRONG123").status_code == 403
    found = Client().get(f"/api/v1/appeals/{number}?code={answer['query_code']}")
    assert found.status_code == 200 and found.json()["appeal_type"] == "report"


def test_staff_cannot_submit(demo, api_token):
    body = {
        "appeal_type": "suggestion",
        "title": "建议增加公交线路",
        "content": "建议在光谷片区增加夜班公交线路。",
        "division_code": "420100",
    }
    assert _post(api_token("scjg"), "", body).status_code == 403


def test_content_is_encrypted_at_rest(demo, fixed_route, submit):
    from django.db import connection

    number = submit(contact_phone="13912345678")["number"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content, contact_phone FROM interaction_appeal WHERE number = %s", [number]
        )
        content, phone = cursor.fetchone()
    assert "酸奶" not in content and "13912345678" not in phone


def test_only_the_submitter_reads_an_appeal(demo, fixed_route, submit, api_token):
    number = submit("zhangsan")["number"]
    assert Client().get(f"/api/v1/appeals/{number}", **api_token("zhangsan")).status_code == 200
    assert Client().get(f"/api/v1/appeals/{number}", **api_token("lisi")).status_code == 403
    mine = Client().get("/api/v1/appeals", **api_token("lisi")).json()
    assert mine["items"] == []
    assert Client().get("/api/v1/appeals").status_code == 401


# ---------------------------------------------------------------------------- routing


def test_confident_model_dispatches_county_appeal_to_city_department(demo, fixed_route, submit):
    fixed_route("gaj", 0.93)
    number = submit(
        title="小区门口有人聚众赌博",
        content="江岸区某小区门口每晚有人聚众赌博，请处理。",
        division_code="420102",
    )["number"]
    appeal = Appeal.objects.get(number=number)
    # 江岸区 has no 公安局 of its own: the city's gaj takes it.
    assert appeal.status == "dispatched" and appeal.auto_dispatched
    assert appeal.department_id == _dept("420100", "gaj")
    assert (appeal.proposed_source, appeal.proposed_department_code) == ("model", "gaj")
    assert appeal.sign_deadline is not None and appeal.reply_deadline > appeal.sign_deadline


def test_county_department_preferred_when_it_exists(demo, fixed_route, submit):
    number = submit(division_code="420102")["number"]
    assert Appeal.objects.get(number=number).department_id == _dept("420102", "scjg")


def test_low_confidence_waits_for_dispatcher(demo, fixed_route, submit, api_token):
    fixed_route("scjg", 0.3)
    number = submit()["number"]
    appeal = Appeal.objects.get(number=number)
    assert appeal.status == "awaiting_dispatch" and appeal.department is None
    assert appeal.proposed_confidence == pytest.approx(0.3)
    queue = Client().get("/api/v1/appeals/inbox?box=dispatch", **api_token("paidan")).json()
    assert [a["number"] for a in queue["items"]] == [number]


def test_rule_wins_over_model(demo, fixed_route, submit):
    fixed_route("scjg", 0.99)
    RoutingRule.objects.create(order=1, name="油烟", keywords="油烟 噪音", department_code="sthjj")
    number = submit(
        title="餐馆油烟扰民", content="楼下餐馆油烟直排，晚上十点还在营业。", division_code="420106"
    )["number"]
    appeal = Appeal.objects.get(number=number)
    assert appeal.proposed_source == "rule" and appeal.department_id == _dept("420100", "sthjj")


def test_rule_limited_to_its_type_and_division(demo, fixed_route, submit):
    RoutingRule.objects.create(
        order=1, name="孝感油烟", keywords="油烟", division_id="420900", department_code="sthjj"
    )
    number = submit(title="餐馆油烟扰民", content="楼下餐馆油烟直排，晚上十点还在营业。")["number"]
    assert Appeal.objects.get(number=number).proposed_source == "model"


# ---------------------------------------------------------------------------- handling


def test_whole_flow_via_api(demo, fixed_route, submit, api_token):
    fixed_route("scjg", 0.2)
    number = submit("zhangsan", contact_phone="13912345678")["number"]
    paidan, scjg, citizen = api_token("paidan"), api_token("scjg"), api_token("zhangsan")
    city_scjg = _dept("420100", "scjg")
    # Only the dispatcher dispatches.
    assert _post(scjg, f"/{number}/dispatch", {"department_ids": [city_scjg]}).status_code == 403
    answer = _post(paidan, f"/{number}/dispatch", {"department_ids": [city_scjg]})
    assert answer.status_code == 200 and answer.json()["status"] == "dispatched"
    # Another department's reviewer cannot sign; the right one can.
    assert _post(api_token("xiaofang"), f"/{number}/sign").status_code == 403
    assert _post(api_token("xg-scjg"), f"/{number}/sign").status_code == 403
    assert _post(scjg, f"/{number}/sign").json()["status"] == "handling"
    assert _post(scjg, f"/{number}/return", {"reason": "不属于本部门"}).status_code == 409
    # Extension: requested by the department, approved by the dispatcher.
    before = Appeal.objects.get(number=number).reply_deadline
    assert (
        _post(scjg, f"/{number}/extension", {"days": 3, "reason": "需要现场核查"}).status_code
        == 200
    )
    assert _post(scjg, f"/{number}/extension/decision", {"approve": True}).status_code == 403
    assert _post(paidan, f"/{number}/extension/decision", {"approve": True}).status_code == 200
    assert Appeal.objects.get(number=number).reply_deadline > before
    assert _post(scjg, f"/{number}/reply", {"reply": "短"}).status_code == 422
    replied = _post(
        scjg, f"/{number}/reply", {"reply": "经现场检查，已责令超市下架过期酸奶并立案调查。"}
    )
    assert replied.json()["status"] == "replied"
    # Follow-up by someone else is refused; by the submitter closes it.
    assert (
        _post(api_token("lisi"), f"/{number}/follow-up", {"satisfaction": "satisfied"}).status_code
        == 403
    )
    closed = _post(
        citizen, f"/{number}/follow-up", {"satisfaction": "satisfied", "comment": "处理及时"}
    )
    assert closed.json()["status"] == "closed"
    assert _post(citizen, f"/{number}/publish").status_code == 403
    assert _post(scjg, f"/{number}/publish").json()["published"] is True
    actions = [s["action"] for s in closed.json()["steps"]]
    assert actions[:4] == ["submit", "route", "dispatch", "sign"] and "follow_up" in actions


def test_unsatisfied_reopens_once(demo, fixed_route, submit, api_token):
    number = submit("zhangsan")["number"]
    scjg, citizen = api_token("scjg"), api_token("zhangsan")
    reply = {"reply": "已责令超市下架过期酸奶并立案调查。"}
    for _round in range(2):
        _post(scjg, f"/{number}/sign")
        assert _post(scjg, f"/{number}/reply", reply).status_code == 200
        answer = _post(citizen, f"/{number}/follow-up", {"satisfaction": "unsatisfied"}).json()
    assert answer["status"] == "closed" and answer["satisfaction"] == "unsatisfied"
    assert [s["action"] for s in answer["steps"]].count("reopen") == 1


def test_return_and_transfer(demo, fixed_route, submit, api_token):
    number = submit()["number"]
    scjg, paidan = api_token("scjg"), api_token("paidan")
    assert _post(scjg, f"/{number}/return", {"reason": ""}).status_code == 422
    returned = _post(scjg, f"/{number}/return", {"reason": "属于生态环境部门职责"})
    assert returned.json()["status"] == "returned"
    queue = Client().get("/api/v1/appeals/inbox?box=dispatch", **paidan).json()
    assert number in [a["number"] for a in queue["items"]]
    _post(paidan, f"/{number}/dispatch", {"department_ids": [_dept("420100", "scjg")]})
    assert (
        _post(scjg, f"/{number}/transfer", {"department_id": 1, "reason": "转环保"}).status_code
        == 403
    )
    sthjj = _dept("420100", "sthjj")
    moved = _post(paidan, f"/{number}/transfer", {"department_id": sthjj, "reason": "属于环保职责"})
    assert moved.status_code == 200 and moved.json()["status"] == "dispatched"
    assert _post(scjg, f"/{number}/sign").status_code == 403
    assert _post(api_token("huanbao"), f"/{number}/sign").status_code == 200


def test_joint_handling_lead_replies_after_opinions(demo, fixed_route, submit, api_token):
    fixed_route("scjg", 0.1)
    number = submit()["number"]
    scjg_id, xf_id = _dept("420100", "scjg"), _dept("420100", "xfzd")
    paidan = api_token("paidan")
    bad = _post(paidan, f"/{number}/dispatch", {"department_ids": [scjg_id], "lead_id": xf_id})
    assert bad.status_code == 422 and bad.json()["field"] == "lead_id"
    ok = _post(
        paidan, f"/{number}/dispatch", {"department_ids": [scjg_id, xf_id], "lead_id": scjg_id}
    )
    assert ok.status_code == 200
    scjg, xiaofang = api_token("scjg"), api_token("xiaofang")
    assert _post(xiaofang, f"/{number}/sign").status_code == 403  # only the lead signs
    _post(scjg, f"/{number}/sign")
    reply = {"reply": "经市场监管与消防联合检查，已责令整改。"}
    assert _post(scjg, f"/{number}/reply", reply).status_code == 409
    opinion = {"department_id": xf_id, "opinion": "消防通道已责令清理。"}
    assert _post(scjg, f"/{number}/opinion", opinion).status_code == 403
    assert _post(xiaofang, f"/{number}/opinion", opinion).status_code == 200
    assert _post(scjg, f"/{number}/reply", reply).json()["status"] == "replied"


# ---------------------------------------------------------------------------- deadlines


def test_sweep_marks_overdue_for_the_supervisor(demo, fixed_route, submit, api_token):
    unsigned = submit()["number"]
    signed = submit(title="饭店卫生条件差", content="某饭店后厨卫生条件很差，老鼠横行。")["number"]
    elsewhere = submit(division_code="420902")["number"]  # 孝感: outside jiancha's city
    _post(api_token("scjg"), f"/{signed}/sign")
    # Fixed dates: the dispatch day is pinned, so the deadlines are known working days.
    monday = date(2026, 11, 2)
    Appeal.objects.update(
        dispatched_on=monday, sign_deadline=date(2026, 11, 3), reply_deadline=date(2026, 11, 19)
    )
    assert services.appeal_sweep(today=date(2026, 11, 3)) == {
        "sign": 0,
        "reply": 0,
        "reply_warning": 0,
    }
    # 18 Nov: two sign-offs late (unsigned, elsewhere); the signed one's reply is near.
    assert services.appeal_sweep(today=date(2026, 11, 18)) == {
        "sign": 2,
        "reply": 0,
        "reply_warning": 1,
    }
    # 20 Nov: its reply is late; the late sign-offs were marked once only.
    assert services.appeal_sweep(today=date(2026, 11, 20)) == {
        "sign": 0,
        "reply": 1,
        "reply_warning": 0,
    }
    overdue = Client().get("/api/v1/appeals/overdue", **api_token("jiancha"))
    assert overdue.status_code == 200
    assert {a["number"] for a in overdue.json()["items"]} == {unsigned, signed}
    assert elsewhere not in overdue.content.decode()
    assert Client().get("/api/v1/appeals/overdue", **api_token("scjg")).status_code == 403
    assert Client().get("/api/v1/appeals/overdue").status_code == 401


def test_sweep_is_a_registered_periodic_job():
    from tongban.core.periodic import jobs

    assert "interaction.appeal_sweep" in [job.name for job in jobs()]


def test_code_lookups_are_rate_limited(demo, settings):
    answers = [Client().get("/api/v1/appeals/SQ000?code=AAAA").status_code for _ in range(21)]
    assert answers[:20] == [404] * 20 and answers[-1] == 429
    cache.clear()  # the pages share the API's counter
    settings.TONGBAN_RATE_STATUS = "2/m"
    pages = [
        Client().get("/interaction/appeals/lookup/?number=SQ1&code=A").status_code for _ in range(3)
    ]
    assert pages == [404, 404, 429]


def test_department_and_applicant_are_told(demo, fixed_route, submit, api_token):
    from tongban.accounts.selectors import user_by_username
    from tongban.core.services import outbox_deliver
    from tongban.notify.models import Notification

    number = submit("zhangsan")["number"]
    outbox_deliver()
    reviewer = user_by_username("scjg")
    told = Notification.objects.get(recipient=reviewer, topic="interaction.appeal_dispatched")
    assert number in told.title and "酸奶" not in told.body
    _post(api_token("scjg"), f"/{number}/sign")
    _post(api_token("scjg"), f"/{number}/reply", {"reply": "已责令超市下架过期酸奶并立案调查。"})
    outbox_deliver()
    citizen = user_by_username("zhangsan")
    assert Notification.objects.filter(
        recipient=citizen, topic="interaction.appeal_replied"
    ).exists()
