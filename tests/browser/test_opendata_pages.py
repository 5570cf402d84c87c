"""The open data pages in a real browser: axe-core, search without JavaScript, downloads
(issue 7)."""

from __future__ import annotations

import pytest

from tests.browser.support import axe_check, login

pytestmark = [pytest.mark.browser, pytest.mark.opendata]


def test_open_data_pages_pass_axe(page):
    for path in ("/data/", "/data/api/"):
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)
    page.goto("/data/")
    page.locator("main a[href^='/data/dataset/']").first.click()
    page.wait_for_load_state()
    assert page.locator("main table").count() >= 2  # metadata, dictionary, preview
    axe_check(page)


def test_search_and_download_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/data/")
    page.get_by_role("searchbox").first.fill("公交")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    first = page.locator("main a[href^='/data/dataset/']").first
    assert "公交" in first.inner_text()
    first.click()
    page.wait_for_load_state()
    csv = page.locator("main a[href^='/data/download/']").first
    response = page.request.get(csv.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith(("text/csv", "application/"))


def test_signed_in_key_page_and_steward_workbench_pass_axe(new_page):
    citizen = new_page()
    login(citizen, "zhangsan")
    assert citizen.goto("/data/keys/").status == 200
    axe_check(citizen)
    steward = new_page()
    login(steward, "shuju")
    assert steward.goto("/workbench/opendata/").status == 200
    axe_check(steward)
