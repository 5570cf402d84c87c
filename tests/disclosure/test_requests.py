"""Information requests (依申请公开): the working-day clock, correction, extension, reply
types, who may see and handle them, deadline supervision and the annual report."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tests.disclosure.conftest import department_id, registered, submit, user
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry, CalendarDay, CalendarSource
from tongban.disclosure import selectors, services
from tongban.disclosure.models import InfoRequest, RequestStatus


@pytest.fixture
def holiday(demo):
    """Tuesday 2026-03-10 made a holiday by the administrator."""
    CalendarDay.objects.update_or_create(
        date=date(2026, 3, 10),
        defaults={"is_workday": False, "name": "测试假日", "source": CalendarSource.ADMIN},
    )


@pytest.mark.django_db
def test_deadline_is_twenty_working_days_skipping_the_holiday(holiday):
    # Received Monday 2026-03-02: 20 working days end on 03-30, one more for the holiday.
    r = registered(date(2026, 3, 2))
    assert r.status == RequestStatus.REGISTERED
    assert r.deadline == date(2026, 3, 31)
    assert r.number.startswith("YSQ")


@pytest.mark.django_db
def test_correction_once_within_seven_days_and_the_clock_restarts(holiday):
    r = registered(date(2026, 3, 2))
    late = date(2026, 3, 13)  # the 8th working day after receipt (03-10 is a holiday)
    with pytest.raises(ValidationFailed):
        services.request_ask_correction(
            actor=user("scjg"), request_id=r.pk, note="补充", today=late
        )
    r = services.request_ask_correction(
        actor=user("scjg"), request_id=r.pk, note="请写明产品名称", today=date(2026, 3, 4)
    )
    assert r.status == RequestStatus.CORRECTION and r.deadline is None
    with pytest.raises(PermissionDenied):
        services.request_supply_correction(
            user=user("lisi"),
            request_id=r.pk,
            description="别人的补正材料内容描述",
            today=date(2026, 3, 6),
        )
    r = services.request_supply_correction(
        user=user("zhangsan"),
        request_id=r.pk,
        description="申请公开2026年2月抽检不合格的速冻水饺的处理结果",
        today=date(2026, 7, 1),
    )
    assert r.clock_start == date(2026, 7, 1)
    assert r.deadline == date(2026, 7, 29)  # 20 working days from 07-01, no holiday in July
    with pytest.raises(Conflict):
        services.request_ask_correction(
            actor=user("scjg"), request_id=r.pk, note="再次补正", today=date(2026, 7, 2)
        )


@pytest.mark.django_db
def test_extension_needs_the_head_and_happens_once(holiday):
    r = registered(date(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.request_extend(actor=user("scjg"), request_id=r.pk, days=10, reason="需要会商")
    with pytest.raises(ValidationFailed):
        services.request_extend(actor=user("scjg-head"), request_id=r.pk, days=21, reason="会商")
    with pytest.raises(ValidationFailed):
        services.request_extend(actor=user("scjg-head"), request_id=r.pk, days=5, reason=" ")
    r = services.request_extend(
        actor=user("scjg-head"), request_id=r.pk, days=3, reason="需要征求第三方意见"
    )
    assert r.deadline == date(2026, 4, 3)  # 03-31 plus three working days
    with pytest.raises(Conflict):
        services.request_extend(actor=user("scjg-head"), request_id=r.pk, days=5, reason="再延")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reply_type": "withheld", "reply_text": "不予公开"}, "withheld_reason"),
        ({"reply_type": "partial", "reply_text": "部分公开"}, "withheld_reason"),
        ({"reply_type": "not_responsible", "reply_text": "非本机关"}, "referral_agency"),
        ({"reply_type": "already_public", "reply_text": "已公开"}, "public_location"),
        ({"reply_type": "maybe", "reply_text": "不知道"}, "reply_type"),
        ({"reply_type": "disclosed", "reply_text": ""}, "reply_text"),
    ],
)
def test_reply_types_are_validated(demo, api_token, body, field):
    r = registered(date(2026, 3, 2))
    response = Client().post(
        f"/api/v1/disclosure/requests/{r.pk}/reply", body, "application/json", **api_token("scjg")
    )
    assert response.status_code == 422 and response.json()["field"] == field
    assert InfoRequest.objects.get(pk=r.pk).status == RequestStatus.REGISTERED


@pytest.mark.django_db
def test_reply_reaches_the_applicant_only(demo, api_token):
    r = registered(date(2026, 3, 2))
    client = Client()
    url = f"/api/v1/disclosure/requests/{r.pk}"
    reply = {
        "reply_type": "not_responsible",
        "reply_text": "请向生态环境局申请",
        "referral_agency": "武汉市生态环境局",
    }
    assert (
        client.post(f"{url}/reply", reply, "application/json", **api_token("xg-scjg")).status_code
        == 403
    )
    assert (
        client.post(f"{url}/reply", reply, "application/json", **api_token("scjg")).status_code
        == 200
    )
    mine = client.get(url, **api_token("zhangsan")).json()
    assert mine["reply_type"] == "not_responsible" and mine["referral_agency"] == "武汉市生态环境局"
    assert client.get(url, **api_token("lisi")).status_code == 403
    assert client.get(url, **api_token("xiaofang")).status_code == 403
    assert client.get(url).status_code == 401
    assert AuditEntry.objects.filter(
        action="disclosure.request_reply", object_id=str(r.pk)
    ).exists()


@pytest.mark.django_db
def test_submit_by_api_validates_and_encrypts(demo, api_token):
    body = {
        "department_id": department_id("scjg"),
        "description": "申请公开本市电梯维保单位名录",
        "form": "post",
        "phone": "13800001234",
    }
    client = Client()
    assert client.post("/api/v1/disclosure/requests", body, "application/json").status_code == 401
    staff = client.post(
        "/api/v1/disclosure/requests", body, "application/json", **api_token("scjg")
    )
    assert staff.status_code == 403
    no_address = client.post(
        "/api/v1/disclosure/requests", body, "application/json", **api_token("zhangsan")
    )
    assert no_address.status_code == 422 and no_address.json()["field"] == "address"
    ok = client.post(
        "/api/v1/disclosure/requests",
        body | {"address": "武汉市江岸区沿江大道188号"},
        "application/json",
        **api_token("hbcanyin"),
    )
    assert ok.status_code == 201, ok.content
    stored = InfoRequest.objects.get()
    assert stored.applicant_kind == "legal"
    with connection.cursor() as cursor:
        table = InfoRequest._meta.db_table
        cursor.execute(f"SELECT contact, applicant_name FROM {table} WHERE id = %s", [stored.pk])
        contact, name = cursor.fetchone()
    assert "13800001234" not in contact and stored.applicant_name not in name


@pytest.mark.django_db
def test_overdue_supervision(demo, api_token, login_as):
    late = registered(date(2026, 1, 5))
    submit("lisi")  # not registered: no clock, never overdue
    client = Client()
    found = client.get("/api/v1/disclosure/requests/overdue", **api_token("jiancha")).json()
    assert [i["number"] for i in found["items"]] == [late.number]
    own = client.get("/api/v1/disclosure/requests/overdue", **api_token("scjg")).json()
    assert [i["number"] for i in own["items"]] == [late.number]
    other = client.get("/api/v1/disclosure/requests/overdue", **api_token("xg-scjg")).json()
    assert other["items"] == []
    assert (
        client.get("/api/v1/disclosure/requests/overdue", **api_token("zhangsan")).status_code
        == 403
    )
    page = login_as("jiancha").get("/workbench/disclosure/requests/?overdue=1")
    assert page.status_code == 200 and late.number in page.content.decode()
    assert login_as("zhangsan").get("/workbench/disclosure/requests/?overdue=1").status_code == 403
    assert services.requests_mark_overdue() == 1
    assert services.requests_mark_overdue() == 0
    assert InfoRequest.objects.get(pk=late.pk).overdue


@pytest.mark.django_db
def test_applicant_pages(demo, login_as):
    r = submit()
    mine = login_as("zhangsan").get("/disclosure/requests/mine/")
    assert mine.status_code == 200 and r.number in mine.content.decode()
    assert login_as("lisi").get(f"/disclosure/requests/{r.pk}/").status_code == 403
    form = login_as("lisi").post("/disclosure/requests/new/", {"form": "electronic"})
    assert form.status_code == 422 and "error-text" in form.content.decode()


def _reply(r: InfoRequest, reply_type: str, day: date, **extra: str) -> None:
    data = services.ReplyInput(reply_type, "答复内容", **extra)
    services.request_reply(actor=user("scjg"), request_id=r.pk, data=data, today=day)


@pytest.mark.django_db
def test_annual_report_matches_the_records(demo, api_token, login_as):
    carried = registered(date(2025, 12, 22), "lisi")
    _reply(carried, "disclosed", date(2026, 1, 12))
    _reply(registered(date(2026, 3, 2)), "withheld", date(2026, 3, 20), withheld_reason="process")
    _reply(registered(date(2026, 3, 3)), "not_exist", date(2026, 3, 20))
    open_request = registered(date(2026, 11, 30), "lisi")
    company = registered(date(2026, 4, 1), "hbcanyin")
    _reply(company, "partial", date(2026, 4, 20), withheld_reason="third_party")
    dept = department_id("scjg")
    report = selectors.annual_report(user("scjg"), year=2026, department_id=dept)
    base = InfoRequest.objects.filter(department_id=dept)
    assert report.received.total == base.filter(received_on__year=2026).count() == 4
    assert (report.received.person, report.received.legal) == (3, 1)
    assert report.carried_over.total == 1
    rows = {row.label: row.total for row in report.results}
    assert rows["（一）予以公开"] == 1 and rows["（二）部分公开"] == 1
    assert rows["（三）不予公开"] == 1 and rows["属于四类过程性信息"] == 1
    assert rows["（四）无法提供"] == 1
    assert report.results_total.total == base.filter(replied_on__year=2026).count() == 4
    assert report.carried_forward.total == 1 == base.filter(pk=open_request.pk).count()
    api = Client().get(
        f"/api/v1/disclosure/report?year=2026&department_id={dept}", **api_token("scjg")
    )
    assert api.json()["received"]["total"] == 4
    denied = Client().get(
        f"/api/v1/disclosure/report?year=2026&department_id={dept}", **api_token("xiaofang")
    )
    assert denied.status_code == 403
    csv = login_as("scjg").get(
        f"/workbench/disclosure/report/?year=2026&department={dept}&format=csv"
    )
    text = csv.content.decode("utf-8-sig")
    assert (
        csv["Content-Type"].startswith("text/csv") and "本年新收政府信息公开申请数量,3,1,4" in text
    )


@pytest.mark.django_db
def test_demo_requests_on_the_workbench_pages(full_demo, login_as):
    statuses = set(InfoRequest.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "registered", "correction", "replied"}
    overdue = InfoRequest.objects.get(source_key="demo-r10")
    supervisor = login_as("jiancha").get("/workbench/disclosure/requests/?overdue=1")
    assert overdue.number in supervisor.content.decode()
    assert overdue.applicant_name not in supervisor.content.decode()
    staff = login_as("scjg")
    for r in InfoRequest.objects.filter(department_id=department_id("scjg")):
        page = staff.get(f"/workbench/disclosure/requests/{r.pk}/")
        assert page.status_code == 200, r.status
        assert r.applicant_name in page.content.decode()  # the handling staff need it
    report = staff.get("/workbench/disclosure/report/?year=2026")
    assert report.status_code == 200 and "上年结转政府信息公开申请数量" in report.content.decode()
    assert staff.get("/workbench/disclosure/publications/").status_code == 200
    correction = InfoRequest.objects.get(source_key="demo-r03")
    applicant = login_as("zhangsan").get(f"/disclosure/requests/{correction.pk}/")
    assert "提交补正" in applicant.content.decode()


@pytest.mark.django_db
def test_staff_reply_form_with_file(demo, login_as):
    r = registered(date(2026, 3, 2))
    staff = login_as("scjg")
    url = f"/workbench/disclosure/requests/{r.pk}/reply/"
    missing = staff.post(url, {"reply_type": "withheld", "reply_text": "不予公开"})
    assert missing.status_code == 422 and 'id="f-withheld_reason-error"' in missing.content.decode()
    upload = SimpleUploadedFile("答复书.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    done = staff.post(
        url, {"reply_type": "disclosed", "reply_text": "予以公开", "reply_file": upload}
    )
    assert done.status_code == 302
    download = login_as("zhangsan").get(f"/disclosure/requests/{r.pk}/reply-file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 reply"
    assert login_as("lisi").get(f"/disclosure/requests/{r.pk}/reply-file/").status_code == 403


@pytest.mark.django_db
def test_supervisor_report_covers_the_division_departments(demo, login_as):
    page = login_as("jiancha").get("/workbench/disclosure/report/?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "武汉市市场监督管理局" in html and "江岸区民政局" in html
    assert "孝感市" not in html
