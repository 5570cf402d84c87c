"""The pages around applications with real data in them: the applicant's cases and
messages, the staff inbox, supervision and the public scores pass axe-core."""

from __future__ import annotations

import pytest

from tests.browser.support import axe_check, db_access, login
from tongban.core.services import outbox_deliver
from tongban.demo.cases_demo import load_cases
from tongban.supervision.services import supervision_sweep

pytestmark = pytest.mark.browser


@pytest.fixture
def sample_cases(site):
    with db_access():
        load_cases(lambda _line: None)
        while outbox_deliver():
            pass
        supervision_sweep()
    return site


def _visit(page, paths):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)


def test_applicant_pages_pass_axe(new_page, sample_cases):
    page = new_page()
    login(page, "hbcanyin")
    page.goto("/my/cases/")
    page.locator("main tbody tr").filter(has_text="开办餐饮店一件事").get_by_role("link").click()
    assert page.get_by_text("您已评价").is_visible()
    axe_check(page)
    _visit(page, ["/my/cases/", "/messages/", "/my/appointments/", "/status/"])


def test_staff_and_supervisor_pages_pass_axe(new_page, sample_cases):
    page = new_page()
    login(page, "chuangkou")
    _visit(page, ["/workbench/tasks/", "/workbench/tasks/done/"])
    page.goto("/workbench/tasks/")
    page.get_by_role("link", name="查看详情").first.click()
    assert page.get_by_role("heading", level=1).is_visible()
    axe_check(page)

    supervisor = new_page()
    login(supervisor, "jiancha")
    _visit(supervisor, ["/supervision/", "/supervision/rectifications/", "/supervision/stats/"])
    assert supervisor.locator("main svg").count() >= 1  # the chart beside the table
    assert supervisor.locator("main table").count() >= 1


def test_public_scores_pass_axe(new_page, sample_cases):
    page = new_page()
    _visit(page, ["/ratings/"])
    assert "市场监督管理局" in page.content() or "政务服务和大数据管理局" in page.content()
