"""The demo as issue 4 describes it: 武汉市人社局's system queries the 公安 household register
through the gateway with the demo client; the data arrive in the platform's normal form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.exchange.conftest import client_token
from tongban.demo.loader import load_demo

POPULATION = "/exchange/v1/10100100001/query"


@pytest.fixture
def demo_exchange(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load_demo(progress=lambda _line: None, catalog=False, sample_cases=False, office=False)
    return client_token("demo-rsj-system", "demo-rsj-secret")


def _query(token: str | None, fields: list[str], filters: dict[str, str]):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post(
        POPULATION,
        {"filters": filters, "fields": fields, "purpose": "参保登记核验身份"},
        content_type="application/json",
        **headers,
    )


def test_granted_items_come_from_the_legacy_database_normalised(demo_exchange):
    response = _query(
        demo_exchange, ["name", "id_number", "address"], {"id_number": "420102199003071232"}
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["message_id"]
    assert body["items"] == [
        {
            "name": "张三",
            "id_number": "420102199003071232",
            "address": body["items"][0]["address"],
        }
    ]
    assert body["items"][0]["address"].startswith("湖北省武汉市江岸区")


def test_the_phone_number_is_refused_by_name(demo_exchange):
    response = _query(demo_exchange, ["name", "phone"], {"id_number": "420102199003071232"})
    assert response.status_code == 403
    assert "phone" in response.json()["message"]


def test_without_a_token_nothing(demo_exchange):
    assert _query(None, ["name"], {"id_number": "420102199003071232"}).status_code == 401


def test_loading_the_demo_twice_creates_no_second_grant(demo_exchange, settings):
    load_demo(progress=lambda _line: None, catalog=False, sample_cases=False, office=False)
    token = client_token("demo-rsj-system", "demo-rsj-secret")
    assert _query(token, ["name"], {"id_number": "420902200005124560"}).json()["items"] == [
        {"name": "李四"}
    ]
