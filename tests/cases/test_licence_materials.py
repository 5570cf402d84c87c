"""Licences the applicant holds are not handed over again: the case page lets the applicant
authorise the handling department, and at submission the platform takes the licence from the
licence library through the gateway, on that department's behalf."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from tests.cases.conftest import provide_materials
from tongban.accounts.selectors import user_by_username
from tongban.cases import selectors as case_selectors
from tongban.demo.exchange_demo import load_licence_resource
from tongban.demo.licences_demo import load_licence_types
from tongban.exchange import selectors as exchange_selectors
from tongban.exchange import services as exchange
from tongban.licences import selectors as licence_selectors
from tongban.licences import services as licence_services
from tongban.org.selectors import department_by_code

SERVICE = "0101002000"  # 食品经营许可（餐饮服务）: needs the 营业执照 (source: licence)
HBCANYIN = ("91420100MA4KXL7P09", "湖北楚味餐饮有限公司")
FORM = {
    "entity_name": HBCANYIN[1],
    "credit_code": HBCANYIN[0],
    "legal_representative": "张三",
    "phone": "13800001234",
    "address": "武汉市江汉区解放大道 100 号",
    "business_area": 120,
    "business_items": "热食类食品制售",
}
BUSINESS_DATA = {
    "entity_name": HBCANYIN[1],
    "legal_representative": "张三",
    "registered_capital": "50",
    "business_scope": "餐饮服务",
    "address": "武汉市江汉区解放大道 100 号",
}


def _department(code: str, division: str = "420100") -> int:
    found = department_by_code(division_code=division, code=code)
    assert found is not None
    return found.pk


@pytest.fixture
def library(demo) -> None:
    """Licence types, the platform's client and the licence resource (no legacy systems)."""
    load_licence_types(lambda _line: None)
    zsj = _department("zsj")
    exchange.exchange_client_upsert(
        client_id=settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT,
        client_secret="platform-secret-2026",
        name="一网通办平台",
        department_id=zsj,
    )
    load_licence_resource(zsj)


@pytest.fixture
def business_licence(library) -> Any:
    """A 营业执照 of 湖北楚味, registered in 孝感 (so 武汉's 市场监管 needs the consent)."""
    licence_type = next(t for t in licence_selectors.licence_types() if t.name == "营业执照")
    return licence_services.licence_issue(
        licence_type=licence_type,
        issuer_id=_department("scjg", "420900"),
        holder_kind="legal",
        holder_code=HBCANYIN[0],
        holder_name=HBCANYIN[1],
        data=BUSINESS_DATA,
    )


def _draft(api) -> dict[str, Any]:
    applicant = api("hbcanyin")
    response = applicant.post(
        "/applications", {"service": SERVICE, "division": "420100", "form": FORM}
    )
    assert response.status_code == 201, response.content.decode()
    case = response.json()
    assert "营业执照" not in {m["name"] for m in case["required_materials"]}
    provide_materials(applicant, case)
    return case


def _submit(api, case: dict[str, Any]) -> dict[str, Any]:
    response = api("hbcanyin").post(f"/applications/{case['id']}/submit")
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _consent(licence: Any, department_id: int) -> None:
    licence_services.consent_grant(
        user=user_by_username("hbcanyin"),
        licence_id=licence.pk,
        department_id=department_id,
        scope="full",
        purpose="办件申请材料",
        expires_on=timezone.localdate() + timedelta(days=90),
    )


def test_the_handling_department_of_a_single_item_case(api, library):
    case = case_selectors.case_get(_draft(api)["id"])
    assert case_selectors.case_handling_department_id(case) == _department("scjg")


