import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts.models import User
from tongban.core.models import AuditEntry
from tongban.demo.data import DEMO_PASSWORD


def token_request(client, username, password, **extra):
    """POST /api/v1/auth/token; HTTP_* keywords are request headers, others body fields."""
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    body = {k: v for k, v in extra.items() if not k.startswith("HTTP_")}
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **body},
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
def test_token_and_me_for_a_citizen(demo, client):
    response = token_request(client, "zhangsan", DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200
    data = me.json()
    assert data["username"] == "zhangsan" and data["kind"] == "citizen"
    assert data["citizen"]["id_number_masked"] == "4201**********1232"
    assert "420102199003071232" not in me.content.decode()


@pytest.mark.django_db
def test_me_for_staff_lists_roles(demo, api_token, client):
    me = client.get("/api/v1/me", **api_token("jiancha"))
    assert me.status_code == 200, me.content
    role = me.json()["roles"][0]
    assert role == {
        "role": "supervisor",
        "role_label": "电子监察员",
        "department_id": role["department_id"],
        "department": "政务服务和大数据管理局",
        "division_code": "420100",
        "division": "武汉市",
    }


@pytest.mark.django_db
def test_me_for_an_enterprise(demo, api_token, client):
    data = client.get("/api/v1/me", **api_token("hbcanyin")).json()
    assert data["enterprise"]["credit_code"] == "91420100MA4KXL7P09"
    assert data["enterprise"]["legal_representative"] == "张三"


@pytest.mark.django_db
def test_bad_credentials_and_missing_tokens(demo, client):
    wrong = token_request(client, "zhangsan", "not-the-password")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "code": "invalid_credentials",
        "message": "用户名或密码错误",
        "field": None,
    }
    assert client.get("/api/v1/me").status_code == 401
    bogus = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense")
    assert bogus.status_code == 401 and bogus.json()["code"] == "not_authenticated"
    assert AuditEntry.objects.filter(action="login.failed", object_id="zhangsan").exists()


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(demo, client):
    for _ in range(4):
        assert token_request(client, "lisi", "wrong-password").status_code == 401
    fifth = token_request(client, "lisi", "wrong-password")
    assert fifth.status_code == 429  # the failure that locks says so at once
    locked = token_request(client, "lisi", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked" and "5分钟" in locked.json()["message"]
    # Other users are unaffected.
    assert token_request(client, "zhangsan", DEMO_PASSWORD).status_code == 200
    # The web login refuses too.
    page = Client().post("/accounts/login/", {"username": "lisi", "password": DEMO_PASSWORD})
    assert page.status_code == 429 and "临时锁定" in page.content.decode()


@pytest.mark.django_db
def test_lock_lifts_after_the_cool_off(demo, client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(5):
        token_request(client, "lisi", "wrong-password")
    assert token_request(client, "lisi", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=6)
    )
    assert token_request(client, "lisi", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_oidc_tokens_cannot_act_on_the_platform_api(demo, client):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application, set_token_value

    token = AccessToken(
        user=User.objects.get(username="chuangkou"),
        application=Application.objects.get(client_id="demo-legacy"),
        expires=timezone.now() + timedelta(hours=1),
        scope="openid profile",
    )
    set_token_value(token, "sso-token-for-a-department-system")
    token.save()
    response = client.get(
        "/api/v1/citizens", HTTP_AUTHORIZATION="Bearer sso-token-for-a-department-system"
    )
    assert response.status_code == 401


def enrol(username: str) -> TOTPDevice:
    user = User.objects.get(username=username)
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.django_db
def test_staff_with_mfa_need_the_code_for_a_token(demo, client):
    device = enrol("scjg")
    missing = token_request(client, "scjg", DEMO_PASSWORD)
    assert missing.status_code == 401 and missing.json()["field"] == "otp"
    ok = token_request(client, "scjg", DEMO_PASSWORD, otp=current_code(device))
    assert ok.status_code == 200


@pytest.mark.django_db
def test_mfa_required_setting_blocks_staff_without_a_device(demo, client, settings):
    settings.TONGBAN_STAFF_MFA_REQUIRED = True
    response = token_request(client, "chuangkou", DEMO_PASSWORD)
    assert response.status_code == 403 and response.json()["code"] == "mfa_setup_required"
    # Citizens are not affected by the staff MFA rule.
    assert token_request(client, "zhangsan", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_web_login_of_staff_with_mfa_has_a_second_step(demo):
    device = enrol("huanbao")
    client = Client()
    first = client.post("/accounts/login/", {"username": "huanbao", "password": DEMO_PASSWORD})
    assert first.status_code == 302 and first["Location"] == "/accounts/mfa/verify/"
    assert client.get("/workbench/").status_code == 302  # not logged in yet
    wrong = client.post("/accounts/mfa/verify/", {"token": "000000"})
    assert wrong.status_code == 400 and "动态口令错误" in wrong.content.decode()
    # django-otp throttles a device after a wrong code; skip its back-off.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    right = client.post("/accounts/mfa/verify/", {"token": current_code(device)})
    assert right.status_code == 302
    assert client.get("/workbench/").status_code == 200


@pytest.mark.django_db
def test_enforced_mfa_sends_staff_to_enrolment_first(demo, settings):
    settings.TONGBAN_STAFF_MFA_REQUIRED = True
    client = Client()
    client.post("/accounts/login/", {"username": "paidan", "password": DEMO_PASSWORD})
    blocked = client.get("/workbench/")
    assert blocked.status_code == 302 and blocked["Location"] == "/accounts/mfa/setup/"
    setup = client.get("/accounts/mfa/setup/")
    assert setup.status_code == 200 and "data:image/svg+xml" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="paidan", confirmed=False)
    bad = client.post("/accounts/mfa/setup/", {"token": "123"})
    assert bad.status_code == 400
    assert client.post("/accounts/mfa/setup/", {"token": current_code(device)}).status_code == 302
    assert client.get("/workbench/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa.enrol").exists()


@pytest.mark.django_db
def test_public_endpoints_are_rate_limited(demo, client, settings):
    statuses = [
        client.post("/api/v1/citizens", {}, content_type="application/json").status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]
    limited = client.post("/api/v1/citizens", {}, content_type="application/json")
    assert limited.json()["code"] == "rate_limited" and "Retry-After" in limited


@pytest.mark.django_db
def test_unknown_api_paths_and_bad_json_use_the_error_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    broken = client.post("/api/v1/auth/token", "{oops", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["message"] == "请求体不是有效的 JSON"


@pytest.mark.django_db
def test_each_public_endpoint_has_its_own_counter(demo, client, settings):
    for _ in range(12):
        token_request(client, "nobody", "x")
    registration = client.post("/api/v1/citizens", {}, content_type="application/json")
    assert registration.status_code == 422  # not limited by the token requests


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_escape_the_limit(demo, client):
    statuses = [
        client.post(
            "/api/v1/citizens",
            {},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(12)
    ]
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_trusted_proxy_address_is_used_for_limits_and_audit(demo, client, settings):
    settings.TONGBAN_TRUSTED_PROXIES = 1
    for i in range(3):
        token_request(client, "nobody", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    entry = AuditEntry.objects.filter(action="login.failed").order_by("-seq").first()
    assert entry.ip == "198.51.100.2"
