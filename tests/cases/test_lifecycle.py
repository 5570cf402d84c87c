"""Case lifecycle rules through the API: corrections, clocks, idempotency, materials,
withdrawal, single-window and two-step items, and the public status query."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.cases.conftest import (
    PDF,
    RESTAURANT_FORM,
    decide,
    provide_materials,
    task_of,
    upload_pdf,
)
from tongban.cases import selectors
from tongban.core.models import OutboxEvent

PERSON_FORM = {
    "applicant_name": "张三",
    "id_number": "420102199003071232",
    "phone": "13800001234",
}


def _person_form(api, code):
    detail = api("zhangsan").get(f"/services/{code}?division=420100").json()
    form = dict(PERSON_FORM)
    for key, prop in detail["form_schema"]["properties"].items():
        if key not in form:
            form[key] = prop["enum"][0] if "enum" in prop else "测试"
    return form


def _applied(api, username, body):
    response = api(username).post("/applications", body)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def test_invalid_form_is_refused_in_chinese_and_creates_nothing(api, demo):
    form = dict(RESTAURANT_FORM, credit_code="not-a-code")
    response = api("hbcanyin").post("/applications", {"bundle": "kaiban-canyindian", "form": form})
    assert response.status_code == 422
    assert response.json()["field"] == "form.credit_code"
    assert "统一社会信用代码" in response.json()["message"]
    assert api("hbcanyin").get("/applications").json()["items"] == []


def test_missing_materials_are_all_listed_and_nothing_changes(api, restaurant_case):
    case = (
        api("hbcanyin")
        .post("/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM})
        .json()
    )
    response = api("hbcanyin").post(f"/applications/{case['id']}/submit")
    assert response.status_code == 422
    body = response.json()
    required = [m["name"] for m in case["required_materials"] if m["required"]]
    assert body["code"] == "materials_missing"
    assert all(name in body["message"] for name in required)
    assert api("hbcanyin").get(f"/applications/{case['id']}").json()["status"] == "draft"


def test_same_idempotency_key_never_creates_a_second_case(api, demo):
    applicant = api("hbcanyin")
    body = {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
    first = applicant.post("/applications", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = applicant.post("/applications", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = applicant.post(
        "/applications",
        {"bundle": "kaiban-canyindian", "form": dict(RESTAURANT_FORM, seats=8)},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert len(applicant.get("/applications").json()["items"]) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_with_one_key_create_one_case(api, demo_catalog):
    applicant = api("hbcanyin")
    body = {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
    codes: list[int] = []

    def post():
        try:
            codes.append(
                applicant.post("/applications", body, HTTP_IDEMPOTENCY_KEY="race").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 200, 200, 201]
    assert len(applicant.get("/applications").json()["items"]) == 1


def test_intake_correction_is_told_once_and_resubmission_returns_to_the_window(
    api, restaurant_case
):
    case = restaurant_case()
    window, applicant = api("chuangkou"), api("hbcanyin")
    response = decide(window, case["id"], "correction", "营业场所平面图不清晰\n租赁合同缺少签字页")
    assert response.status_code == 200
    state = applicant.get(f"/applications/{case['id']}").json()
    assert state["status"] == "correction_required"
    assert state["corrections"][0]["items"] == ["营业场所平面图不清晰", "租赁合同缺少签字页"]
    assert state["accepted_at"] is None
    assert window.get("/tasks").json()["items"] == []  # the task waits for the applicant

    name = next(m["name"] for m in case["required_materials"] if m["required"])
    assert upload_pdf(applicant, case["id"], name, PDF + b"v2").status_code == 201
    assert applicant.post(f"/applications/{case['id']}/submit").json()["status"] == "submitted"
    again = decide(window, case["id"], "correction", "再补一份")
    assert again.status_code == 409
    assert again.json()["code"] == "correction_once"
    assert decide(window, case["id"], "approve").status_code == 200
    accepted = applicant.get(f"/applications/{case['id']}").json()
    assert accepted["status"] == "in_review"
    assert accepted["clock_start"] == timezone.localdate().isoformat()
    assert accepted["deemed_accepted"] is False


def test_correction_during_review_suspends_and_resumes(api, restaurant_case):
    case = restaurant_case()
    decide(api("chuangkou"), case["id"], "approve")
    response = decide(api("xiaofang"), case["id"], "correction", "请补充消防设施平面图")
    assert response.status_code == 200
    applicant = api("hbcanyin")
    state = applicant.get(f"/applications/{case['id']}").json()
    assert state["status"] == "correction_required"
    assert state["corrections"][-1]["during_review"] is True
    topics = list(OutboxEvent.objects.values_list("topic", flat=True))
    assert "cases.suspended" in topics
    # The other reviewers go on meanwhile; the fire review waits for the applicant.
    assert decide(api("scjg"), case["id"], "approve").status_code == 200
    assert api("xiaofang").get("/tasks").json()["items"] == []

    assert applicant.post(f"/applications/{case['id']}/submit").json()["status"] == "in_review"
    assert "cases.resumed" in set(OutboxEvent.objects.values_list("topic", flat=True))
    assert task_of(api("xiaofang"), case["id"])["status"] == "claimed"


def test_late_correction_notice_counts_the_case_as_accepted_from_submission(api, restaurant_case):
    case = restaurant_case()
    from tongban.cases.models import Case

    submitted = timezone.now() - timedelta(days=14)
    Case.objects.filter(pk=case["id"]).update(
        first_submitted_at=submitted, correction_due=date(2000, 1, 1)
    )
    decide(api("chuangkou"), case["id"], "approve")
    state = api("hbcanyin").get(f"/applications/{case['id']}").json()
    assert state["deemed_accepted"] is True
    assert state["clock_start"] == timezone.localdate(submitted).isoformat()


def test_refusal_at_intake_is_not_accepted_and_clears_the_inbox(api, restaurant_case):
    case = restaurant_case()
    response = decide(api("chuangkou"), case["id"], "reject", "不属于本机关职权范围")
    assert response.status_code == 200
    state = api("hbcanyin").get(f"/applications/{case['id']}").json()
    assert state["status"] == "not_accepted"
    assert state["result_reason"] == "不属于本机关职权范围"
    assert api("scjg").get("/tasks").json()["items"] == []


def test_wrong_decision_and_completing_twice_change_nothing(api, restaurant_case):
    case = restaurant_case()
    window = api("chuangkou")
    task = task_of(window, case["id"])
    bad = window.post(f"/tasks/{task['id']}/complete", {"decision": "maybe"})
    assert bad.status_code == 422
    assert "approve" in bad.json()["message"]
    assert window.post(f"/tasks/{task['id']}/complete", {"decision": "approve"}).status_code == 200
    twice = window.post(f"/tasks/{task['id']}/complete", {"decision": "approve"})
    assert twice.status_code == 409
    timeline = api("hbcanyin").get(f"/applications/{case['id']}").json()["timeline"]
    assert [e["action"] for e in timeline].count("accept") == 1


def test_withdrawal_cancels_every_open_task(api, restaurant_case):
    case = restaurant_case()
    decide(api("chuangkou"), case["id"], "approve")
    response = api("hbcanyin").post(f"/applications/{case['id']}/withdraw", {"reason": "不开了"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    for username in ("scjg", "xiaofang", "huanbao"):
        assert api(username).get("/tasks").json()["items"] == []
    again = api("hbcanyin").post(f"/applications/{case['id']}/withdraw", {})
    assert again.status_code == 409


def test_single_window_item_is_accepted_and_completed_in_one_step(api, demo):
    code = "0101004000"  # 个体工商户设立登记: 即办件 at the 武汉 window
    case = _applied(
        api, "zhangsan", {"service": code, "division": "420100", "form": _person_form(api, code)}
    )
    provide_materials(api("zhangsan"), case)
    assert api("zhangsan").post(f"/applications/{case['id']}/submit").status_code == 200
    assert decide(api("chuangkou"), case["id"], "approve", "当场办结").status_code == 200
    done = api("zhangsan").get(f"/applications/{case['id']}").json()
    assert (done["status"], done["result"]) == ("completed", "approved")
    assert [e["action"] for e in done["timeline"]][-2:] == ["accept", "complete"]


def test_person_item_refuses_an_enterprise_account(api, demo):
    code = "0101004000"
    response = api("hbcanyin").post(
        "/applications", {"service": code, "division": "420100", "form": _person_form(api, code)}
    )
    assert response.status_code == 403
    assert "个人" in response.json()["message"]


def test_staff_cannot_apply(api, demo):
    response = api("scjg").post(
        "/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
    )
    assert response.status_code == 403


class TestMaterials:
    def test_content_that_is_not_what_its_name_says_is_refused(self, api, restaurant_case):
        case = restaurant_case(submit=False)
        name = case["required_materials"][0]["name"]
        response = upload_pdf(api("hbcanyin"), case["id"], name, b"MZ\x90\x00 an exe")
        assert response.status_code == 422
        assert "不支持的文件类型" in response.json()["message"]
        png = upload_pdf(api("hbcanyin"), case["id"], name, b"\x89PNG\r\n\x1a\n....")
        assert png.status_code == 422
        assert "扩展名不符" in png.json()["message"]

    def test_too_large_and_unknown_material_are_refused(self, api, restaurant_case, settings):
        settings.TONGBAN_UPLOAD_MAX_BYTES = 1024
        case = restaurant_case(submit=False)
        name = case["required_materials"][0]["name"]
        big = upload_pdf(api("hbcanyin"), case["id"], name, PDF + b"0" * 2048)
        assert big.status_code == 422
        assert "不能超过" in big.json()["message"]
        unknown = upload_pdf(api("hbcanyin"), case["id"], "户口本", PDF)
        assert unknown.status_code == 422

    def test_earlier_uploads_are_reused(self, api, restaurant_case):
        restaurant_case()
        applicant = api("hbcanyin")
        library = applicant.get("/applications/files").json()
        assert library  # what the first case uploaded
        second = applicant.post(
            "/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
        ).json()
        for material in second["required_materials"]:
            if material["required"]:
                response = applicant.upload(
                    f"/applications/{second['id']}/materials",
                    {"name": material["name"], "reuse": library[0]["id"]},
                )
                assert response.status_code == 201
                assert response.json()["reused"] is True
        assert applicant.post(f"/applications/{second['id']}/submit").status_code == 200
        assert (
            api("zhangsan")
            .upload(
                f"/applications/{second['id']}/materials", {"name": "x", "reuse": library[0]["id"]}
            )
            .status_code
            == 404
        )

    def test_materials_cannot_change_after_submission(self, api, restaurant_case):
        case = restaurant_case()
        name = case["required_materials"][0]["name"]
        response = upload_pdf(api("hbcanyin"), case["id"], name, PDF + b"x")
        assert response.status_code == 409

    def test_staff_handling_the_case_download_materials_others_do_not(self, api, restaurant_case):
        case = restaurant_case()
        material = api("hbcanyin").get(f"/applications/{case['id']}").json()["materials"][0]
        path = f"/applications/{case['id']}/materials/{material['id']}/file"
        ok = api("chuangkou").get(path)
        assert ok.status_code == 200
        assert b"".join(ok.streaming_content).startswith(b"%PDF")
        assert api("xg-scjg").get(path).status_code == 404
        assert api("zhangsan").get(path).status_code == 404


class TestStatusQuery:
    def test_number_and_credit_code_find_the_case_without_login(self, client, restaurant_case):
        case = restaurant_case()
        response = client.get(
            "/api/v1/applications/status",
            {"number": case["number"], "id_number": "91420100MA4KXL7P09"},
        )
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"
        assert "applicant" not in response.json()

    def test_a_wrong_id_reveals_nothing(self, client, restaurant_case):
        case = restaurant_case()
        wrong = client.get(
            "/api/v1/applications/status",
            {"number": case["number"], "id_number": "420102199003071232"},
        )
        unknown = client.get(
            "/api/v1/applications/status", {"number": "420100-20000101-00001", "id_number": "X"}
        )
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json()

    def test_the_query_is_rate_limited(self, client, demo, settings):
        codes = [
            client.get(
                "/api/v1/applications/status", {"number": f"n{i}", "id_number": "x"}
            ).status_code
            for i in range(25)
        ]
        assert codes[:20] == [404] * 20
        assert codes[-1] == 429


class TestVisibility:
    def test_citizens_see_only_their_own_cases(self, api, restaurant_case):
        case = restaurant_case()
        assert api("zhangsan").get(f"/applications/{case['id']}").status_code == 404
        assert api("zhangsan").post(f"/applications/{case['id']}/submit").status_code == 404
        assert api("zhangsan").post(f"/applications/{case['id']}/withdraw", {}).status_code == 404
        assert api("zhangsan").get("/applications").json()["items"] == []

    def test_other_division_staff_see_nothing(self, api, restaurant_case):
        case = restaurant_case()
        assert api("xg-scjg").get(f"/applications/{case['id']}").status_code == 404
        assert api("xg-scjg").get("/tasks").json()["items"] == []
        assert api("jiancha").get(f"/applications/{case['id']}").status_code == 200
        assert selectors.case_get(case["id"]).number == case["number"]


def test_personal_data_in_forms_is_encrypted_and_kept_out_of_the_process(api, demo):
    code = "0101004000"
    form = _person_form(api, code)
    case = _applied(api, "zhangsan", {"service": code, "division": "420100", "form": form})
    provide_materials(api("zhangsan"), case)
    api("zhangsan").post(f"/applications/{case['id']}/submit")
    with connection.cursor() as cursor:
        cursor.execute("SELECT form FROM cases_case WHERE id = %s", [case["id"]])
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT body FROM workflow_instancetask")
        bodies = " ".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("SELECT state FROM workflow_processinstance")
        states = " ".join(str(row[0]) for row in cursor.fetchall())
    assert raw.startswith("sm4gcm:")
    for secret in (form["id_number"], form["phone"]):
        assert secret not in raw and secret not in bodies and secret not in states
    assert api("zhangsan").get(f"/applications/{case['id']}").json()["form"] == form


def test_parallel_reviewers_add_to_one_open_correction_notice(api, restaurant_case):
    case = restaurant_case()
    decide(api("chuangkou"), case["id"], "approve")
    assert decide(api("xiaofang"), case["id"], "correction", "补充消防平面图").status_code == 200
    assert decide(api("huanbao"), case["id"], "correction", "补充排污口位置").status_code == 200
    state = api("hbcanyin").get(f"/applications/{case['id']}").json()
    assert len(state["corrections"]) == 1
    assert state["corrections"][0]["items"] == ["补充消防平面图", "补充排污口位置"]
    assert api("hbcanyin").post(f"/applications/{case['id']}/submit").json()["status"] == (
        "in_review"
    )
    for username in ("xiaofang", "huanbao"):
        assert task_of(api(username), case["id"])["status"] == "claimed"