def test_with_consent_the_licence_comes_from_the_library(api, business_licence):
    scjg = _department("scjg")
    _consent(business_licence, scjg)
    case = _submit(api, _draft(api))
    assert case["status"] == "submitted"
    fetched = {f["name"]: f for f in case["fetched_materials"]}
    licence = fetched["营业执照"]
    assert licence["ok"] is True, licence
    assert licence["source"] == "电子证照库·营业执照"
    assert licence["data"]["identifier"] == business_licence.identifier
    assert licence["data"]["status"] == "valid"
    assert "signed_licence" not in licence["data"]
    titles = [e["title"] for e in case["timeline"] if e["action"] == "fetch"]
    assert "系统自动获取材料：营业执照（来源：电子证照库·营业执照）" in titles
    record = exchange_selectors.MessageLog.objects.get(message_id=licence["message_id"])
    assert record.on_behalf_of == scjg
    assert record.consumer_id == _department("zsj")
    assert record.resource_code == settings.TONGBAN_LICENCE_RESOURCE
    assert exchange_selectors.message_log_verify().ok


def test_without_consent_the_reason_is_recorded_and_the_case_goes_on(api, business_licence):
    case = _submit(api, _draft(api))
    assert case["status"] == "submitted"
    licence = next(f for f in case["fetched_materials"] if f["name"] == "营业执照")
    assert licence["ok"] is False
    assert licence["reason"] == "未能从电子证照库获取营业执照（未持有或未授权使用）"
    titles = [e["title"] for e in case["timeline"] if e["action"] == "fetch"]
    assert any("未能自动获取材料：营业执照" in t for t in titles), titles
    record = exchange_selectors.MessageLog.objects.order_by("-seq").first()
    assert record is not None and record.on_behalf_of == _department("scjg")


def test_a_consent_to_another_department_does_not_serve_this_case(api, business_licence):
    _consent(business_licence, _department("rsj"))
    case = _submit(api, _draft(api))
    licence = next(f for f in case["fetched_materials"] if f["name"] == "营业执照")
    assert licence["ok"] is False


def test_the_case_page_offers_to_authorise_and_the_consent_is_created(
    api, business_licence, login_as
):
    case = _draft(api)
    client = login_as("hbcanyin")
    page = client.get(f"/my/cases/{case['id']}/").content.decode()
    assert f"我的证照中有：营业执照（编号 {business_licence.number}）" in page
    assert "授权受理部门使用" in page
    assert f'action="/my/cases/{case["id"]}/licences/consent/"' in page

    response = client.post(f"/my/cases/{case['id']}/licences/consent/", {"material": "营业执照"})
    assert response.status_code == 302
    assert response["Location"] == f"/my/cases/{case['id']}/#licences"
    consent = licence_selectors.consented(business_licence, _department("scjg"))
    assert consent is not None
    assert consent.scope == "full"
    assert consent.purpose == f"办件 {case['number']} 申请材料"
    until = timezone.localdate() + timedelta(days=90)
    assert timezone.localtime(consent.expires_at).date() == until

    page = client.get(f"/my/cases/{case['id']}/").content.decode()
    assert f"已授权（至 {until.isoformat()}）" in page
    assert "授权受理部门使用<span" not in page

    submitted = _submit(api, case)
    licence = next(f for f in submitted["fetched_materials"] if f["name"] == "营业执照")
    assert licence["ok"] is True, licence


def test_without_a_licence_the_page_says_to_bring_the_paper_one(api, library, login_as):
    case = _draft(api)
    client = login_as("hbcanyin")
    page = client.get(f"/my/cases/{case['id']}/").content.decode()
    assert "请在窗口核验纸质证照，或先办理该证照" in page
    response = client.post(
        f"/my/cases/{case['id']}/licences/consent/", {"material": "营业执照"}, follow=True
    )
    assert "没有可授权的证照" in response.content.decode()


def test_another_user_cannot_authorise_on_someone_elses_case(api, business_licence, login_as):
    case = _draft(api)
    response = login_as("zhangsan").post(
        f"/my/cases/{case['id']}/licences/consent/", {"material": "营业执照"}
    )
    assert response.status_code == 404
    assert licence_selectors.consented(business_licence, _department("scjg")) is None
