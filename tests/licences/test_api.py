"""Who may do what with a licence over the API: the wallet, documents, status changes by
the issuing department only (every other attempt refused and audited), consents, import."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.licences.conftest import department_id
from tongban.core.models import AuditEntry
from tongban.licences import services
from tongban.licences.models import Licence, LicenceStatus

pytestmark = pytest.mark.django_db


def _post(client, path, body, headers):
    return client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers
    )


@pytest.mark.parametrize(
    "username", ["xiaofang", "huanbao", "jiancha", "admin", "chuangkou", "hbcanyin", "zhangsan"]
)
def test_only_the_issuing_department_may_revoke(issue, api_token, client, username):
    licence = issue()
    before = AuditEntry.objects.filter(action="permission.denied").count()
    response = _post(
        client,
        f"/licences/{licence.pk}/status",
        {"action": "revoke", "reason": "越权吊销尝试"},
        api_token(username),
    )
    assert response.status_code == 403, response.content
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    denied = AuditEntry.objects.filter(action="permission.denied").order_by("-seq")
    assert denied.count() == before + 1
    assert denied.first().actor_label == username


def test_issuer_suspends_reinstates_and_revokes_with_reasons(issue, api_token, client):
    licence = issue()
    head = api_token("scjg-head")
    path = f"/licences/{licence.pk}/status"
    short = _post(client, path, {"action": "suspend", "reason": "短"}, head)
    assert short.status_code == 422 and short.json()["field"] == "reason"
    assert (
        _post(client, path, {"action": "suspend", "reason": "涉嫌虚假登记"}, head).json()["status"]
        == "suspended"
    )
    assert (
        _post(client, path, {"action": "reinstate", "reason": "核查无误恢复"}, head).json()[
            "status"
        ]
        == "valid"
    )
    assert (
        _post(client, path, {"action": "revoke", "reason": "依法吊销营业执照"}, head).json()[
            "status"
        ]
        == "revoked"
    )
    again = _post(client, path, {"action": "reinstate", "reason": "再次恢复尝试"}, head)
    assert again.status_code == 409
    unknown = _post(client, path, {"action": "explode", "reason": "未知操作尝试"}, head)
    assert unknown.status_code in (409, 422)
    actions = list(
        AuditEntry.objects.filter(object_type="licences.licence", object_id=str(licence.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "licences.issued",
        "licences.suspend",
        "licences.reinstate",
        "licences.revoke",
    ]


def test_wallet_detail_and_document_are_for_the_holder_issuer_and_authorised(
    issue, api_token, client
):
    licence = issue()
    own = client.get("/api/v1/licences", **api_token("hbcanyin")).json()["items"]
    assert [x["id"] for x in own] == [licence.pk]
    assert client.get("/api/v1/licences", **api_token("zhangsan")).json()["items"] == []
    for username, status in (
        ("hbcanyin", 200),
        ("scjg", 200),
        ("zhangsan", 404),
        ("xiaofang", 404),
    ):
        response = client.get(f"/api/v1/licences/{licence.pk}", **api_token(username))
        assert response.status_code == status, username
    assert client.get(f"/api/v1/licences/{licence.pk}").status_code == 401

    pdf = client.get(f"/api/v1/licences/{licence.pk}/document", **api_token("hbcanyin"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "营业执照" in text and licence.number in text

    # The holder authorises 消防 to use it: their staff may now open it, until revoked.
    fire = department_id("xfzd")
    holder = api_token("hbcanyin")
    granted = _post(
        client,
        f"/licences/{licence.pk}/consents",
        {
            "department_id": fire,
            "scope": "full",
            "purpose": "消防安全检查申请",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        holder,
    )
    assert granted.status_code == 201, granted.content
    response = client.get(f"/api/v1/licences/{licence.pk}", **api_token("xiaofang"))
    assert response.status_code == 200
    listed = client.get(f"/api/v1/licences/{licence.pk}/consents", **holder).json()
    assert [c["department_id"] for c in listed] == [fire]
    consent_id = granted.json()["id"]
    assert client.delete(f"/api/v1/licences/consents/{consent_id}", **holder).status_code == 200
    response = client.get(f"/api/v1/licences/{licence.pk}", **api_token("xiaofang"))
    assert response.status_code == 404


def test_consent_input_is_checked_and_only_the_holder_grants(issue, api_token, client):
    licence = issue()
    body = {
        "department_id": department_id("xfzd"),
        "scope": "full",
        "purpose": "消防安全检查申请",
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    path = f"/licences/{licence.pk}/consents"
    assert _post(client, path, body, api_token("zhangsan")).status_code == 404
    for change, field in (
        ({"scope": "everything"}, "scope"),
        ({"purpose": ""}, "purpose"),
        ({"expires_on": date.today().isoformat()}, "expires_on"),
        ({"expires_on": (date.today() + timedelta(days=400)).isoformat()}, "expires_on"),
    ):
        response = _post(client, path, {**body, **change}, api_token("hbcanyin"))
        assert response.status_code == 422 and response.json()["field"] == field, change
    assert not licence.consents.exists()


def test_keys_are_published_with_their_issuers(issue, client):
    issue()
    keys = client.get("/api/v1/licences/keys").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["algorithm"] == "SM2-SM3"
    assert keys[0]["issuer_name"] == "武汉市市场监督管理局"
    assert len(keys[0]["public_key"]) == 130


CSV_HEADER = "holder_code,holder_name,issue_date,valid_until,name,card_kind,bank\n"


def test_import_checks_every_row_and_imports_all_or_nothing(licence_types):
    card = licence_types["社会保障卡"]
    rsj = department_id("rsj")
    bad = (
        CSV_HEADER
        + "420102199003071232,张三,2020-05-01,2030-04-30,张三,第三代社会保障卡,中国银行\n"
        + "420102199003071233,李四,2020-05-01,,李四,第三代社会保障卡,中国银行\n"
        + "420902200005124560,李四,2020-13-01,,李四,第三代社会保障卡,中国银行\n"
    )
    result = services.licences_import(
        content=bad.encode(), filename="cards.csv", type_code=card.code, issuer_id=rsj
    )
    assert result.created == 0
    assert [e.split("：")[0] for e in result.errors] == ["第 3 行", "第 4 行"]
    assert not Licence.objects.exists()

    good = (
        CSV_HEADER
        + "420102199003071232,张三,2020-05-01,2030-04-30,张三,第三代社会保障卡,中国银行\n"
        + "420902200005124560,李四,2021-06-01,,李四,,建设银行\n"
    )
    lines: list[str] = []
    result = services.licences_import(
        content=good.encode("utf-8-sig"),
        filename="cards.csv",
        type_code=card.code,
        issuer_id=rsj,
        progress=lines.append,
    )
    assert (result.created, result.errors) == (2, [])
    assert lines[-1] == "已导入 2 / 2"
    imported = Licence.objects.order_by("id")
    assert [x.issue_date for x in imported] == [date(2020, 5, 1), date(2021, 6, 1)]
    assert imported[0].valid_until == date(2030, 4, 30)
    assert imported[1].payload["data"][1]["value"] == "第三代社会保障卡"
    assert all(services.licence_verify(_signed(x)).valid for x in imported)


def _signed(licence):
    from tongban.licences.selectors import signed_of

    return signed_of(licence)


def test_admin_edits_licence_types_with_validation_and_shows_licences_read_only(
    issue, login_as, licence_types
):
    licence = issue()
    admin = login_as("admin")
    business = licence_types["营业执照"]
    url = f"/admin/licences/licencetype/{business.pk}/change/"
    assert admin.get(url).status_code == 200
    form = {
        "code": business.code,
        "name": "营业执照",
        "holder_kind": "legal",
        "validity_years": "",
        "item_codes": json.dumps(business.item_codes),
        "fields": json.dumps([{"key": "a", "label": "甲", "source": "nowhere:x"}]),
        "active": "on",
    }
    refused = admin.post(url, form)
    assert refused.status_code == 200 and "来源" in refused.content.decode()
    business.refresh_from_db()
    assert len(business.fields) == 6
    form["fields"] = json.dumps(
        [*business.fields, {"key": "note", "label": "备注", "source": "", "required": False}]
    )
    assert admin.post(url, form).status_code == 302
    business.refresh_from_db()
    assert business.fields[-1]["key"] == "note"
    assert AuditEntry.objects.filter(action="licences.type_updated").exists()
    page = admin.get(f"/admin/licences/licence/{licence.pk}/change/")
    assert page.status_code == 200
    assert admin.get("/admin/licences/signingkey/").status_code == 200
