"""Appeal pages: the form, the handling flow through the workbench, the public mailbox."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.interaction.models import Appeal
from tongban.interaction.selectors import redact
from tongban.org.selectors import department_by_code

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER = "13812345678", "420102199003074513"
FORM = {
    "appeal_type": "complaint",
    "title": "超市出售过期食品",
    "content": (
        f"我叫王小明，电话{PHONE}，身份证{ID_NUMBER}，邮箱wxm@example.com，汉口某超市出售过期酸奶。"
    ),
    "division_code": "420100",
    "allow_publication": "on",
}


def test_redact_masks_personal_data():
    text = redact(FORM["content"] + "请联系李先生，座机027-88886666。")
    for secret in (PHONE, ID_NUMBER, "wxm@example.com", "王小明", "李先生", "88886666"):
        assert secret not in text
    assert "汉口某超市出售过期酸奶" in text


def test_form_errors_next_to_fields(login_as):
    client = login_as("zhangsan")
    response = client.post("/interaction/appeals/new/", {**FORM, "title": "短"})
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.content.decode()
    big = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    response = client.post("/interaction/appeals/new/", {**FORM, "attachments": [big]})
    assert response.status_code == 422 and 'id="f-attachments-error"' in response.content.decode()
    assert not Appeal.objects.exists()


def test_anonymous_report_gets_a_query_code(demo, fixed_route):
    client = Client()
    refused = client.post("/interaction/appeals/new/", FORM)
    assert refused.status_code == 422 and 'id="f-appeal_type-error"' in refused.content.decode()
    photo = SimpleUploadedFile("photo.png", b"\x89PNG....", content_type="image/png")
    answer = client.post(
        "/interaction/appeals/new/", {**FORM, "appeal_type": "report", "attachments": [photo]}
    )
    assert answer.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.submitter is None and appeal.attachments.count() == 1
    code = re.search(r"<strong>([A-Z0-9]{8})</strong>", answer.content.decode()).group(1)
    found = client.get(f"/interaction/appeals/lookup/?number={appeal.number}&code={code}")
    assert found.status_code == 200 and "过期酸奶" in found.content.decode()
    wrong = client.get(f"/interaction/appeals/lookup/?number={appeal.number}&code=AAAAAAAA")
    assert wrong.status_code == 404


def test_whole_flow_via_pages_and_mailbox_redaction(login_as, fixed_route):
    fixed_route("scjg", 0.2)  # low confidence: the dispatcher decides
    citizen = login_as("zhangsan")
    response = citizen.post("/interaction/appeals/new/", FORM)
    assert response.status_code == 302
    number = Appeal.objects.get().number
    assert number in citizen.get("/interaction/appeals/mine/").content.decode()
    assert login_as("lisi").get(f"/interaction/appeals/{number}/").status_code == 403

    paidan = login_as("paidan")
    assert number in paidan.get("/workbench/appeals/?box=dispatch").content.decode()
    scjg_id = department_by_code(division_code="420100", code="scjg").pk
    step = f"/workbench/appeals/{number}/"
    assert paidan.post(step + "dispatch/", {"department_ids": [scjg_id]}).status_code == 302
    scjg = login_as("scjg")
    assert number in scjg.get("/workbench/appeals/?box=sign").content.decode()
    detail = scjg.get(step).content.decode()
    assert "过期酸奶" in detail and 'action="/workbench/appeals/' in detail
    assert login_as("huanbao").post(step + "sign/").status_code == 403
    assert scjg.post(step + "sign/").status_code == 302
    short = scjg.post(step + "reply/", {"reply": "已处理"})
    assert short.status_code == 422 and "答复内容应为" in short.content.decode()
    reply = f"经查该超市确有销售过期食品行为，已立案处罚。联系人王小明（{PHONE}）已告知。"
    assert scjg.post(step + "reply/", {"reply": reply}).status_code == 302
    assert (
        citizen.post(
            f"/interaction/appeals/{number}/follow-up/", {"satisfaction": "satisfied"}
        ).status_code
        == 302
    )
    assert Appeal.objects.get().status == "closed"
    assert scjg.post(step + "publish/").status_code == 302

    public = Client()
    listing = public.get("/interaction/mailbox/").content.decode()
    page = public.get(f"/interaction/mailbox/{number}/").content.decode()
    assert "超市出售过期食品" in listing and "已立案处罚" in page
    for secret in (PHONE, ID_NUMBER, "王小明", "wxm@example.com", "zhangsan", "张三"):
        assert secret not in listing and secret not in page


def test_unpublished_letters_stay_private(demo, fixed_route, submit):
    number = submit()["number"]
    assert Client().get(f"/interaction/mailbox/{number}/").status_code == 404


def test_overdue_page_only_for_supervisors(login_as):
    assert login_as("jiancha").get("/workbench/appeals/overdue/").status_code == 200
    assert login_as("scjg").get("/workbench/appeals/overdue/").status_code == 403
    assert login_as("zhangsan").get("/workbench/appeals/").status_code == 403
