"""The interaction and disclosure pages in a real browser: axe-core, no JavaScript, elderly
mode, and no personal data on the public ones (issue 6)."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import axe_check, login

pytestmark = [pytest.mark.browser, pytest.mark.interaction_data]

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")
SUBMITTERS = ("张三", "李四")


def _open_first(page, container: str, pattern: str) -> str:
    """Follow the first link under ``container`` whose address matches ``pattern``."""
    link = page.locator(f"{container} a[href]")
    for index in range(link.count()):
        href = link.nth(index).get_attribute("href") or ""
        if re.search(pattern, href):
            response = page.goto(href)
            assert response.status == 200, href
            return href
    raise AssertionError(f"no link matching {pattern} in {container} on {page.url}")


def _assert_no_personal_data(page) -> None:
    text = page.locator("main").inner_text()
    assert not PHONE.search(text), PHONE.search(text)
    assert not ID_NUMBER.search(text), ID_NUMBER.search(text)
    for name in SUBMITTERS:
        assert name not in text, name


def test_public_interaction_pages_pass_axe_and_hold_no_personal_data(page):
    for path in (
        "/interact/",
        "/interaction/appeals/new/",
        "/interaction/appeals/lookup/",
        "/interaction/mailbox/",
        "/knowledge/ask/?q=怎么办理营业执照",
        "/participation/",
        "/disclosure/requests/new/",
        "/disclosure/search/?q=营商环境",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)
    page.goto("/interaction/mailbox/")
    _open_first(page, "main table", r"/interaction/mailbox/\w+/$")
    assert page.get_by_role("heading", level=1).is_visible()
    _assert_no_personal_data(page)
    axe_check(page)
    page.goto("/knowledge/ask/?q=怎么办理营业执照")
    _open_first(page, "main", r"/knowledge/\d+/$")
    axe_check(page)
    page.goto("/participation/")
    _open_first(page, "main", r"/participation/\d+/$")
    _assert_no_personal_data(page)
    axe_check(page)
    page.goto("/participation/")
    _open_first(page, "main", r"/participation/surveys/\d+/results/$")
    assert page.locator("main svg").count() >= 1  # the charts, with their tables
    assert page.locator("main table").count() >= 1
    axe_check(page)


def test_disclosure_pages_pass_axe_and_offer_feeds(page):
    response = page.goto("/disclosure/")
    assert response.status == 200
    assert re.search(r"/disclosure/\d{6}/$", page.url)
    feeds = page.locator("head link[rel=alternate]")
    assert {feeds.nth(i).get_attribute("type") for i in range(feeds.count())} == {
        "application/rss+xml",
        "application/atom+xml",
    }
    axe_check(page)
    children = page.get_by_role("navigation", name="下级政府信息公开")
    children.get_by_role("link", name="武汉市").click()
    _open_first(page, "main table", r"/disclosure/\d{6}/\d+/$")
    assert "索引号" in page.locator("main").inner_text()
    axe_check(page)


def test_staff_interaction_pages_pass_axe(new_page):
    for username, paths in (
        ("paidan", ["/workbench/", "/workbench/appeals/", "/workbench/appeals/?box=dispatch"]),
        ("jiancha", ["/workbench/appeals/overdue/", "/workbench/disclosure/requests/?overdue=1"]),
        ("scjg", ["/workbench/disclosure/publications/", "/workbench/participation/"]),
        ("scjg-head", ["/workbench/disclosure/report/", "/workbench/participation/surveys/new/"]),
    ):
        page = new_page()
        login(page, username)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (username, path)
            axe_check(page)
    page = new_page()
    login(page, "paidan")
    page.goto("/workbench/appeals/?box=dispatch")
    _open_first(page, "main table", r"/workbench/appeals/[\w-]+/$")
    assert page.get_by_role("heading", level=1).is_visible()
    axe_check(page)


def test_appeal_without_javascript_reaches_my_appeals(new_page):
    page = new_page(java_script_enabled=False)
    login(page, "zhangsan")
    page.goto("/interact/")
    page.get_by_role("link", name=re.compile("我要写信")).first.click()
    page.get_by_label("诉求类型").select_option(label="投诉")
    page.get_by_label("诉求所在地").select_option(label="武汉市")
    page.get_by_label("标题").fill("小区门口夜间施工噪声扰民")
    page.get_by_label("诉求内容").fill(
        "我家住在武汉市江岸区某小区，门口道路每晚十一点后仍在施工，噪声很大，请相关部门尽快处理。"
    )
    page.get_by_role("button", name="提交诉求").click()
    assert page.get_by_text("诉求已提交").first.is_visible()
    number = re.search(r"/interaction/appeals/([\w-]+)/", page.url)
    assert number, page.url
    page.goto("/interaction/appeals/mine/")
    row = page.locator("main tbody tr").filter(has_text="小区门口夜间施工噪声扰民")
    assert row.get_by_role("link", name=number.group(1)).is_visible()


def test_bad_appeal_gets_a_chinese_error_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    login(page, "zhangsan")
    page.goto("/interaction/appeals/new/")
    page.get_by_label("标题").fill("噪声")
    page.get_by_role("button", name="提交诉求").click()
    assert page.get_by_role("alert").is_visible()
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert page.get_by_label("标题").input_value() == "噪声"  # what was typed is kept
    page.goto("/interaction/appeals/mine/")
    assert page.get_by_text("噪声").count() == 0  # and nothing was saved


def test_interaction_hub_in_elderly_mode_passes_axe(page):
    page.goto("/interact/")
    page.get_by_role("button", name="长者模式", exact=True).click()
    assert "elderly" in page.locator("body").get_attribute("class")
    axe_check(page)
    page.goto("/knowledge/ask/?q=社保卡丢了怎么补办")
    axe_check(page)
