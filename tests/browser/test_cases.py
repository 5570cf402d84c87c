"""The application pages in Chromium: axe-core, keyboard only, and JavaScript switched off.

Two tests on purpose (each loads the whole demo): one applies by keyboard with JavaScript on
and runs axe-core on the form (also with errors, in elderly mode) and the case page; the
other applies, uploads and submits with JavaScript off.

With ``TONGBAN_SCREENSHOTS=1`` the first test also saves the pictures of
docs/guides/applications.md (docs/guides/img/applications-*.png).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_check, db_access, login
from tests.cases.conftest import PDF, RESTAURANT_FORM

pytestmark = pytest.mark.browser

APPLY = "/services/events/kaiban-canyindian/apply/"
ACTIVE = "document.activeElement"
IMG = Path(__file__).resolve().parents[2] / "docs" / "guides" / "img"
SCREENSHOTS = os.environ.get("TONGBAN_SCREENSHOTS", "") == "1"


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(IMG / name))


def _tab_until(page: Any, test: str, limit: int = 60) -> None:
    """Press Tab until the JavaScript expression ``test`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})({ACTIVE})"):
            return
    raise AssertionError(f"{test} never had the focus in {limit} Tab presses")


def _wait_for_focus(page: Any, element_id: str, seconds: float = 5.0) -> None:
    """Under load the focus moves a moment after the key press. Polls from Python: the
    page's CSP forbids the string evaluation ``page.wait_for_function`` would need."""
    deadline = time.monotonic() + seconds
    while page.evaluate(f"{ACTIVE}.id") != element_id:
        if time.monotonic() > deadline:
            raise AssertionError(f"#{element_id} never had the focus")
        page.wait_for_timeout(100)


def _case_id(page: Any) -> int:
    found = re.search(r"/my/cases/(\d+)/", page.url)
    assert found, page.url
    return int(found.group(1))


def _provide_other_materials(case_id: int) -> None:
    """The page's upload form is exercised once; the other materials go in directly."""
    with db_access():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tongban.cases import services
        from tongban.cases.models import Case, CaseMaterial

        case = Case.objects.get(pk=case_id)
        present = set(CaseMaterial.objects.filter(case=case).values_list("name", flat=True))
        for name, required in services.required_material_names(case):
            if required and name not in present:
                upload = SimpleUploadedFile("m.pdf", PDF + name.encode())
                services.case_material_add(
                    user=case.applicant, case_id=case.pk, name=name, upload=upload
                )


def _upload_first(page: Any) -> None:
    page.locator("#file-1").set_input_files(
        files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )


def test_apply_by_keyboard_and_pages_pass_axe(page):
    if SCREENSHOTS:
        page.set_viewport_size({"width": 1200, "height": 800})
    login(page, "hbcanyin")
    page.goto(APPLY)
    assert page.get_by_role("heading", level=1).inner_text() == "开办餐饮店一件事"
    assert page.locator("#f-credit_code").input_value() == RESTAURANT_FORM["credit_code"]
    axe_check(page)

    # Keyboard only: the prefilled fields are passed over, the others typed in.
    _tab_until(page, "el.id === 'f-legal_representative'")
    typed = {
        "f-legal_representative": "张三",
        "f-phone": RESTAURANT_FORM["phone"],
        "f-address": RESTAURANT_FORM["address"],
        "f-registered_capital": "五十万",  # not a number: explained next to the field
        "f-business_scope": "餐饮服务",
        "f-business_area": "120",
        "f-seats": "",
        "f-pollutants": "油烟",
    }
    for element_id, text in typed.items():
        _wait_for_focus(page, element_id)
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.textContent.trim()") == "保存并继续"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.evaluate(f"{ACTIVE}.id") == "error-summary"
    field = page.locator("#f-registered_capital")
    assert field.get_attribute("aria-invalid") == "true"
    assert "注册资本（万元）应为数字" in page.locator("#f-registered_capital-error").inner_text()
    assert "f-registered_capital-error" in field.get_attribute("aria-describedby")
    assert page.locator("#f-pollutants").input_value() == "油烟"  # typed values are kept
    axe_check(page)
    _shot(page, "applications-form-error.png")

    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.getAttribute('href')") == "#f-registered_capital"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{ACTIVE}.id") == "f-registered_capital"
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("50")
    _tab_until(page, "el.textContent.trim() === '保存并继续'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    case_id = _case_id(page)
    assert "已保存申请" in page.get_by_role("status").inner_text()

    # The case page in elderly mode: still no serious violations.
    page.get_by_role("button", name="长者模式", exact=True).click()
    assert "elderly" in page.locator("body").get_attribute("class")
    axe_check(page)

    _upload_first(page)
    page.locator("#material-1 form button.primary").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已上传材料" in page.get_by_role("status").inner_text()
    _provide_other_materials(case_id)
    page.reload()
    page.locator("#submit-title").scroll_into_view_if_needed()
    _tab_until(page, "el.textContent.trim() === '提交申请' && el.tagName === 'BUTTON'", 120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "申请已提交" in page.get_by_role("status").inner_text()
    assert "已申报" in page.locator("main").inner_text()
    timeline = page.get_by_role("region", name="办理过程").get_by_role("listitem")
    steps = timeline.all_inner_texts()
    assert any("创建申请" in step for step in steps)
    assert any("提交申请" in step for step in steps)
    # This site runs without the exchange: the identity could not be fetched automatically,
    # which the timeline says instead of asking the applicant for it.
    assert any("自动获取" in step for step in steps)
    axe_check(page)
    if SCREENSHOTS:
        page.get_by_role("button", name="关闭长者模式").click()
        _shot(page, "applications-case.png")


def test_apply_and_submit_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    login(page, "hbcanyin")
    page.goto("/my/cases/")
    assert (
        page.get_by_role("navigation", name="主导航")
        .get_by_role("link", name="我的办件")
        .get_attribute("aria-current")
        == "page"
    )
    page.goto("/services/events/kaiban-canyindian/")
    page.get_by_role("link", name="在线办理").click()
    assert page.url.endswith(APPLY)
    for key, value in RESTAURANT_FORM.items():
        if key != "business_scope":
            page.locator(f"#f-{key}").fill(str(value))
    page.get_by_role("button", name="保存并继续").click()
    assert "请填写经营范围" in page.get_by_role("alert").inner_text()
    assert page.locator("#f-business_scope").get_attribute("aria-invalid") == "true"
    page.locator("#f-business_scope").fill("餐饮服务")
    page.get_by_role("button", name="保存并继续").click()
    case_id = _case_id(page)

    page.get_by_role("button", name="提交申请").click()
    assert "还缺少必要材料" in page.get_by_role("alert").inner_text()
    _upload_first(page)
    page.locator("#material-1 form button.primary").click()
    assert "已上传材料" in page.get_by_role("status").inner_text()
    assert "申请书.pdf" in page.locator("#material-1").inner_text()
    _provide_other_materials(case_id)
    page.goto(f"/my/cases/{case_id}/")
    page.get_by_role("button", name="提交申请").click()
    assert "已申报" in page.locator("main").inner_text()

    page.get_by_role("link", name="撤回申请").click()
    page.get_by_label("撤回原因（选填）").fill("信息填错，重新申请")
    page.get_by_role("button", name="确认撤回").click()
    assert "已撤回申请" in page.get_by_role("status").inner_text()
    assert "信息填错，重新申请" in page.locator("main").inner_text()
