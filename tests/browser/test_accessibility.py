"""axe-core finds no serious or critical accessibility violations on the main pages."""

from __future__ import annotations

import pytest

from tests.browser.support import axe_check, login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/register/", "/d/420100/"])
def test_public_page_passes_axe(page, path):
    response = page.goto(path)
    assert response.status == 200
    axe_check(page)


def test_registration_page_with_errors_passes_axe(page):
    page.goto("/accounts/register/")
    page.locator("#f-username").fill("axe_check")
    page.locator("#f-real_name").fill("王测试")
    page.locator("#f-id_number").fill("420102199003071231")
    page.locator("#f-phone").fill("13912345678")
    page.locator("#f-password").fill("Wuhan-Spring-88")
    page.get_by_role("button", name="注册", exact=True).click()
    assert page.locator("#f-id_number").get_attribute("aria-invalid") == "true"
    assert page.get_by_role("alert").is_visible()
    axe_check(page)


def test_login_page_with_error_passes_axe(page):
    login(page, "zhangsan", "wrong-password")
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()
    axe_check(page)


def test_home_in_elderly_mode_passes_axe(page):
    page.goto("/")
    page.get_by_role("button", name="长者模式", exact=True).click()
    assert "elderly" in page.locator("body").get_attribute("class")
    axe_check(page)


def test_home_in_english_passes_axe(page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page)


def test_signed_in_pages_pass_axe(page):
    login(page, "chuangkou")
    for path in ("/me/", "/workbench/", "/workbench/citizens/", "/accounts/mfa/setup/"):
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)
    page.goto("/workbench/citizens/")
    row = page.locator("main tbody tr").filter(has_text="张三")
    row.get_by_label("理由").fill("核验申请人身份")
    row.get_by_role("button", name="查看").click()
    assert page.get_by_text("本次查看已记入审计日志").is_visible()
    axe_check(page)


def test_error_page_passes_axe(page):
    response = page.goto("/d/999999/")
    assert response.status == 404
    axe_check(page)


def test_axe_check_fails_on_an_inaccessible_page(page):
    """The check itself can fail: a page without a language, alt text or button names."""
    page.set_content("<title>x</title><img src='/static/tongban/favicon.svg'><button></button>")
    with pytest.raises(AssertionError) as failure:
        axe_check(page)
    message = str(failure.value)
    assert "image-alt" in message
    assert "button-name" in message
