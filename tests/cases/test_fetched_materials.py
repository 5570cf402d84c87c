"""Citizens do not hand over what government already holds: materials marked 共享获取 are
fetched through the exchange gateway at submission and shown with their source."""

from __future__ import annotations

import pytest

from tests.cases.conftest import RESTAURANT_FORM, provide_materials
from tests.cases.test_lifecycle import _person_form
from tongban.accounts.selectors import user_by_username
from tongban.demo.loader import load_demo
from tongban.exchange import selectors as exchange_selectors
from tongban.exchange import services as exchange
from tongban.org.selectors import department_by_code

POPULATION = "10100100001"
ENTERPRISES = "20100100001"


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo with its legacy systems behind the gateway (no sample cases)."""
    settings.VAR_DIR = tmp_path
    counts = load_demo(progress=lambda _line: None, sample_cases=False, office=False)
    zsj = department_by_code(division_code="420100", code="zsj")
    wanted = [
        (POPULATION, ["name", "id_number", "address"], "gaj-shuju"),
        (ENTERPRISES, ["credit_code", "name", "status"], None),
    ]
    for code, items, approver in wanted:
        resource = exchange_selectors.resource_get(code)
        if exchange_selectors.granted_keys(consumer_id=zsj.pk, resource_id=resource.pk):
            continue
        request = exchange.sharing_request_create(
            actor=user_by_username("shuju"),
            consumer_id=zsj.pk,
            resource_code=code,
            items=items,
            purpose="办件申请材料自动获取",
        )
        if approver:
            exchange.sharing_request_approve(
                actor=user_by_username(approver), request_id=request.pk, reason="同意"
            )
    return counts


def _submit(api, username, body):
    case = api(username).post("/applications", body).json()
    provide_materials(api(username), case)
    response = api(username).post(f"/applications/{case['id']}/submit")
    assert response.status_code == 200, response.content.decode()
    return response.json()


def test_a_citizens_identity_comes_from_the_population_register(api, demo):
    code = "0101004000"
    body = {"service": code, "division": "420100", "form": _person_form(api, code)}
    case = _submit(api, "zhangsan", body)
    fetched = {f["name"]: f for f in case["fetched_materials"]}
    identity = fetched["申请人身份证明"]
    assert identity["ok"] is True, identity
    assert identity["source"] == "武汉市公安局·人口基本信息"
    assert identity["data"]["name"] == "张三"
    assert identity["message_id"]
    assert "申请人身份证明" not in {m["name"] for m in case["required_materials"]}
    assert any(e["action"] == "fetch" for e in case["timeline"])


def test_the_restaurant_case_fetches_the_enterprise_and_is_never_asked_for_it(api, demo):
    case = _submit(api, "hbcanyin", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM})
    fetched = [f for f in case["fetched_materials"] if f["ok"]]
    assert fetched, case["fetched_materials"]
    assert fetched[0]["source"] == "武汉市市场监督管理局·企业登记信息"
    assert fetched[0]["data"]["credit_code"] == "91420100MA4KXL7P09"


def test_without_a_grant_the_case_goes_on_and_the_window_verifies(api, demo):
    zsj = department_by_code(division_code="420100", code="zsj")
    for request in exchange_selectors.sharing_request_list(
        user=user_by_username("gaj-shuju"), role="provider", size=100
    ).items:
        if request.consumer_id == zsj.pk and request.status == "approved":
            exchange.grant_revoke(
                actor=user_by_username("gaj-shuju"), request_id=request.pk, reason="测试撤销"
            )
    code = "0101004000"
    body = {"service": code, "division": "420100", "form": _person_form(api, code)}
    case = _submit(api, "zhangsan", body)
    assert case["status"] == "submitted"
    identity = next(f for f in case["fetched_materials"] if f["name"] == "申请人身份证明")
    assert identity["ok"] is False
    assert "授权" in identity["reason"]


def test_the_share_fetched_automatically_is_reported(api, demo):
    code = "0101004000"
    _submit(
        api, "zhangsan", {"service": code, "division": "420100", "form": _person_form(api, code)}
    )
    stats = api("jiancha").get("/supervision/materials").json()
    assert stats["fetched"] == 1
    assert stats["uploaded"] >= 1
    assert 0 < stats["fetched_share"] < 1
    assert api("zhangsan").get("/supervision/materials").status_code == 403


def test_a_citizen_applying_for_the_restaurant_bundle_is_found_in_the_population_register(
    api, demo, login_as
):
    case = _submit(api, "zhangsan", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM})
    identity = next(f for f in case["fetched_materials"] if f["ok"])
    assert identity["source"] == "武汉市公安局·人口基本信息"
    assert identity["data"]["id_number"] == "420102199003071232"
    page = login_as("zhangsan").get(f"/my/cases/{case['id']}/").content.decode()
    assert "已由系统自动获取（来源：武汉市公安局·人口基本信息）" in page
