"""The application pages (no JavaScript): apply, upload, submit, follow, withdraw, status
query, appointments, and the staff case page with its decision form."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.cases.conftest import PDF, RESTAURANT_FORM
from tongban.cases import services
from tongban.cases.models import Case, CaseStatus

pytestmark = pytest.mark.django_db(transaction=False)

APPLY = "/services/events/kaiban-canyindian/apply/"
REVIEWERS = ("scjg", "xiaofang", "huanbao")


def page_of(response: Any) -> str:
    return response.content.decode()


def key_of(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found, "the form has no idempotency key"
    return found.group(1)


def form_post(key: str, **changes: Any) -> dict[str, Any]:
    data = {name: str(value) for name, value in {**RESTAURANT_FORM, **changes}.items()}
    return {**data, "idempotency_key": key}


def case_id_of(response: Any) -> int:
    assert response.status_code == 302, page_of(response)[:2000]
    found = re.fullmatch(r"/my/cases/(\d+)/", response["Location"])
    assert found, response["Location"]
    return int(found.group(1))


def apply_through_pages(client: Client) -> int:
    """GET the form, POST it, upload every required material, submit; returns the case id."""
    form = client.get(APPLY)
    assert form.status_code == 200
    html = page_of(form)
    assert "开办餐饮店一件事" in html and "统一社会信用代码" in html
    case_id = case_id_of(client.post(APPLY, form_post(key_of(html))))
    detail = page_of(client.get(f"/my/cases/{case_id}/"))
    assert "草稿" in detail
    case = Case.objects.get(pk=case_id)
    for index, (name, required) in enumerate(services.required_material_names(case), 1):
        if not required:
            continue
        upload = SimpleUploadedFile(
            f"m{index}.pdf", PDF + name.encode(), content_type="application/pdf"
        )
        response = client.post(
            f"/my/cases/{case_id}/materials/", {"material": str(index), "file": upload}
        )
        assert response.status_code == 302, page_of(response)[:2000]
    submitted = client.post(f"/my/cases/{case_id}/submit/", follow=True)
    assert "申请已提交" in page_of(submitted)
    assert Case.objects.get(pk=case_id).status == CaseStatus.SUBMITTED
    return case_id


def decide_on_page(client: Client, case_id: int, decision: str, comment: str = "") -> str:
    """Open the staff case page, post its decision form, return the page it leads back to."""
    page = page_of(client.get(f"/workbench/cases/{case_id}/"))
    found = re.search(r'action="/workbench/tasks/(\d+)/complete/"', page)
    assert found, page[:3000]
    response = client.post(
        f"/workbench/tasks/{found.group(1)}/complete/",
        {"decision": decision, "comment": comment, "next": f"/workbench/cases/{case_id}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/cases/{case_id}/"
    return page_of(client.get(response["Location"]))


def test_restaurant_bundle_through_the_pages(demo, login_as):
    applicant = login_as("hbcanyin")
    case_id = apply_through_pages(applicant)

    clerk = login_as("chuangkou")
    inbox = page_of(clerk.get("/workbench/tasks/"))
    assert f'href="/workbench/cases/{case_id}/"' in inbox
    staff_page = page_of(clerk.get(f"/workbench/cases/{case_id}/"))
    assert "湖北楚味餐饮有限公司" in staff_page
    assert f"/api/v1/applications/{case_id}/materials/" in staff_page
    download = re.search(r'href="(/api/v1/applications/\d+/materials/\d+/file)"', staff_page)
    assert download and clerk.get(download.group(1)).status_code == 200
    after = decide_on_page(clerk, case_id, "approve", "材料齐全，予以受理")
    assert "已办理完毕" in after and "审查中" in after

    for username in REVIEWERS:
        decide_on_page(login_as(username), case_id, "approve")
    decide_on_page(clerk, case_id, "approve", "准予，证照已生成")

    done = page_of(applicant.get(f"/my/cases/{case_id}/"))
    assert "办结" in done and "准予" in done
    for step in ("创建申请（草稿）", "提交申请", "受理", "进入审查", "办结：准予"):
        assert step in done, step
    assert done.count("：同意") == 4
    for actor in ("王窗口", "刘审批", "陈消防", "赵环保"):
        assert actor in done
    timeline = done[done.index('class="list timeline"') :]
    assert timeline.index("提交申请") < timeline.index("办结：准予")
    assert "提交评价" in done  # supervision's rating form is included once completed
    mine = page_of(applicant.get("/my/cases/?status=completed"))
    assert Case.objects.get(pk=case_id).number in mine


def test_invalid_form_shows_the_errors_and_creates_nothing(demo, login_as):
    client = login_as("hbcanyin")
    key = key_of(page_of(client.get(APPLY)))
    response = client.post(
        APPLY, form_post(key, credit_code="123", business_area="很大", business_scope="")
    )
    assert response.status_code == 422
    html = page_of(response)
    assert "统一社会信用代码格式不正确" in html
    assert "经营场所面积（平方米）应为数字" in html
    assert "请填写经营范围" in html
    assert 'id="f-credit_code-error"' in html
    assert re.search(r'id="f-credit_code"[^>]*aria-invalid="true"', html, re.S)
    assert 'href="#f-credit_code"' in html
    assert 'value="123"' in html  # what was typed is kept
    assert Case.objects.count() == 0


def test_the_same_form_posted_twice_creates_one_case(demo, login_as):
    client = login_as("hbcanyin")
    key = key_of(page_of(client.get(APPLY)))
    first = case_id_of(client.post(APPLY, form_post(key)))
    second = case_id_of(client.post(APPLY, form_post(key)))
    assert first == second
    assert Case.objects.count() == 1
    # The same key with a changed form is explained, and a fresh form is offered.
    changed = client.post(APPLY, form_post(key, phone="13900000000"))
    assert changed.status_code == 422
    assert "这份申请表已经提交过" in page_of(changed)
    assert key_of(page_of(changed)) != key
    assert Case.objects.count() == 1


def test_other_people_and_anonymous_cannot_see_a_case(demo, login_as):
    case_id = apply_through_pages(login_as("hbcanyin"))
    assert login_as("zhangsan").get(f"/my/cases/{case_id}/").status_code == 404
    assert login_as("zhangsan").post(f"/my/cases/{case_id}/submit/").status_code == 404
    assert login_as("xg-scjg").get(f"/workbench/cases/{case_id}/").status_code == 404
    anonymous = Client().get(f"/my/cases/{case_id}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/my/cases/")
    assert Client().get(APPLY).status_code == 302
    # Staff following an applicant's link land on their own view of the case.
    redirected = login_as("chuangkou").get(f"/my/cases/{case_id}/")
    assert redirected["Location"] == f"/workbench/cases/{case_id}/"
    assert login_as("chuangkou").get(APPLY).status_code == 403


def test_missing_materials_and_bad_files_are_explained(demo, login_as):
    client = login_as("hbcanyin")
    case_id = case_id_of(client.post(APPLY, form_post(key_of(page_of(client.get(APPLY))))))
    refused = client.post(f"/my/cases/{case_id}/submit/")
    assert refused.status_code == 422
    assert "还缺少必要材料" in page_of(refused)
    fake = SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\nxxxx", content_type="application/pdf")
    bad = client.post(f"/my/cases/{case_id}/materials/", {"material": "1", "file": fake})
    assert bad.status_code == 422
    html = page_of(bad)
    assert "文件内容与扩展名不符" in html and 'id="material-1-error"' in html
    # Reuse: the file uploaded for one case is offered for the next one.
    pdf = SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(f"/my/cases/{case_id}/materials/", {"material": "1", "file": pdf}).status_code
        == 302
    )
    other = case_id_of(client.post(APPLY, form_post(key_of(page_of(client.get(APPLY))))))
    offered = page_of(client.get(f"/my/cases/{other}/"))
    stored = re.search(r'<option value="(\d+)">', offered)
    assert stored, "no reusable file offered"
    reused = client.post(
        f"/my/cases/{other}/materials/", {"material": "1", "reuse": stored.group(1)}, follow=True
    )
    assert "已复用材料" in page_of(reused)


def test_correction_notice_is_shown_and_answered(demo, login_as):
    applicant = login_as("hbcanyin")
    case_id = apply_through_pages(applicant)
    decide_on_page(
        login_as("chuangkou"), case_id, "correction", "营业执照申请书未签字\n平面图不清晰"
    )
    html = page_of(applicant.get(f"/my/cases/{case_id}/"))
    assert 'id="correction"' in html
    assert "<li>营业执照申请书未签字</li>" in html and "<li>平面图不清晰</li>" in html
    pdf = SimpleUploadedFile("fixed.pdf", PDF + b"fixed", content_type="application/pdf")
    applicant.post(f"/my/cases/{case_id}/materials/", {"material": "1", "file": pdf})
    edited = applicant.post(f"/my/cases/{case_id}/form/", form_post("", phone="13900000000"))
    assert edited.status_code == 302
    applicant.post(f"/my/cases/{case_id}/submit/")
    case = Case.objects.get(pk=case_id)
    assert case.status == CaseStatus.SUBMITTED and case.form["phone"] == "13900000000"
    assert 'id="correction"' not in page_of(applicant.get(f"/my/cases/{case_id}/"))


def test_withdraw_asks_for_confirmation(demo, login_as):
    client = login_as("hbcanyin")
    case_id = apply_through_pages(client)
    confirm = page_of(client.get(f"/my/cases/{case_id}/withdraw/"))
    assert "确认撤回" in confirm
    done = client.post(f"/my/cases/{case_id}/withdraw/", {"reason": "不开店了"}, follow=True)
    assert "已撤回申请" in page_of(done) and "不开店了" in page_of(done)
    assert Case.objects.get(pk=case_id).status == CaseStatus.WITHDRAWN
    again = client.post(f"/my/cases/{case_id}/withdraw/", {"reason": ""})
    assert again.status_code == 409 and "不能撤回" in page_of(again)


def test_public_status_query(demo, login_as, settings):
    case_id = apply_through_pages(login_as("hbcanyin"))
    number = Case.objects.get(pk=case_id).number
    found = Client().post(
        "/status/", {"number": number, "id_number": RESTAURANT_FORM["credit_code"].lower()}
    )
    assert found.status_code == 200
    assert "已申报" in page_of(found) and "开办餐饮店一件事" in page_of(found)
    wrong = Client().post("/status/", {"number": number, "id_number": "420102199003071232"})
    html = page_of(wrong)
    assert "未找到办件" in html and "开办餐饮店一件事" not in html and "已申报" not in html
    settings.TONGBAN_RATE_STATUS = "2/m"
    client = Client()
    codes = [
        client.post("/status/", {"number": number, "id_number": "x"}).status_code for _ in range(4)
    ]
    assert codes[-1] == 429
    assert "查询过于频繁" in page_of(client.post("/status/", {"number": number, "id_number": "x"}))


def test_appointment_booking_and_double_booking(demo, login_as):
    window = services.window_upsert(
        division_code="420100", department_code="zsj", name="综合窗口 1 号", address="武汉市民之家"
    )
    services.slots_generate(
        window=window,
        start=timezone.localdate() + timedelta(days=1),
        days=1,
        times=[(time(9), time(10))],
        capacity=1,
    )
    zhangsan = login_as("zhangsan")
    html = page_of(zhangsan.get(f"/my/appointments/?window={window.pk}"))
    slot = re.search(r'name="slot" value="(\d+)"', html)
    assert slot and "综合窗口 1 号" in html
    booked = zhangsan.post(
        "/my/appointments/book/", {"slot": slot.group(1), "window": window.pk}, follow=True
    )
    assert "预约成功" in page_of(booked) and "取消预约" in page_of(booked)
    twice = zhangsan.post("/my/appointments/book/", {"slot": slot.group(1)}, follow=True)
    assert "您已预约该时段" in page_of(twice)
    full = login_as("hbcanyin").post("/my/appointments/book/", {"slot": slot.group(1)}, follow=True)
    assert "该时段已约满" in page_of(full)
    cancel = re.search(r'action="(/my/appointments/\d+/cancel/)"', page_of(booked))
    assert cancel
    assert "已取消预约" in page_of(zhangsan.post(cancel.group(1), follow=True))
