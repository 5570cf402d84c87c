"""Chinese first whatever the browser asks for; English on request, and back."""

from __future__ import annotations

import pytest

from tests.browser.support import login

pytestmark = pytest.mark.browser


def _lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def _nav_links(page, name: str) -> list[str]:
    nav = page.get_by_role("navigation", name=name)
    return [text.strip() for text in nav.get_by_role("link").all_inner_texts()]


def test_chinese_by_default_then_english_then_chinese(new_page):
    page = new_page(locale="en-US")
    response = page.goto("/accounts/login/")
    assert response.request.header_value("accept-language").startswith("en-US")
    assert _lang(page) == "zh-Hans"
    assert response.header_value("content-language") == "zh-hans"
    anonymous = ["首页", "办事服务", "办件查询", "政务公开", "互动交流", "登录", "注册", "开放接口"]
    assert _nav_links(page, "主导航") == anonymous
    assert page.get_by_role("heading", level=1).inner_text() == "统一身份认证登录"

    page.get_by_role("button", name="English").click()
    assert page.url.endswith("/accounts/login/")  # the switch keeps the page
    assert _lang(page) == "en"
    english = [
        "Home",
        "Services",
        "Track an application",
        "Government information",
        "Have your say",
        "Sign in",
        "Register",
        "Open API",
    ]
    assert _nav_links(page, "Main navigation") == english
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in with your unified account"
    assert page.get_by_label("Username").is_visible()
    assert page.get_by_label("Password").is_visible()
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.title() == "Sign in · Hubei Government Services"

    # English sticks on the next pages, also once signed in.
    page.goto("/")
    assert _lang(page) == "en"
    assert page.get_by_role("heading", name="Services and interaction").is_visible()
    login(page, "zhangsan")
    assert page.url.endswith("/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "My space"
    assert page.locator("dt", has_text="ID card number").count() == 1
    assert _nav_links(page, "Main navigation") == [
        "Home",
        "Services",
        "Track an application",
        "Government information",
        "Have your say",
        "My applications",
        "My licences",
        "My account",
        "My messages",
        "Open API",
    ]

    page.get_by_role("button", name="中文").click()
    assert page.url.endswith("/me/")
    assert _lang(page) == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == "我的空间"
    assert _nav_links(page, "主导航") == [
        "首页",
        "办事服务",
        "办件查询",
        "政务公开",
        "互动交流",
        "我的办件",
        "我的证照",
        "我的",
        "我的消息",
        "开放接口",
    ]


def test_language_buttons_are_marked_with_their_own_language(page):
    page.goto("/")
    english = page.get_by_role("button", name="English")
    assert english.get_attribute("lang") == "en"
    english.click()
    assert page.get_by_role("button", name="中文").get_attribute("lang") == "zh-Hans"


def test_staff_workbench_in_english(page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    login(page, "chuangkou")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Workbench"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Workbench"
    assert page.get_by_role("cell", name="Window clerk").count() == 1
    page.get_by_role("link", name="Citizen directory").click()
    headers = page.locator("main thead th").all_inner_texts()
    assert headers == ["Name", "ID card number", "Mobile number", "Full details"]
