"""Internal requests (征求意见函): a case raises one to another department, the reply flows
back into the case's timeline. Services and the HTTP API, on a real case with a task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.accounts.models import User
from tongban.cases import selectors as cases
from tongban.cases import services as case_services
from tongban.catalog import selectors as catalog
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.core.selectors import add_working_days
from tongban.demo.cases_demo import sample_form
from tongban.notify.models import Notification
from tongban.office.models import InternalRequest
from tongban.office.services.internal import request_raise, request_reply
from tongban.org.models import Department

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LICENCE_ITEM = "0101001000"  # 营业执照设立登记, handled by 武汉市市场监督管理局 (scjg)


@pytest.fixture
def demo(demo_catalog):
    """Cases need the catalog; ``login_as`` and ``api_token`` use this demo too."""
    return demo_catalog


def user(username: str) -> User:
    return User.objects.get(username=username)


def department(code: str, division: str = "420100") -> Department:
    return Department.objects.get(division_id=division, code=code)


def submitted_case(applicant: str = "hbcanyin") -> Any:
    """A submitted licence case of 武汉市: its first task waits at scjg's reviewers."""
    owner = user(applicant)
    schema = catalog.implementation_for(LICENCE_ITEM, division_code="420100").form_schema
    case, _created = case_services.case_create(
        user=owner,
        service=LICENCE_ITEM,
        bundle="",
        division_code="420100",
        form=sample_form(schema),
    )
    for name, required in case_services.required_material_names(case):
        if required:
            upload = SimpleUploadedFile("material.pdf", PDF, "application/pdf")
            case_services.case_material_add(user=owner, case_id=case.pk, name=name, upload=upload)
    return case_services.case_submit(user=owner, case_id=case.pk)


@pytest.fixture
def case(demo) -> Any:
    return submitted_case()


def raise_from(case: Any, *, by: str = "scjg", to: str = "xfzd", **extra: Any) -> InternalRequest:
    values: dict[str, Any] = {
        "subject": "餐饮场所消防安全条件",
        "body": "申请人经营场所位于商业综合体三层，请就消防安全条件提出意见。",
        "due_days": 3,
        **extra,
    }
    return request_raise(
        user=user(by), case_id=case.pk, to_department_id=department(to).pk, **values
    )


def titles(case: Any) -> list[str]:
    """The case's timeline as its handling staff see it."""
    return [e.title for e in cases.case_timeline(cases.case_get(case.pk), internal=True)]


# ---------------------------------------------------------------------------- services


def test_handling_staff_raise_and_the_reply_enters_the_timeline(case):
    request = raise_from(case)
    assert request.from_department == department("scjg")
    assert request.to_department == department("xfzd")
    assert request.case_number == case.number
    assert request.due_on == add_working_days(timezone.localdate(), 3)
    assert "已向武汉市消防救援支队发出征求意见函：餐饮场所消防安全条件" in titles(case)
    assert AuditEntry.objects.filter(
        action="office.request.raise", object_id=str(request.pk)
    ).exists()
    told = Notification.objects.get(recipient=user("xiaofang"), topic="office.internal_request")
    assert told.link == f"/workbench/office/requests/{request.pk}/"
    assert "武汉市市场监督管理局" in told.title

    replied = request_reply(
        user=user("xiaofang"), request_id=request.pk, reply="符合消防安全条件。"
    )
    assert replied.status == "replied" and replied.replied_by == user("xiaofang")
    entry = cases.case_timeline(cases.case_get(case.pk), internal=True)[-1]
    assert entry.title == "武汉市消防救援支队回复征求意见：餐饮场所消防安全条件"
    assert entry.comment == "符合消防安全条件。"
    assert AuditEntry.objects.filter(
        action="office.request.reply", object_id=str(request.pk)
    ).exists()
    assert Notification.objects.filter(
        recipient=user("scjg"), topic="office.internal_request_replied"
    ).exists()

    with pytest.raises(Conflict):
        request_reply(user=user("xiaofang"), request_id=request.pk, reply="再说一遍。")
    assert InternalRequest.objects.get(pk=request.pk).reply == "符合消防安全条件。"


