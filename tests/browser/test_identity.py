"""Identity flows that need a real browser: OIDC single sign-on for a department system and
a staff member enrolling an authenticator app (MFA)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django_otp.oath import TOTP
from jwcrypto import jwk, jwt

from tests.browser.support import DEMO_PASSWORD, db_access, login

pytestmark = pytest.mark.browser

CLIENT_ID = "demo-legacy"
CLIENT_SECRET = "demo-legacy-secret"
CALLBACK = "http://127.0.0.1:8765/callback"


def _authorize_url(state: str, verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return "/o/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "state": state,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
    )


def _callback_query(page, navigate: Callable[[], object], state: str) -> dict[str, list[str]]:
    """Run a navigation that should end at the department system's callback; return the
    query string the browser was sent there with.

    Nothing listens on the callback address, and Playwright does not route a request that
    a redirect made, so the browser's request fails; the URL it asked for is what counts.
    """
    from playwright.sync_api import Error as PlaywrightError

    with page.expect_request(lambda r: r.url.startswith(f"{CALLBACK}?"), timeout=5000) as sent:
        try:
            navigate()
        except PlaywrightError as exc:
            if "net::ERR_" not in str(exc):
                raise
    query = parse_qs(urlparse(sent.value.url).query)
    assert query["state"] == [state]
    return query


def _token_request(page, site: str, code: str, verifier: str) -> Any:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return page.request.post(
        f"{site}/o/token/",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        headers={"Authorization": f"Basic {basic}"},
    )


def _exchange(page, site: str, code: str, verifier: str) -> dict[str, Any]:
    """What the department system's back end does with the code: tokens, then userinfo."""
    response = _token_request(page, site, code, verifier)
    assert response.status == 200, response.text()
    tokens = response.json()
    keys = jwk.JWKSet.from_json(page.request.get(f"{site}/o/.well-known/jwks.json").text())
    id_token = jwt.JWT(jwt=tokens["id_token"], key=keys, expected_type="JWS")  # verifies
    userinfo = page.request.get(
        f"{site}/o/userinfo/", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status == 200, userinfo.text()
    return {"id_token": json.loads(id_token.claims), "userinfo": userinfo.json()}


def test_signed_in_user_gets_into_department_system_without_a_password(page, site):
    login(page, "zhangsan")
    verifier = secrets.token_urlsafe(48)
    # A trusted client: no consent screen and no password, straight back with a code.
    query = _callback_query(page, lambda: page.goto(_authorize_url("s1", verifier)), "s1")
    code = query["code"][0]

    result = _exchange(page, site, code, verifier)
    with db_access():
        from tongban.accounts.models import User

        subject = str(User.objects.get(username="zhangsan").pk)
    assert result["id_token"]["aud"] == CLIENT_ID
    assert result["id_token"]["sub"] == subject
    assert result["userinfo"] == {"sub": subject, "name": "张三", "preferred_username": "zhangsan"}

    # A code is good for one exchange only, and only with its PKCE verifier.
    assert _token_request(page, site, code, verifier).status == 400
    query = _callback_query(page, lambda: page.goto(_authorize_url("s1b", verifier)), "s1b")
    other = query["code"][0]
    assert other != code
    assert _token_request(page, site, other, secrets.token_urlsafe(48)).status == 400


def test_sign_in_form_sends_the_user_back_to_the_department_system(page, site):
    verifier = secrets.token_urlsafe(48)
    page.goto(_authorize_url("s2", verifier))
    assert urlparse(page.url).path == "/accounts/login/"  # the platform's own login page
    page.locator("#f-username").fill("lisi")
    page.locator("#f-password").fill(DEMO_PASSWORD)
    submit = page.locator("main form button[type=submit]")
    code = _callback_query(page, submit.click, "s2")["code"][0]
    assert _exchange(page, site, code, verifier)["userinfo"]["preferred_username"] == "lisi"


def test_oidc_refuses_an_unknown_redirect_uri(page):
    url = _authorize_url("s3", secrets.token_urlsafe(48)).replace("8765%2Fcallback", "9999%2Fsteal")
    login(page, "zhangsan")
    response = page.goto(url)
    assert response.status == 400
    assert urlparse(page.url).port != 9999


def _totp(secret: str, *, later: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def test_staff_member_enrols_an_authenticator_and_must_use_it(page):
    login(page, "jiancha")
    page.goto("/accounts/mfa/setup/")
    assert page.get_by_role("heading", level=1).inner_text() == "绑定动态口令（MFA）"
    qr = page.get_by_role("img", name="动态口令二维码（内容与下方密钥相同）")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("code.secret").inner_text()

    page.get_by_label("6位动态口令").fill("000000" if _totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="确认绑定").click()
    assert "动态口令错误" in page.get_by_role("alert").inner_text()
    page.get_by_label("6位动态口令").fill(_totp(secret))
    page.get_by_role("button", name="确认绑定").click()
    assert page.url.endswith("/workbench/")
    assert "动态口令绑定成功" in page.get_by_role("status").inner_text()

    # From now on the password alone is not enough.
    page.get_by_role("button", name="退出登录").click()
    login(page, "jiancha")
    assert page.url.endswith("/accounts/mfa/verify/")
    assert page.get_by_role("link", name="工作台").count() == 0
    page.get_by_label("6位动态口令").fill(_totp(secret, later=30))  # the code in use was spent
    page.get_by_role("button", name="验证").click()
    assert urlparse(page.url).path == "/me/"
    assert page.get_by_role("link", name="工作台").is_visible()


def test_five_failed_sign_ins_lock_the_username_for_a_while(page):
    for _attempt in range(4):
        login(page, "lisi", "Wrong-password-1")
        assert page.get_by_role("alert").inner_text().endswith("用户名或密码错误")
    login(page, "lisi", "Wrong-password-1")  # the fifth failure locks the username
    login(page, "lisi")  # now even the right password is refused
    assert urlparse(page.url).path == "/accounts/login/"
    alert = page.get_by_role("alert").inner_text()
    assert "连续登录失败次数过多，该账号已被临时锁定，请5分钟后再试" in alert
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # Other people sharing the same computer (and address) can still sign in.
    login(page, "zhangsan")
    assert urlparse(page.url).path == "/me/"
