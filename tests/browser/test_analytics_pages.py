"""Decision-support pages in a real browser: rendered without JavaScript (SVG charts and
their tables), axe-core on every page, elderly mode (issue 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bench.datagen import generate
from django.utils import timezone

from tests.browser.support import axe_check, db_access, login
from tongban.analytics import services

pytestmark = [pytest.mark.browser, pytest.mark.analytics, pytest.mark.interaction_data]


@pytest.fixture
def figures(site):
    with db_access():
        today = timezone.localdate()
        generate(cases=400, end=today, days=200, appeals=0, logs=60, seed=5)
        services.refresh(since=today - timedelta(days=210))
    return site


def test_dashboard_renders_without_javascript(figures, new_page):
    page = new_page(java_script_enabled=False)
    login(page, "lingdao")
    response = page.goto("/workbench/analytics/")
    assert response.status == 200
    main = page.locator("main")
    assert main.locator("svg[role=img]").count() >= 10
    assert main.locator("table").count() >= 10
    assert page.get_by_role("heading", name="部门综合排名").is_visible()
    # Drill down from the league table to the cases behind a figure.
    page.locator("#league table a").first.click()
    page.wait_for_load_state()
    assert "/workbench/analytics/cases/" in page.url
    assert page.locator("main table tbody tr").count() >= 1


def test_analytics_pages_pass_axe(figures, page):
    login(page, "lingdao")
    for path in (
        "/workbench/analytics/",
        "/workbench/analytics/?division=420100",
        "/workbench/analytics/cases/?division=420100&metric=received",
        "/workbench/analytics/reports/",
        "/statistics/",
        "/statistics/?division=420100",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)


def test_dashboard_in_elderly_mode_passes_axe(figures, page):
    login(page, "scjg-head")
    page.goto("/workbench/analytics/")
    page.get_by_role("button", name="长者模式", exact=True).click()
    assert "elderly" in page.locator("body").get_attribute("class")
    assert page.get_by_text("只显示本部门的数据").is_visible()
    axe_check(page)