def test_staff_without_the_case_cannot_raise(case):
    with pytest.raises(NotFound):  # 消防 holds no task on this case and does not handle it
        raise_from(case, by="xiaofang", to="sthjj")
    with pytest.raises(NotFound):  # another city's market regulator
        raise_from(case, by="xg-scjg", to="xfzd")
    with pytest.raises(PermissionDenied):  # the supervisor sees the case but does not handle it
        raise_from(case, by="jiancha", to="xfzd")
    with pytest.raises(NotFound):  # not staff at all
        raise_from(case, by="hbcanyin", to="xfzd")
    assert not InternalRequest.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"to": "scjg"}, "to_department"),
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": ""}, "body"),
        ({"due_days": 0}, "due_days"),
        ({"due_days": 16}, "due_days"),
    ],
)
def test_invalid_requests_write_nothing(case, extra, field):
    before = len(titles(case))
    with pytest.raises(ValidationFailed) as info:
        raise_from(case, **extra)
    assert info.value.field == field
    assert not InternalRequest.objects.exists()
    assert len(titles(case)) == before


def test_unknown_target_department(case):
    with pytest.raises(ValidationFailed) as info:
        request_raise(
            user=user("scjg"), case_id=case.pk, to_department_id=999999, subject="事由", body="内容"
        )
    assert info.value.field == "to_department"


def test_only_the_target_department_replies(case):
    request = raise_from(case)
    with pytest.raises(NotFound):  # 生态环境局 is not involved at all
        request_reply(user=user("huanbao"), request_id=request.pk, reply="意见")
    with pytest.raises(PermissionDenied):  # the requester sees it, but cannot answer itself
        request_reply(user=user("scjg"), request_id=request.pk, reply="意见")
    with pytest.raises(ValidationFailed):
        request_reply(user=user("xiaofang"), request_id=request.pk, reply=" ")
    assert InternalRequest.objects.get(pk=request.pk).status == "pending"


def test_a_closed_case_raises_nothing(case):
    case_services.case_withdraw(user=user("hbcanyin"), case_id=case.pk, reason="不办了")
    with pytest.raises(Conflict):
        raise_from(case)


# ---------------------------------------------------------------------------- API


@pytest.fixture
def api(api_token) -> Callable[[str], Any]:
    tokens: dict[str, dict[str, Any]] = {}

    class Api:
        def __init__(self, username: str):
            if username not in tokens:
                tokens[username] = api_token(username)
            self.headers, self.client = tokens[username], Client()

        def get(self, path: str, **params: Any) -> Any:
            return self.client.get(f"/api/v1{path}", params, **self.headers)

        def post(self, path: str, body: dict[str, Any]) -> Any:
            return self.client.post(
                f"/api/v1{path}", body, content_type="application/json", **self.headers
            )

    return Api


REQUEST_KEYS = {
    "id",
    "case",
    "case_number",
    "from_department",
    "to_department",
    "subject",
    "body",
    "requested_by",
    "created_at",
    "due_on",
    "overdue",
    "status",
    "status_label",
    "reply",
    "replied_by",
    "replied_at",
}


