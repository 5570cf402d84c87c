"""Every main task works with JavaScript switched off (digital divide, 适老化)."""

from __future__ import annotations

import pytest

from tests.browser.support import ZHANGSAN_MASKED_ID, login, resident_id

pytestmark = pytest.mark.browser


@pytest.fixture
def nojs(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    # Inline scripts would run if JavaScript were on; the page must not depend on them.
    page.set_content("<p id='probe'>off</p><script>document.write('on')</script>")
    assert page.locator("body").inner_text().strip() == "off"
    return page


def test_login_reaches_my_space(nojs):
    login(nojs, "zhangsan")
    assert nojs.url.endswith("/me/")
    assert nojs.get_by_role("heading", level=1).inner_text() == "我的空间"
    assert nojs.locator("dd", has_text=ZHANGSAN_MASKED_ID).count() == 1
    assert "420102199003071232" not in nojs.content()
    nav = nojs.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="我的", exact=True).get_attribute("aria-current") == "page"

    nav.get_by_role("button", name="退出登录").click()
    assert nav.get_by_role("link", name="登录").is_visible()
    response = nojs.goto("/me/")
    assert "/accounts/login/" in nojs.url, response.url


def test_wrong_password_is_explained(nojs):
    login(nojs, "zhangsan", "Not-the-password-1")
    assert nojs.url.endswith("/accounts/login/")
    assert "用户名或密码错误" in nojs.get_by_role("alert").inner_text()
    assert nojs.locator("#f-username").input_value() == "zhangsan"
    assert nojs.locator("#f-password").input_value() == ""


def _fill_registration(page, *, id_number: str) -> None:
    page.locator("#f-username").fill("wangwu2026")
    page.locator("#f-real_name").fill("王五")
    page.locator("#f-id_number").fill(id_number)
    page.locator("#f-phone").fill("13912345678")
    page.locator("#f-password").fill("Wuhan-Spring-88")
    page.get_by_role("button", name="注册", exact=True).click()


def test_registration_shows_field_error_then_succeeds(nojs):
    nojs.goto("/accounts/register/")
    _fill_registration(nojs, id_number="420102199003071231")

    assert nojs.url.endswith("/accounts/register/")
    field = nojs.locator("#f-id_number")
    error = nojs.locator("#f-id_number + p.error-text")  # right after the input
    assert "身份证号码校验位错误" in error.inner_text()
    assert error.get_attribute("id") == "f-id_number-error"
    assert field.get_attribute("aria-invalid") == "true"
    assert "f-id_number-error" in field.get_attribute("aria-describedby").split()
    summary_link = nojs.get_by_role("alert").get_by_role("link")
    assert summary_link.get_attribute("href") == "#f-id_number"
    assert "身份证号码校验位错误" in summary_link.inner_text()
    # What was typed is kept, except the password.
    assert nojs.locator("#f-username").input_value() == "wangwu2026"
    assert field.input_value() == "420102199003071231"
    assert nojs.locator("#f-password").input_value() == ""

    valid = resident_id("42010219850615123")
    _fill_registration(nojs, id_number=valid)

    assert nojs.url.endswith("/me/")
    assert "注册成功" in nojs.get_by_role("status").inner_text()
    masked = valid[:4] + "*" * 10 + valid[-4:]
    assert nojs.locator("dd", has_text=masked).count() == 1
    assert nojs.locator("dd", has_text="王五").count() == 1
    assert valid not in nojs.content()


def test_preferences_work_without_javascript(nojs):
    nojs.goto("/accounts/login/")
    nojs.get_by_role("button", name="长者模式", exact=True).click()
    assert nojs.url.endswith("/accounts/login/")
    assert "elderly" in nojs.locator("body").get_attribute("class")
    nojs.get_by_role("button", name="English").click()
    assert nojs.url.endswith("/accounts/login/")
    assert nojs.locator("html").get_attribute("lang") == "en"
    assert "elderly" in nojs.locator("body").get_attribute("class")
