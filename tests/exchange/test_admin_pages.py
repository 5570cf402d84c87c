"""Part 7: the admin (validated, secrets write-only, logs read-only) and the OpenAPI schemas."""

from __future__ import annotations

from django.test import Client
from openapi_spec_validator import validate

from tongban.accounts.services import superuser_grant
from tongban.exchange import services
from tongban.exchange.models import Adapter, ExchangeClient, FieldMapping

from .conftest import SECRET, make_resource


def admin_client(world) -> Client:
    superuser_grant(user=world.provider_steward)
    client = Client()
    client.force_login(world.provider_steward)
    return client


def test_admin_lists_and_read_only_logs(world, population):
    c = admin_client(world)
    for path in (
        "/admin/exchange/resource/",
        f"/admin/exchange/resource/{population.pk}/change/",
        "/admin/exchange/adapter/",
        "/admin/exchange/messagelog/",
        "/admin/exchange/messagebatch/",
        "/admin/exchange/sharingrequest/",
        "/admin/exchange/exchangeclient/",
    ):
        assert c.get(path).status_code == 200, path
    assert c.get("/admin/exchange/messagelog/add/").status_code == 403


def test_admin_refuses_unknown_transforms(world, population):
    c = admin_client(world)
    adapter = Adapter.objects.get()
    mapping = FieldMapping.objects.filter(adapter=adapter).order_by("item_key")
    data = {
        "name": adapter.name,
        "kind": adapter.kind,
        "config": '{"url": "sqlite:////tmp/x.db", "table": "T_RK_JBXX"}',
        "mappings-TOTAL_FORMS": "1",
        "mappings-INITIAL_FORMS": "1",
        "mappings-0-id": str(mapping[0].pk),
        "mappings-0-adapter": str(adapter.pk),
        "mappings-0-item_key": mapping[0].item_key,
        "mappings-0-source": mapping[0].source,
        "mappings-0-transforms": '["lowercase"]',
    }
    response = c.post(f"/admin/exchange/adapter/{adapter.pk}/change/", data)
    assert response.status_code == 200
    assert "未知的转换规则" in response.content.decode()
    assert FieldMapping.objects.get(pk=mapping[0].pk).transforms != ["lowercase"]


def test_admin_client_secret_is_write_only(world):
    services.exchange_client_upsert(
        client_id="rst-shebao",
        client_secret=SECRET,
        name="社保业务系统",
        department_id=world.consumer.pk,
    )
    c = admin_client(world)
    client = ExchangeClient.objects.get()
    html = c.get(f"/admin/exchange/exchangeclient/{client.pk}/change/").content.decode()
    assert SECRET not in html and 'type="password"' in html


def test_steward_sees_only_own_resources_in_admin(world):
    make_resource(world)
    other = Client()
    other.force_login(world.consumer_steward)
    html = other.get("/admin/exchange/resource/").content.decode()
    assert "1010010001" not in html


def test_openapi_schemas_are_valid(db):
    for path in ("/api/openapi.json", "/exchange/openapi.json"):
        schema = Client().get(path).json()
        validate(schema)
        for item in schema["paths"].values():
            for operation in item.values():
                assert operation.get("summary")
