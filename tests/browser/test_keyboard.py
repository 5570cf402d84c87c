"""Keyboard users: a skip link first, visible focus, and forms that need no mouse."""

from __future__ import annotations

import pytest

from tests.browser.support import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ACTIVE = "document.activeElement"


def _tab_to(page, element_id: str, limit: int = 40) -> int:
    """Press Tab until the element has focus; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"{ACTIVE}.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} never got the focus in {limit} Tab presses")


def test_first_tab_focuses_skip_link_which_moves_focus_to_main(page):
    page.goto("/")
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, "skip link visible before focus"

    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.textContent.trim()") == "跳到主要内容"
    assert page.evaluate(f"{ACTIVE}.matches(':focus-visible')")
    assert page.evaluate(f"getComputedStyle({ACTIVE}).outlineStyle") != "none"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "focused skip link off screen"

    page.keyboard.press("Enter")
    assert page.evaluate(f"{ACTIVE}.id") == "main"
    assert page.url.endswith("#main")
    # The next Tab continues inside main, past the header and the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.getElementById('main').contains({ACTIVE})")


def test_login_with_keyboard_only(page):
    page.goto("/accounts/login/")
    _tab_to(page, "f-username")
    page.keyboard.type("zhangsan")
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.id") == "f-password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.tagName") == "BUTTON"
    assert page.evaluate(f"{ACTIVE}.textContent.trim()") == "登录"
    assert page.evaluate(f"{ACTIVE}.matches(':focus-visible')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的空间"


def test_login_with_enter_in_password_field(page):
    page.goto("/accounts/login/")
    _tab_to(page, "f-username")
    page.keyboard.type("lisi")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")
    assert "李四" in page.locator("main").inner_text()


def test_registration_error_summary_takes_focus_and_links_to_the_field(page):
    page.goto("/accounts/register/")
    _tab_to(page, "f-username")
    for value in ("zhaoliu2026", "赵六", "420102199003071231", "13912345678", "Wuhan-Spring-88"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the focus is on 注册
    assert page.evaluate(f"{ACTIVE}.id") == "error-summary"
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.getAttribute('href')") == "#f-id_number"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{ACTIVE}.id") == "f-id_number"
