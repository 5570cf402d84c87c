"""The collaborative office pages (协同办公) pass axe-core for the staff who use them, with
a document, a receipt, a work item, a notice, a group and a meeting in them; they also pass
in elderly mode, and a document can be drafted with JavaScript off.

The objects are made here through the office services (the demo's own office data may or
may not be loaded), so every detail page has something of a known state to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.support import axe_check, db_access, login
from tongban.accounts.selectors import user_by_username
from tongban.core.selectors import add_working_days
from tongban.office.models import Receipt
from tongban.office.selectors.documents import office_tasks_for
from tongban.office.services import documents, groups, meetings, notices, workitems
from tongban.org.selectors import department_by_code

pytestmark = pytest.mark.browser

OFFICE = "/workbench/office"
TITLE = "关于开展无障碍环境建设检查的通知"


@dataclass(frozen=True)
class OfficeObjects:
    dispatched: int  # a document 武汉市市场监管局 sent to 孝感
    reviewing: int  # a document waiting for scjg-hegao's review (核稿)
    draft: int  # a draft of scjg's
    receipt: int  # the dispatched document's receipt (收文) at 孝感
    work_item: int
    notice: int
    group: int
    meeting: int


def _user(username: str) -> Any:
    user = user_by_username(username)
    assert user is not None, username
    return user


def _department_id(division: str, code: str) -> int:
    department = department_by_code(division_code=division, code=code)
    assert department is not None, (division, code)
    return int(department.pk)


def _step(username: str, document_id: int, comment: str) -> None:
    user = _user(username)
    tasks = office_tasks_for(user, document_id=document_id)
    assert len(tasks) == 1, (username, tasks)
    documents.office_task_complete(
        user=user, task_id=tasks[0].task_id, decision="approve", comment=comment
    )


def _draft(title: str) -> int:
    return int(
        documents.document_create(
            user=_user("scjg"),
            title=title,
            body="为推进无障碍环境建设，决定开展专项检查。\n请各单位认真组织实施。",
            main_recipient_ids=[_department_id("420900", "scjg")],
        ).pk
    )


def _documents() -> tuple[int, int, int, int]:
    dispatched = _draft(TITLE)
    documents.document_submit(user=_user("scjg"), document_id=dispatched)
    _step("scjg-hegao", dispatched, "核稿无误")
    _step("scjg-head", dispatched, "签发")
    _step("scjg-hegao", dispatched, "编号用印")
    receipt = Receipt.objects.get(document_id=dispatched)
    reviewing = _draft("关于无障碍设施维护情况的报告")
    documents.document_submit(user=_user("scjg"), document_id=reviewing)
    return dispatched, reviewing, _draft("关于无障碍检查工作安排的请示"), receipt.pk


def _meeting(head: Any) -> int:
    starts = timezone.now() + timedelta(days=2)
    return int(
        meetings.meeting_arrange(
            user=head,
            title="无障碍环境建设工作推进会",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="市民之家三楼第一会议室",
            agenda="部署无障碍环境建设检查",
            invitee_ids=[_user("scjg").pk, _user("scjg-hegao").pk],
        ).pk
    )


@pytest.fixture
def office(site: str) -> OfficeObjects:
    with db_access():
        dispatched, reviewing, draft, receipt = _documents()
        head = _user("scjg-head")
        scjg = _department_id("420100", "scjg")
        item = workitems.workitem_create(
            user=_user("wh-lingdao"),
            title="推进无障碍环境建设",
            description="各单位报送无障碍设施整改进度。",
            department_ids=[scjg],
            deadline=add_working_days(timezone.localdate(), 10),
        )
        workitems.workitem_report(
            user=_user("scjg"), item_id=item.pk, department_id=scjg, text="已完成摸底。", percent=40
        )
        notice = notices.notice_publish(
            user=head, title="关于节日值班的通知", body="请各处室安排值班。", department_ids=[scjg]
        )
        group = groups.group_create(
            user=head, name="无障碍检查工作组", kind="project", member_ids=[_user("scjg").pk]
        )
        groups.message_post(user=head, group_id=group.pk, body="请各位本周内提交检查计划。")
        return OfficeObjects(
            dispatched=dispatched,
            reviewing=reviewing,
            draft=draft,
            receipt=receipt,
            work_item=item.pk,
            notice=notice.pk,
            group=group.pk,
            meeting=_meeting(head),
        )


def _visit(page: Any, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(OFFICE + path)
        assert response.status == 200, path
        axe_check(page)


def test_document_pages_pass_axe(new_page, office):
    drafter = new_page()
    login(drafter, "scjg")
    _visit(
        drafter,
        [
            "/documents/",
            "/documents/new/",
            f"/documents/{office.dispatched}/",
            f"/documents/{office.draft}/",
            f"/documents/{office.draft}/edit/",
            "/requests/",
            "/requests/?box=outgoing",
            "/documents/search/?q=无障碍",
        ],
    )
    assert TITLE in drafter.locator("main").inner_text()  # the search found it

    reviewer = new_page()
    login(reviewer, "scjg-hegao")
    _visit(reviewer, [f"/documents/{office.reviewing}/"])  # with the review form
    assert reviewer.locator("main form textarea").count() >= 1

    recipient = new_page()
    login(recipient, "xg-scjg")
    _visit(recipient, ["/incoming/", f"/incoming/{office.receipt}/"])
    assert TITLE in recipient.locator("main").inner_text()


def test_work_item_and_overdue_pages_pass_axe(new_page, office):
    leader = new_page()
    login(leader, "wh-lingdao")
    _visit(leader, ["/work-items/", "/work-items/new/", f"/work-items/{office.work_item}/"])

    reporter = new_page()
    login(reporter, "scjg")
    _visit(reporter, [f"/work-items/{office.work_item}/"])  # with the report form

    supervisor = new_page()
    login(supervisor, "jiancha")
    _visit(supervisor, ["/overdue/", "/overdue/?level=red"])


def test_notice_group_and_meeting_pages_pass_axe(new_page, office):
    head = new_page()
    login(head, "scjg-head")
    _visit(
        head,
        [
            "/notices/",
            "/notices/new/",
            f"/notices/{office.notice}/",  # with the read receipts
            "/groups/",
            "/groups/new/",
            f"/groups/{office.group}/",
            "/meetings/",
            "/meetings/new/",
            f"/meetings/{office.meeting}/",
        ],
    )

    member = new_page()
    login(member, "scjg")
    _visit(
        member,
        [f"/notices/{office.notice}/", f"/groups/{office.group}/", f"/meetings/{office.meeting}/"],
    )


def test_office_pages_in_elderly_mode_pass_axe(page, office):
    login(page, "scjg")
    page.goto(OFFICE + "/documents/")
    page.get_by_role("button", name="长者模式", exact=True).click()
    assert "elderly" in page.locator("body").get_attribute("class")
    _visit(
        page,
        [
            "/documents/",
            f"/documents/{office.dispatched}/",
            f"/work-items/{office.work_item}/",
            f"/groups/{office.group}/",
        ],
    )


def test_document_is_drafted_without_javascript(new_page, office):
    page = new_page(java_script_enabled=False)
    login(page, "scjg")
    page.goto(OFFICE + "/documents/new/")
    page.locator("#f-title").fill("关于无障碍设施专项整治的通知")
    page.locator("#f-body").fill("请各单位开展无障碍设施专项整治。")
    page.locator("#f-main_recipients").select_option(label="孝感市市场监督管理局")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    assert "关于无障碍设施专项整治的通知" in page.get_by_role("heading", level=1).inner_text()
