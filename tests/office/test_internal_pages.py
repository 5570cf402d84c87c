"""Internal request pages (征求意见函): raised from the staff case page, answered from the
target department's list, the reply shown on the case page; refusals; the workbench links."""

from __future__ import annotations

from typing import Any

import pytest

from tests.office.test_internal_requests import department, raise_from, submitted_case
from tongban.office.models import InternalRequest


@pytest.fixture
def demo(demo_catalog):
    return demo_catalog


@pytest.fixture
def case(demo) -> Any:
    return submitted_case()


def text(response: Any) -> str:
    return response.content.decode()


def test_raise_from_the_case_page_and_read_the_reply_there(login_as, case):
    scjg = login_as("scjg")
    case_page = text(scjg.get(f"/workbench/cases/{case.pk}/"))
    new_url = f"/workbench/office/requests/new/?case={case.pk}"
    assert "征求意见" in case_page and new_url in case_page

    form = scjg.get(new_url)
    assert form.status_code == 200
    assert "武汉市消防救援支队" in text(form)
    assert f'<option value="{department("scjg").pk}"' not in text(form)  # not its own department

    refused = scjg.post(
        new_url,
        {"to_department": department("xfzd").pk, "subject": "", "body": "内容", "due_days": "3"},
    )
    assert refused.status_code == 422
    assert "请填写事由" in text(refused) and 'aria-invalid="true"' in text(refused)
    assert not InternalRequest.objects.exists()

    sent = scjg.post(
        new_url,
        {
            "to_department": department("xfzd").pk,
            "subject": "消防安全条件",
            "body": "请提出意见。",
            "due_days": "3",
        },
    )
    assert sent.status_code == 302 and sent["Location"] == f"/workbench/cases/{case.pk}/"
    request = InternalRequest.objects.get()
    case_page = text(scjg.get(f"/workbench/cases/{case.pk}/"))
    assert f"/workbench/office/requests/{request.pk}/" in case_page
    assert "已向武汉市消防救援支队发出征求意见函：消防安全条件" in case_page

    xiaofang = login_as("xiaofang")
    incoming = text(xiaofang.get("/workbench/office/requests/"))
    assert "消防安全条件" in incoming and case.number in incoming
    detail = text(xiaofang.get(f"/workbench/office/requests/{request.pk}/"))
    assert "武汉市市场监督管理局" in detail and 'name="reply"' in detail
    empty = xiaofang.post(f"/workbench/office/requests/{request.pk}/reply/", {"reply": ""})
    assert empty.status_code == 422 and "请填写回复意见" in text(empty)
    done = xiaofang.post(
        f"/workbench/office/requests/{request.pk}/reply/", {"reply": "符合消防安全条件。"}
    )
    assert done.status_code == 302
    again = xiaofang.post(f"/workbench/office/requests/{request.pk}/reply/", {"reply": "再次"})
    assert again.status_code == 409 and "不能重复回复" in text(again)
    assert 'name="reply"' not in text(xiaofang.get(f"/workbench/office/requests/{request.pk}/"))

    case_page = text(scjg.get(f"/workbench/cases/{case.pk}/"))
    assert "武汉市消防救援支队回复征求意见：消防安全条件" in case_page
    assert "符合消防安全条件。" in case_page
    outgoing = text(scjg.get("/workbench/office/requests/?box=outgoing"))
    assert "消防安全条件" in outgoing and "已回复" in outgoing


def test_refusals(login_as, case):
    request = raise_from(case)
    detail = f"/workbench/office/requests/{request.pk}/"
    assert login_as("huanbao").get(detail).status_code == 404
    assert login_as("huanbao").post(f"{detail}reply/", {"reply": "意见"}).status_code == 404
    assert login_as("scjg").post(f"{detail}reply/", {"reply": "意见"}).status_code == 403
    # The requester sees the request but no reply form.
    assert 'name="reply"' not in text(login_as("scjg").get(detail))
    new_url = f"/workbench/office/requests/new/?case={case.pk}"
    assert login_as("xiaofang").get(new_url).status_code == 404
    assert login_as("jiancha").get(new_url).status_code == 403
    assert login_as("scjg").get("/workbench/office/requests/new/?case=abc").status_code == 404
    citizen = login_as("hbcanyin")
    assert citizen.get("/workbench/office/requests/").status_code == 403
    # The supervisor may read the case page but is not offered the form.
    page = text(login_as("jiancha").get(f"/workbench/cases/{case.pk}/"))
    assert "消防安全条件" in page and "requests/new/" not in page


def test_workbench_home_links_the_office_pages(login_as):
    page = text(login_as("scjg").get("/workbench/"))
    assert "协同办公" in page
    for path in (
        "/workbench/office/documents/",
        "/workbench/office/incoming/",
        "/workbench/office/work-items/",
        "/workbench/office/overdue/",
        "/workbench/office/notices/",
        "/workbench/office/groups/",
        "/workbench/office/meetings/",
        "/workbench/office/requests/",
    ):
        assert f'href="{path}"' in page
