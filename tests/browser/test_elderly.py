"""Elderly mode (适老化, 长者模式): larger type that stays on until it is switched off."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def _px(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize")[:-2])


def _elderly(page) -> bool:
    return "elderly" in (page.locator("body").get_attribute("class") or "").split()


def test_elderly_mode_persists_and_can_be_switched_off(page):
    page.goto("/")
    assert not _elderly(page)
    body, heading = _px(page, "body"), _px(page, "h1")

    page.get_by_role("button", name="长者模式", exact=True).click()
    assert urlparse(page.url).path == "/"  # back on the page it was switched on
    assert _elderly(page)
    assert _px(page, "body") >= body * 1.25
    assert _px(page, "h1") > heading
    button = page.get_by_role("button", name="关闭长者模式")
    assert button.is_visible()
    assert button.bounding_box()["height"] >= 44  # large touch target

    # Remembered on other pages, after a reload and in a new tab of the same browser.
    page.goto("/accounts/login/")
    assert _elderly(page)
    assert _px(page, "body") >= body * 1.25
    assert _px(page, "#f-username") >= body * 1.25
    page.reload()
    assert _elderly(page)
    other = page.context.new_page()
    other.goto("/accounts/register/")
    assert _elderly(other)
    other.close()

    page.get_by_role("button", name="关闭长者模式").click()
    assert page.url.endswith("/accounts/login/")
    assert not _elderly(page)
    assert _px(page, "body") == body
    page.goto("/")
    assert not _elderly(page)
    assert page.get_by_role("button", name="长者模式", exact=True).is_visible()


def test_elderly_mode_is_per_browser(new_page):
    first, second = new_page(), new_page()
    first.goto("/")
    first.get_by_role("button", name="长者模式", exact=True).click()
    assert _elderly(first)
    second.goto("/")
    assert not _elderly(second)
