"""Staff workbench: masked personal data, an audited reveal with a reason, no citizens."""

from __future__ import annotations

import pytest

from tests.browser.support import (
    MASKED_ID,
    ZHANGSAN_ID,
    ZHANGSAN_MASKED_ID,
    db_access,
    login,
)

pytestmark = pytest.mark.browser


def _open_directory(page) -> None:
    login(page, "chuangkou")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作台").click()
    assert page.url.endswith("/workbench/")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    assert page.get_by_role("cell", name="窗口受理员").count() == 1
    page.get_by_role("link", name="自然人名录").click()
    assert page.url.endswith("/workbench/citizens/")


def test_window_clerk_sees_masked_ids_and_reveals_one_with_a_reason(page):
    _open_directory(page)
    ids = page.locator("main tbody tr td:nth-child(2)").all_inner_texts()
    assert ZHANGSAN_MASKED_ID in ids
    assert len(ids) >= 2
    assert all(MASKED_ID.match(value) for value in ids), ids
    assert ZHANGSAN_ID not in page.content()

    row = page.locator("main tbody tr").filter(has_text="张三")
    row.get_by_label("理由").fill("办理营业执照，核验申请人身份")
    row.get_by_role("button", name="查看 张三").click()

    assert "/reveal" in page.url or page.url.endswith("/")
    assert page.get_by_role("heading", level=1).inner_text() == "张三"
    assert page.locator("dd", has_text=ZHANGSAN_ID).count() == 1
    assert page.locator("dd", has_text="13800001234").count() == 1
    assert "本次查看已记入审计日志" in page.get_by_role("status").inner_text()

    with db_access():
        from tongban.accounts.models import User
        from tongban.core.models import AuditEntry

        clerk = User.objects.get(username="chuangkou")
        zhangsan = User.objects.get(username="zhangsan")
        entry = AuditEntry.objects.filter(action="pii.reveal").latest("seq")
    assert entry.actor_id == clerk.pk
    assert entry.object_id == str(zhangsan.pk)
    assert entry.detail["reason"] == "办理营业执照，核验申请人身份"

    page.get_by_role("link", name="返回自然人名录").click()
    assert page.url.endswith("/workbench/citizens/")
    assert ZHANGSAN_ID not in page.content()


def test_reveal_without_a_reason_is_refused(page):
    _open_directory(page)
    row = page.locator("main tbody tr").filter(has_text="张三")
    reason = row.get_by_label("理由")
    # The browser itself asks for at least four characters ...
    reason.fill("看看")
    row.get_by_role("button", name="查看").click()
    assert page.url.endswith("/workbench/citizens/")
    assert reason.evaluate("e => e.validity.tooShort")
    # ... and so does the server when the browser does not check.
    row.locator("form").evaluate("f => { f.noValidate = true; }")
    row.get_by_role("button", name="查看").click()
    assert page.get_by_role("alert").inner_text() == "请说明查看完整信息的理由（至少4个字）"
    assert ZHANGSAN_ID not in page.content()
    with db_access():
        from tongban.core.models import AuditEntry

        assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_citizen_gets_a_403_page_on_the_workbench(page):
    login(page, "zhangsan")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="工作台").count() == 0
    for path in ("/workbench/", "/workbench/citizens/"):
        response = page.goto(path)
        assert response.status == 403, path
        assert page.get_by_role("heading", level=1).inner_text() == "无法完成您的请求"
        assert "工作台仅供政务工作人员使用" in page.locator("main").inner_text()
        assert page.get_by_role("link", name="返回首页").is_visible()


def test_workbench_asks_anonymous_visitors_to_sign_in_and_returns(page):
    page.goto("/workbench/citizens/")
    assert "/accounts/login/" in page.url
    page.locator("#f-username").fill("chuangkou")
    page.locator("#f-password").fill("Tongban-demo-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workbench/citizens/")
    assert page.get_by_role("heading", level=1).inner_text() == "自然人名录"


def test_supervisor_sees_directory_but_cannot_reveal(page):
    login(page, "jiancha")
    page.goto("/workbench/citizens/")
    assert ZHANGSAN_MASKED_ID in page.locator("main tbody").inner_text()
    assert page.get_by_label("理由").count() == 0
    assert page.get_by_role("button", name="查看").count() == 0
