"""Parts 3 and 4: exchange clients (client-credentials tokens) and the gateway."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from oauth2_provider.models import AccessToken

from tongban.accounts.selectors import oauth_client_for_token
from tongban.core.errors import ValidationFailed
from tongban.exchange import selectors, services
from tongban.exchange.models import MessageLog

from .conftest import SECRET, bearer, client_token, grant, make_resource, query

ASK = {
    "filters": {"id_number": "420102199003071232"},
    "fields": ["name", "id_number", "gender", "birth_date"],
    "purpose": "社会保险参保登记核验身份",
}


def test_client_credentials_token(world):
    services.exchange_client_upsert(
        client_id="rst-shebao",
        client_secret=SECRET,
        name="社保业务系统",
        department_id=world.consumer.pk,
    )
    token = client_token("rst-shebao")
    assert oauth_client_for_token(token) == "rst-shebao"
    assert oauth_client_for_token("nonsense") is None
    AccessToken.objects.update(expires=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    assert oauth_client_for_token(token) is None
    # The secret is stored hashed, and updating the client keeps one application.
    services.exchange_client_upsert(
        client_id="rst-shebao",
        client_secret=SECRET,
        name="社保系统",
        department_id=world.consumer.pk,
    )
    assert selectors.exchange_client_get("rst-shebao").name == "社保系统"


def test_client_validation(world):
    with pytest.raises(ValidationFailed, match="12"):
        services.exchange_client_upsert(
            client_id="rst-shebao",
            client_secret="short",
            name="社保",
            department_id=world.consumer.pk,
        )


def test_a_user_token_is_not_a_gateway_token(world, population):
    response = query(bearer(world.consumer_steward), population.code, ASK)
    assert response.status_code == 401


def test_granted_query_returns_normalised_masked_data(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number", "gender", "birth_date"])
    response = query(consumer_client, population.code, ASK)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"] == [
        {
            "name": "张*",
            "id_number": "4201**********1232",
            "gender": "男",
            "birth_date": "1990-03-07",
        }
    ]
    assert body["message_id"]
    assert MessageLog.objects.get().message_id.hex == body["message_id"].replace("-", "")


def test_provider_sees_its_own_data_in_clear(world, population):
    services.exchange_client_upsert(
        client_id="gat-rk",
        client_secret=SECRET,
        name="人口业务系统",
        department_id=world.provider.pk,
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {client_token('gat-rk')}"}
    response = query(headers, population.code, {**ASK, "filters": {}, "fields": ["name", "gender"]})
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["items"]]
    assert names == ["张三", "李四", "王五"]  # trimmed, ideographic space removed
    assert [row["gender"] for row in response.json()["items"]] == ["男", "女", "男"]


def test_non_granted_item_is_refused_by_name(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number"])
    response = query(consumer_client, population.code, {**ASK, "fields": ["name", "phone"]})
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "无权访问数据项：phone（联系电话）",
        "field": "phone",
    }
    # A filter on a non-granted item is refused too.
    response = query(
        consumer_client, population.code, {**ASK, "fields": ["name"], "filters": {"phone": "1"}}
    )
    assert response.status_code == 403 and "phone（联系电话）" in response.json()["message"]


def test_no_token_unknown_resource_no_grant(world, population, consumer_client):
    assert query({}, population.code, ASK).status_code == 401
    bad = query({"HTTP_AUTHORIZATION": "Bearer nope"}, population.code, ASK)
    assert bad.status_code == 401 and set(bad.json()) == {"code", "message", "field"}
    missing = query(consumer_client, "9999999999", ASK)
    assert missing.status_code == 404 and missing.json()["message"] == "信息资源不存在"
    no_grant = query(consumer_client, population.code, ASK)
    assert no_grant.status_code == 403 and "有效共享授权" in no_grant.json()["message"]


def test_limit_is_bounded(world, population, consumer_client):
    grant(world, population.code, ["name", "gender"])
    fields = {"fields": ["gender"], "filters": {}, "purpose": "统计参保人员性别"}
    assert query(consumer_client, population.code, {**fields, "limit": 101}).status_code == 422
    rows = query(consumer_client, population.code, {**fields, "limit": 2}).json()["items"]
    assert len(rows) == 2
    assert len(query(consumer_client, population.code, fields).json()["items"]) == 3


def test_conditional_flow_through_the_gateway(world, population, consumer_client):
    steward = bearer(world.consumer_steward)
    provider = bearer(world.provider_steward)
    c = Client()
    body = {"resource": population.code, "items": ["name", "id_number"], "purpose": "核验身份"}
    first = c.post("/api/v1/sharing-requests", body, content_type="application/json", **steward)
    assert query(consumer_client, population.code, {**ASK, "fields": ["name"]}).status_code == 403
    c.post(
        f"/api/v1/sharing-requests/{first.json()['id']}/refuse",
        {"reason": "请说明具体业务"},
        content_type="application/json",
        **provider,
    )
    assert query(consumer_client, population.code, {**ASK, "fields": ["name"]}).status_code == 403
    second = c.post(
        "/api/v1/sharing-requests",
        {**body, "purpose": "社会保险参保登记时核验参保人身份"},
        content_type="application/json",
        **steward,
    )
    c.post(
        f"/api/v1/sharing-requests/{second.json()['id']}/approve",
        {},
        content_type="application/json",
        **provider,
    )
    ok = query(consumer_client, population.code, {**ASK, "fields": ["name"]})
    assert ok.status_code == 200 and ok.json()["items"] == [{"name": "张*"}]
    c.post(
        f"/api/v1/sharing-requests/{second.json()['id']}/revoke",
        {"reason": "业务已结束"},
        content_type="application/json",
        **provider,
    )
    assert query(consumer_client, population.code, {**ASK, "fields": ["name"]}).status_code == 403


@override_settings(TONGBAN_EXCHANGE_RATE="3/m")
def test_rate_limit_per_client(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number"])
    body = {**ASK, "fields": ["name"]}
    statuses = [query(consumer_client, population.code, body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = query(consumer_client, population.code, body).json()
    assert limited["code"] == "rate_limited" and "频繁" in limited["message"]
    # Another client of another department has its own counter.
    services.exchange_client_upsert(
        client_id="gat-rk",
        client_secret=SECRET,
        name="人口业务系统",
        department_id=world.provider.pk,
    )
    other = {"HTTP_AUTHORIZATION": f"Bearer {client_token('gat-rk')}"}
    assert query(other, population.code, body).status_code == 200


def test_every_query_writes_one_log_record(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number"])
    ok = query(consumer_client, population.code, {**ASK, "fields": ["name"]})
    denied = query(consumer_client, population.code, {**ASK, "fields": ["phone"]})
    missing = query(consumer_client, "9999999999", ASK)
    records = list(MessageLog.objects.order_by("seq"))
    assert [r.status for r in records] == [200, 403, 404]
    first = records[0]
    assert str(first.message_id) == ok.json()["message_id"]
    assert first.client_id == "rst-shebao"
    assert (first.consumer_id, first.provider_id) == (world.consumer.pk, world.provider.pk)
    assert first.fields == ["name"] and first.filter_keys == ["id_number"]
    assert first.purpose == ASK["purpose"]
    # Filter values (ID numbers) are never stored in the log, only hashed.
    for record in records:
        assert "420102199003071232" not in str(record.__dict__)
    assert denied.status_code == 403 and missing.status_code == 404


def test_exchange_log_api(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number"])
    query(consumer_client, population.code, {**ASK, "fields": ["name"]})
    provider_view = (
        Client()
        .get("/api/v1/exchange-log", {"role": "provider"}, **bearer(world.provider_steward))
        .json()
    )
    assert provider_view["items"][0]["resource_code"] == population.code
    assert provider_view["items"][0]["purpose"] == ASK["purpose"]
    consumer_view = (
        Client()
        .get("/api/v1/exchange-log", {"role": "consumer"}, **bearer(world.consumer_steward))
        .json()
    )
    assert len(consumer_view["items"]) == 1
    outsider = (
        Client()
        .get("/api/v1/exchange-log", {"role": "provider"}, **bearer(world.other_steward))
        .json()
    )
    assert outsider["items"] == []
    assert Client().get("/api/v1/exchange-log").status_code == 401


def test_gateway_docs():
    assert Client().get("/exchange/docs").status_code == 200
    schema = Client().get("/exchange/openapi.json").json()
    assert schema["info"]["title"] == "Tongban 共享交换网关"
    assert "/exchange/v1/{resource_code}/query" in schema["paths"]


def test_resource_without_adapter_is_502(world, consumer_client):
    make_resource(world, share_type="unconditional")
    grant(world, "1010010001", ["name"])
    response = query(consumer_client, "1010010001", {**ASK, "filters": {}, "fields": ["name"]})
    assert response.status_code == 502 and "数据源" in response.json()["message"]