def test_api_raise_list_read_and_reply(api, case):
    body = {
        "case": case.pk,
        "to_department": department("xfzd").pk,
        "subject": "消防安全条件",
        "body": "请提出意见。",
        "due_days": 5,
    }
    response = api("scjg").post("/internal-requests", body)
    assert response.status_code == 201, response.content.decode()
    raised = response.json()
    assert set(raised) == REQUEST_KEYS
    assert raised["case"] == case.pk and raised["case_number"] == case.number
    assert raised["from_department"] == {
        "id": department("scjg").pk,
        "code": "scjg",
        "name": "市场监督管理局",
        "full_name": "武汉市市场监督管理局",
        "division": "420100",
    }
    assert raised["to_department"]["full_name"] == "武汉市消防救援支队"
    assert raised["status"] == "pending" and raised["status_label"] == "待回复"
    assert raised["due_on"] == add_working_days(timezone.localdate(), 5).isoformat()
    assert raised["overdue"] is False and raised["replied_by"] is None
    assert raised["created_at"].endswith("+08:00")

    incoming = api("xiaofang").get("/internal-requests", box="incoming").json()
    assert [r["id"] for r in incoming["items"]] == [raised["id"]] and incoming["next"] is None
    outgoing = api("scjg").get("/internal-requests", box="outgoing").json()
    assert [r["id"] for r in outgoing["items"]] == [raised["id"]]
    assert api("scjg").get("/internal-requests", box="incoming").json()["items"] == []
    assert api("huanbao").get("/internal-requests").json()["items"] == []

    path = f"/internal-requests/{raised['id']}"
    assert api("xiaofang").get(path).json()["subject"] == "消防安全条件"
    assert api("huanbao").get(path).status_code == 404
    assert api("huanbao").post(f"{path}/reply", {"reply": "意见"}).status_code == 404
    denied = api("scjg").post(f"{path}/reply", {"reply": "意见"})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"

    replied = api("xiaofang").post(f"{path}/reply", {"reply": "同意。"})
    assert replied.status_code == 200, replied.content.decode()
    assert replied.json()["status"] == "replied" and replied.json()["reply"] == "同意。"
    assert replied.json()["replied_by"]
    again = api("xiaofang").post(f"{path}/reply", {"reply": "同意。"})
    assert again.status_code == 409
    assert set(again.json()) == {"code", "message", "field"}
    assert again.json()["code"] == "already_replied"

    # The case's handling staff read the reply in the case's timeline.
    timeline = api("scjg").get(f"/applications/{case.pk}").json()["timeline"]
    reply = next(e for e in timeline if e["action"] == "internal_reply")
    assert reply["title"] == "武汉市消防救援支队回复征求意见：消防安全条件"
    assert reply["comment"] == "同意。"

    # The applicant's timeline keeps the correspondence between departments out.
    applicant = api("hbcanyin").get(f"/applications/{case.pk}").json()["timeline"]
    assert applicant and not any(e["action"].startswith("internal_") for e in applicant)


def test_api_refusals_and_invalid_input(api, case):
    target = department("xfzd").pk
    body = {"case": case.pk, "to_department": target, "subject": "事由", "body": "内容"}
    assert api("xiaofang").post("/internal-requests", body).status_code == 404
    assert api("jiancha").post("/internal-requests", body).status_code == 403
    bad = api("scjg").post("/internal-requests", {**body, "due_days": 30})
    assert bad.status_code == 422 and bad.json()["field"] == "due_days"
    missing = api("scjg").post("/internal-requests", {"case": case.pk})
    assert missing.status_code == 422
    assert api("scjg").get("/internal-requests", box="everything").status_code == 422
    assert api("hbcanyin").get("/internal-requests").status_code == 403
    assert Client().get("/api/v1/internal-requests").status_code == 401
    assert api("scjg").get("/internal-requests/999999").status_code == 404


def test_incoming_lists_pending_first(api, case):
    first = raise_from(case, subject="第一件")
    second = raise_from(case, subject="第二件")
    third = raise_from(case, subject="第三件")
    request_reply(user=user("xiaofang"), request_id=third.pk, reply="已阅。")
    page = api("xiaofang").get("/internal-requests", size=2).json()
    assert [r["id"] for r in page["items"]] == [second.pk, first.pk]
    rest = Client().get(page["next"], **api("xiaofang").headers).json()
    assert [r["id"] for r in rest["items"]] == [third.pk] and rest["next"] is None
    pending = api("xiaofang").get("/internal-requests", status="pending").json()["items"]
    assert [r["id"] for r in pending] == [second.pk, first.pk]


def test_lists_cost_the_same_queries_whatever_their_length(api, case):
    def count(username: str, box: str) -> int:
        client = api(username)
        client.get("/internal-requests", box=box)  # warm up
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/internal-requests", box=box).status_code == 200
        return len(captured)

    request_reply(user=user("xiaofang"), request_id=raise_from(case).pk, reply="已阅。")
    one = (count("xiaofang", "incoming"), count("scjg", "outgoing"))
    for i in range(5):
        done = raise_from(case, subject=f"事由{i}", to="sthjj" if i % 2 else "xfzd")
        if i % 2 == 0:
            request_reply(user=user("xiaofang"), request_id=done.pk, reply="已阅。")
    assert (count("xiaofang", "incoming"), count("scjg", "outgoing")) == one
