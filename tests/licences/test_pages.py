"""The licence pages: the holder's wallet, downloads and consents, the public verification
pages, and the issuing department's list and status changes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.licences.conftest import ZHANGSAN, department_id
from tongban.core.models import AuditEntry
from tongban.licences import selectors, services
from tongban.licences.models import Consent, LicenceStatus

pytestmark = pytest.mark.django_db

MARRIAGE = {"name": "张三", "partner_name": "李四", "registration": "内地居民结婚登记"}


def _html(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------- wallet


def test_wallet_lists_only_the_holders_licences(issue, login_as):
    mine = issue()
    other = issue("结婚证", issuer="mzj", holder=ZHANGSAN, data=MARRIAGE)
    client = login_as("hbcanyin")
    page = _html(client.get("/my/licences/"))
    assert "营业执照" in page and mine.number in page
    assert f"/my/licences/{mine.pk}/" in page
    assert f"/my/licences/{other.pk}/" not in page and "结婚证" not in page
    assert "有效" in page
    assert client.get(f"/my/licences/{other.pk}/").status_code == 404
    assert client.get(f"/my/licences/{other.pk}/pdf/").status_code == 404
    assert client.get(f"/my/licences/{other.pk}/signed.json").status_code == 404


def test_wallet_empty_state_and_login_required(licence_types, login_as, client):
    assert client.get("/my/licences/").status_code == 302
    page = _html(login_as("zhangsan").get("/my/licences/"))
    assert "您还没有电子证照" in page


def test_licence_page_shows_the_certificate_and_qr(issue, login_as):
    licence = issue()
    page = _html(login_as("hbcanyin").get(f"/my/licences/{licence.pk}/"))
    assert licence.identifier in page
    assert "湖北楚味餐饮有限公司" in page and "餐饮服务；食品销售" in page
    assert "武汉市市场监督管理局" in page
    assert 'role="img"' in page and "扫码查验真伪" in page
    assert f"http://testserver/licences/verify/{licence.identifier}/" in page
    assert "下载 PDF" in page and "下载签名文件" in page


def test_pdf_and_signed_json_downloads(issue, login_as):
    licence = issue()
    client = login_as("hbcanyin")
    pdf = client.get(f"/my/licences/{licence.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert licence.number in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")
    signed = client.get(f"/my/licences/{licence.pk}/signed.json")
    assert signed.status_code == 200 and signed["Content-Type"] == "application/json"
    assert signed["Content-Disposition"] == f'attachment; filename="licence-{licence.number}.json"'
    result = services.licence_verify(json.loads(signed.content))
    assert result.valid and result.status == "valid"


# ---------------------------------------------------------------------------- consents


def test_consent_grant_and_revoke_through_the_page(issue, login_as):
    licence = issue()
    client = login_as("hbcanyin")
    xfzd = department_id("xfzd")
    until = timezone.localdate() + timedelta(days=30)
    response = client.post(
        f"/my/licences/{licence.pk}/consents/",
        {
            "department_id": str(xfzd),
            "scope": "summary",
            "purpose": "消防安全检查核验主体资格",
            "expires_on": until.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    consent = Consent.objects.get(licence=licence)
    assert consent.department_id == xfzd and consent.scope == "summary"
    page = _html(response)
    assert "已授权" in page and "消防安全检查核验主体资格" in page and "生效中" in page

    revoked = client.post(f"/my/licences/consents/{consent.pk}/revoke/", follow=True)
    assert revoked.status_code == 200 and "已撤销该用证授权" in _html(revoked)
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    # Someone else cannot revoke (or see) it.
    other = login_as("zhangsan").post(f"/my/licences/consents/{consent.pk}/revoke/")
    assert other.status_code == 404


def test_consent_form_shows_the_error_and_creates_nothing(issue, login_as):
    licence = issue()
    client = login_as("hbcanyin")
    base = {"department_id": str(department_id("xfzd")), "scope": "full", "purpose": "办理业务"}
    past = client.post(
        f"/my/licences/{licence.pk}/consents/",
        {**base, "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 422
    page = _html(past)
    assert "授权截止日期应在今天之后、一年之内" in page
    assert 'id="error-summary"' in page and 'href="#f-expires_on"' in page
    assert 'aria-invalid="true"' in page and "办理业务" in page  # the input is kept
    garbled = client.post(f"/my/licences/{licence.pk}/consents/", {**base, "expires_on": "明天"})
    assert garbled.status_code == 422 and "日期格式应为" in _html(garbled)
    no_department = client.post(
        f"/my/licences/{licence.pk}/consents/",
        {**base, "department_id": "", "expires_on": "2099-01-01"},
    )
    assert no_department.status_code == 422 and "请选择被授权部门" in _html(no_department)
    assert not Consent.objects.exists()


# ---------------------------------------------------------------------------- verification


def _verify(client, document) -> tuple[int, str]:
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    response = client.post("/licences/verify/", {"document": text})
    return response.status_code, _html(response)


def test_verify_page_valid_document(issue, client):
    licence = issue()
    assert client.get("/licences/verify/").status_code == 200
    status, page = _verify(client, selectors.signed_of(licence))
    assert status == 200
    assert "查验结果" in page and ">有效<" in page
    assert licence.number in page and "营业执照" in page and "武汉市市场监督管理局" in page
    assert "湖北楚味餐饮有限公司" in page


def test_verify_page_masks_a_persons_name(issue, client):
    licence = issue("结婚证", issuer="mzj", holder=ZHANGSAN, data=MARRIAGE)
    status, page = _verify(client, selectors.signed_of(licence))
    assert status == 200 and ">有效<" in page
    result = page.split('id="result-title"')[1]  # the form above echoes the pasted text
    assert "张*" in result and "张三" not in result and ZHANGSAN[0] not in result


def test_verify_page_tampered_document_is_invalid(issue, client):
    licence = issue()
    text = json.dumps(selectors.signed_of(licence), ensure_ascii=False)
    tampered = text.replace("餐饮服务；食品销售", "餐饮服务；食品批发")
    assert tampered != text
    status, page = _verify(client, tampered)
    assert status == 200 and ">无效<" in page and "篡改" in page
    # No details of a document that is not genuine.
    assert licence.number not in page.split('id="result-title"')[1]


def test_verify_page_revoked_and_expired(issue, client):
    revoked = issue()
    services.licence_status_change(
        actor=_user("scjg"), licence_id=revoked.pk, action="revoke", reason="依法吊销营业执照"
    )
    status, page = _verify(client, selectors.signed_of(revoked))
    assert status == 200 and "已吊销" in page and "依法吊销营业执照" in page

    old = issue(
        "食品经营许可证",
        data={
            "entity_name": "湖北楚味餐饮有限公司",
            "legal_representative": "张三",
            "address": "武汉市江汉区解放大道 100 号",
            "business_items": "热食类食品制售",
        },
        issue_date=date(2019, 3, 1),
        valid_until=date(2024, 2, 29),
    )
    status, page = _verify(client, selectors.signed_of(old))
    assert status == 200 and "已过期" in page and "2024-02-29" in page


def test_verify_page_form_errors(licence_types, client):
    empty = client.post("/licences/verify/", {"document": "  "})
    assert empty.status_code == 422 and "请粘贴签名证照文件的内容" in _html(empty)
    broken = client.post("/licences/verify/", {"document": "{not json"})
    assert broken.status_code == 422 and "不是有效的 JSON" in _html(broken)
    not_a_licence = client.post("/licences/verify/", {"document": '{"a": 1}'})
    assert not_a_licence.status_code == 200 and ">无效<" in _html(not_a_licence)


def test_verify_page_accepts_an_uploaded_file(issue, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    licence = issue()
    body = json.dumps(selectors.signed_of(licence), ensure_ascii=False).encode()
    upload = SimpleUploadedFile("licence.json", body, content_type="application/json")
    response = client.post("/licences/verify/", {"file": upload, "document": ""})
    assert response.status_code == 200 and ">有效<" in _html(response)


def test_verify_page_is_rate_limited(licence_types, client, settings):
    settings.TONGBAN_RATE_STATUS = "2/m"
    codes = [client.post("/licences/verify/", {"document": "{}"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_verify_by_identifier(issue, client):
    licence = issue()
    response = client.get(f"/licences/verify/{licence.identifier}/")
    assert response.status_code == 200
    page = _html(response)
    assert ">有效<" in page and licence.number in page and "武汉市市场监督管理局" in page
    unknown = client.get("/licences/verify/1.2.156.3005.2.NOPE.000.1/")
    assert unknown.status_code == 404 and "未找到该证照" in _html(unknown)
    malformed = client.get("/licences/verify/%3Cscript%3E/")
    assert malformed.status_code == 404 and "未找到该证照" in _html(malformed)


# ---------------------------------------------------------------------------- issuing department


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_issuer_list_search_and_revoke(issue, login_as):
    licence = issue()
    issue("结婚证", issuer="mzj", holder=ZHANGSAN, data=MARRIAGE)
    client = login_as("scjg")
    page = _html(client.get("/workbench/licences/"))
    assert licence.number in page and "结婚证" not in page
    found = _html(client.get("/workbench/licences/", {"q": licence.identifier}))
    assert licence.number in found
    none = _html(client.get("/workbench/licences/", {"q": "no-such-licence"}))
    assert "没有符合条件的证照" in none

    detail = _html(client.get(f"/workbench/licences/{licence.pk}/"))
    assert "变更证照状态" in detail and 'value="revoke"' in detail
    assert 'value="reinstate"' not in detail  # not allowed from 有效
    response = client.post(
        f"/workbench/licences/{licence.pk}/status/",
        {"action": "revoke", "reason": "依法吊销营业执照"},
        follow=True,
    )
    assert response.status_code == 200 and "已吊销证照" in _html(response)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    assert "依法吊销营业执照" in _html(response)


def test_status_change_needs_a_reason(issue, login_as):
    licence = issue()
    response = login_as("scjg-head").post(
        f"/workbench/licences/{licence.pk}/status/", {"action": "suspend", "reason": ""}
    )
    assert response.status_code == 422
    page = _html(response)
    assert "请写明理由" in page and 'id="error-summary"' in page
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID


def test_another_department_gets_403_and_an_audit_entry(issue, login_as):
    licence = issue()
    client = login_as("xiaofang")
    assert client.get(f"/workbench/licences/{licence.pk}/").status_code == 404
    before = AuditEntry.objects.filter(action="permission.denied").count()
    response = client.post(
        f"/workbench/licences/{licence.pk}/status/",
        {"action": "revoke", "reason": "越权吊销尝试"},
    )
    assert response.status_code == 403
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    denied = AuditEntry.objects.filter(action="permission.denied").order_by("-seq")
    assert denied.count() == before + 1
    assert denied.first().actor_label == "xiaofang"


def test_workbench_licences_is_for_staff_only(licence_types, login_as):
    assert login_as("hbcanyin").get("/workbench/licences/").status_code == 403
    assert login_as("chuangkou").get("/workbench/licences/").status_code == 200
