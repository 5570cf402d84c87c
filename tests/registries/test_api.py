from __future__ import annotations

import pytest
from django.test import Client

from tests.registries.factories import WANG, resident_id
from tests.registries.test_services import ingest_all
from tongban.accounts.services import staff_create, staff_role_grant
from tongban.demo.data import DEMO_PASSWORD
from tongban.org.selectors import department_by_code
from tongban.registries import services
from tongban.registries.models import AttributeValue, Conflict, ConflictStatus, SourceRecord

URL = "/api/v1/registries/conflicts"


@pytest.fixture
def xiaogan_steward(demo):
    user = staff_create(username="xg-shuju", password=DEMO_PASSWORD, display_name="孝感数据")
    department = department_by_code(division_code="420900", code="zsj")
    staff_role_grant(user=user, department_id=department.pk, role="data_steward")
    return "xg-shuju"


@pytest.fixture
def sources(demo):
    ingest_all()
    # A 孝感 person whose address differs between the sources.
    xiaogan = resident_id("420902", "19700203", "111")
    for source in ("gongan", "rsj"):
        services.registry_ingest(
            source=source,
            kind="person",
            records=[
                {
                    "source_id": f"X-{source}",
                    "id_number": xiaogan,
                    "name": "钱七",
                    "phone": "13911112222",
                    "address": f"孝感市孝南区{source}路1号",
                }
            ],
        )


def test_anonymous_is_401(db):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_citizen_and_other_staff_are_403(sources, api_token):
    for username in ("zhangsan", "chuangkou", "jiancha"):
        response = Client().get(URL, **api_token(username))
        assert response.status_code == 403, username


def test_city_steward_sees_only_their_city(sources, api_token, xiaogan_steward):
    wuhan = Client().get(URL + "?status=open", **api_token("shuju")).json()
    attributes = sorted((c["attribute"], c["registry_id"][:2]) for c in wuhan["items"])
    assert attributes == [("address", "RK"), ("status", "RK")]
    xiaogan = Client().get(URL, **api_token(xiaogan_steward)).json()
    assert [c["attribute"] for c in xiaogan["items"]] == ["address"]
    assert {v["value"] for v in xiaogan["items"][0]["values"]} == {
        "孝感市孝南区gongan路1号",
        "孝感市孝南区rsj路1号",
    }
    # The provincial system administrator sees all three.
    everything = Client().get(URL, **api_token("admin")).json()
    assert len(everything["items"]) == 3


def test_list_shape_filters_and_pagination(sources, api_token):
    headers = api_token("shuju")
    page = Client().get(URL + "?size=1", **headers).json()
    assert len(page["items"]) == 1 and page["next"]
    second = Client().get(page["next"], **headers).json()
    assert second["items"][0]["id"] != page["items"][0]["id"]
    item = page["items"][0]
    assert {"registry_id", "attribute", "attribute_label", "values", "status"} <= set(item)
    assert all({"value", "source", "source_label", "seen_at"} <= set(v) for v in item["values"])
    only = Client().get(URL + "?attribute=status", **headers).json()
    assert [c["attribute"] for c in only["items"]] == ["status"]
    bad = Client().get(URL + "?status=nonsense", **headers)
    assert bad.status_code == 422


def test_resolve_applies_and_other_city_gets_404(sources, api_token, xiaogan_steward):
    conflict = Conflict.objects.get(attribute="address", entity__division_code="420106")
    url = f"{URL}/{conflict.pk}/resolve"
    denied = Client().post(
        url, {"value_source": "rsj"}, content_type="application/json", **api_token(xiaogan_steward)
    )
    assert denied.status_code == 404
    response = Client().post(
        url,
        {"value_source": "rsj", "note": "以社保登记为准"},
        content_type="application/json",
        **api_token("shuju"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ConflictStatus.RESOLVED
    assert response.json()["chosen_source"] == "rsj"
    chosen = AttributeValue.objects.get(entity=conflict.entity, attribute="address", chosen=True)
    assert chosen.source == "rsj"
    again = Client().post(
        url, {"value_source": "gongan"}, content_type="application/json", **api_token("shuju")
    )
    assert again.status_code == 409


def test_person_lineage_masks_identifiers(sources, api_token):
    entity = SourceRecord.objects.get(source="gongan", source_id="G3").entity
    url = f"/api/v1/registries/persons/{entity.registry_id}"
    body = Client().get(url, **api_token("admin")).json()
    ids = [a for a in body["attributes"] if a["attribute"] == "id_number"]
    assert {a["source"] for a in ids} == {"gongan", "rsj"}
    assert all(WANG not in a["value"] and "*" in a["value"] for a in ids)
    assert all(a["seen_at"] for a in body["attributes"])
    assert {r["link_method"] for r in body["records"]} == {"exact_id", "probabilistic"}
    # A 孝感 person is outside 武汉's steward's scope.
    assert Client().get(url, **api_token("shuju")).status_code == 404
    assert Client().get(url).status_code == 401
