"""The licence pages in Chromium: the wallet, the licence with its QR code and the public
verification page pass axe-core in normal and elderly mode; the consent form works by
keyboard alone."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.support import axe_check, db_access, login

pytestmark = pytest.mark.browser

ACTIVE = "document.activeElement"
BUSINESS_DATA = {
    "entity_name": "湖北楚味餐饮有限公司",
    "legal_representative": "张三",
    "registered_capital": "50",
    "business_scope": "餐饮服务；食品销售",
    "address": "武汉市江汉区解放大道 100 号",
}


@pytest.fixture
def licence(site) -> dict[str, Any]:
    """A business licence of 湖北楚味 issued by 武汉市市场监督管理局."""
    with db_access():
        from tongban.demo.licences_demo import load_licence_types
        from tongban.licences import selectors, services
        from tongban.licences.models import LicenceType
        from tongban.org.selectors import department_by_code

        load_licence_types(lambda _line: None)
        scjg = department_by_code(division_code="420100", code="scjg")
        assert scjg is not None
        issued = services.licence_issue(
            licence_type=LicenceType.objects.get(name="营业执照"),
            issuer_id=scjg.pk,
            holder_kind="legal",
            holder_code="91420100MA4KXL7P09",
            holder_name="湖北楚味餐饮有限公司",
            data=BUSINESS_DATA,
        )
        signed = json.dumps(selectors.signed_of(issued), ensure_ascii=False, indent=2)
        return {"id": issued.pk, "number": issued.number, "signed": signed}


def _tab_until(page: Any, test: str, limit: int = 80) -> None:
    """Press Tab until the JavaScript expression ``test`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})({ACTIVE})"):
            return
    raise AssertionError(f"{test} never had the focus in {limit} Tab presses")


def _wait_for_focus(page: Any, element_id: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while page.evaluate(f"{ACTIVE}.id") != element_id:
        if time.monotonic() > deadline:
            raise AssertionError(f"#{element_id} never had the focus")
        page.wait_for_timeout(100)


def _check_pages(page: Any, licence: dict[str, Any]) -> None:
    response = page.goto("/my/licences/")
    assert response.status == 200
    assert licence["number"] in page.locator("main table").inner_text()
    assert "有效" in page.locator("main table").inner_text()
    axe_check(page)

    response = page.goto(f"/my/licences/{licence['id']}/")
    assert response.status == 200
    qr = page.locator("svg[role=img]")
    assert qr.count() == 1 and qr.get_attribute("aria-label")
    assert "扫码查验真伪" in page.locator("figcaption").inner_text()
    axe_check(page)

    page.goto("/licences/verify/")
    axe_check(page)
    page.locator("#f-document").fill(licence["signed"])
    with page.expect_navigation():
        page.get_by_role("button", name="查验", exact=True).click()
    result = page.get_by_role("status").filter(has_text="查验结果")
    assert "有效" in result.inner_text() and licence["number"] in result.inner_text()
    axe_check(page)


def test_licence_pages_pass_axe_in_normal_and_elderly_mode(page, licence):
    login(page, "hbcanyin")
    _check_pages(page, licence)
    page.get_by_role("button", name="长者模式", exact=True).click()
    page.wait_for_load_state()
    assert "elderly" in page.locator("body").get_attribute("class")
    _check_pages(page, licence)


def test_verification_by_identifier_and_unknown(new_page, licence):
    page = new_page()
    page.goto(f"/my/licences/{licence['id']}/")  # not signed in: the login page
    assert "/accounts/login/" in page.url
    login(page, "hbcanyin")
    page.goto(f"/my/licences/{licence['id']}/")
    target = page.locator("figcaption a").get_attribute("href")
    other = new_page()  # anyone, not signed in, following the QR code
    response = other.goto(target)
    assert response.status == 200 and "有效" in other.get_by_role("status").inner_text()
    axe_check(other)
    response = other.goto("/licences/verify/1.2.156.3005.2.NOPE.000.1/")
    assert response.status == 404 and "未找到该证照" in other.locator("main").inner_text()


def test_consent_form_by_keyboard_only(page, licence):
    login(page, "hbcanyin")
    page.goto(f"/my/licences/{licence['id']}/")
    page.locator("#consents-title").scroll_into_view_if_needed()
    _tab_until(page, "el.id === 'f-department_id'", 200)
    page.keyboard.press("ArrowDown")  # the first department
    assert page.locator("#f-department_id").input_value() != ""
    page.keyboard.press("Tab")
    _wait_for_focus(page, "f-scope-summary")  # the checked radio button of the group
    page.keyboard.press("ArrowUp")  # to “full”
    assert page.locator("#f-scope-full").is_checked()
    page.keyboard.press("Tab")
    _wait_for_focus(page, "f-purpose")
    # Submitted without a purpose: the error summary takes the focus and links to the field.
    _tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === '授权'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _wait_for_focus(page, "error-summary")
    assert "请写明用途" in page.locator("#error-summary").inner_text()
    axe_check(page)
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.getAttribute('href')") == "#f-purpose"
    page.keyboard.press("Enter")
    _wait_for_focus(page, "f-purpose")
    page.keyboard.type("办理消防安全检查")
    _tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === '授权'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已授权" in page.locator(".messages").inner_text()
    row = page.locator("main table").filter(has_text="办理消防安全检查")
    assert "生效中" in row.inner_text()

    # Revoked by keyboard too.
    _tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === '撤销'", 200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已撤销该用证授权" in page.locator(".messages").inner_text()
