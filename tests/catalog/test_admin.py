"""Data stewards maintain the catalog in the admin, with the services' validation."""

import json

import pytest

from tongban.catalog.models import ItemImplementation, SearchTerm, ServiceItem
from tongban.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def implementation_form(implementation, **changes):
    form = {
        "item": implementation.item_id,
        "division": implementation.division_id,
        "department": implementation.department_id,
        "statutory_limit": implementation.statutory_limit,
        "promised_limit": implementation.promised_limit,
        "fees": implementation.fees,
        "window_address": implementation.window_address,
        "phone": implementation.phone,
        "guide": implementation.guide,
        "process_key": implementation.process_key,
        "form_schema": json.dumps(implementation.form_schema, ensure_ascii=False),
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
    }
    form.update(changes)
    return form


def test_data_steward_sees_the_catalog_in_the_admin(demo, login_as):
    shuju = login_as("shuju")
    assert shuju.get("/admin/").status_code == 200
    assert "服务事项" in shuju.get("/admin/").content.decode()
    for model in ("serviceitem", "itemimplementation", "lifeeventbundle"):
        assert shuju.get(f"/admin/catalog/{model}/").status_code == 200, model
    listing = shuju.get("/admin/catalog/itemimplementation/").content.decode()
    assert "武汉市" in listing and "孝感市" not in listing  # own division only
    other = ItemImplementation.objects.filter(division_id="420900").first()
    assert shuju.get(f"/admin/catalog/itemimplementation/{other.pk}/change/").status_code == 302
    assert login_as("admin").get("/admin/catalog/serviceitem/").status_code == 200


def test_invalid_form_schema_is_refused_with_the_reason(demo, login_as):
    shuju = login_as("shuju")
    implementation = ItemImplementation.objects.get(item__code="0101002000", division_id="420100")
    url = f"/admin/catalog/itemimplementation/{implementation.pk}/change/"
    bad = implementation_form(
        implementation, form_schema=json.dumps({"type": "object", "required": "name"})
    )
    refused = shuju.post(url, bad)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "不是有效的 JSON Schema" in html and "required" in html
    too_long = implementation_form(implementation, promised_limit="99")
    assert "承诺办结时限不能超过法定办结时限" in shuju.post(url, too_long).content.decode()
    implementation.refresh_from_db()
    assert implementation.form_schema["required"]


def test_admin_save_reindexes_and_is_audited(demo, login_as):
    shuju = login_as("shuju")
    implementation = ItemImplementation.objects.get(item__code="0101002000", division_id="420100")
    url = f"/admin/catalog/itemimplementation/{implementation.pk}/change/"
    form = implementation_form(implementation, guide="到店核查后发放许可证，支持邮寄送达火锅")
    response = shuju.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SearchTerm.objects.filter(implementation=implementation, term="火锅").exists()
    assert AuditEntry.objects.filter(action="admin.catalog.itemimplementation.change").exists()


def test_item_admin_applies_item_rules(demo, login_as):
    shuju = login_as("shuju")
    item = ServiceItem.objects.get(code="0705001000")
    form = {
        "code": item.code,
        "name": item.name,
        "item_type": item.item_type,
        "audience": item.audience,
        "legal_basis": item.legal_basis,
        "statutory_limit": "60",
        "promised_limit": "20",
        "handling_type": item.handling_type,
        "max_visits": "2",
        "fee_free": "",
        "fees": item.fees,
        "channels": json.dumps(item.channels, ensure_ascii=False),
        "life_events": json.dumps(item.life_events, ensure_ascii=False),
        "keywords": item.keywords + " 二代身份证",
        "description": item.description,
        "conditions": item.conditions,
        "faq": json.dumps(item.faq, ensure_ascii=False),
    }
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    refused = shuju.post(url, form)
    assert "到办事现场次数只能是0次或1次" in refused.content.decode()
    form["max_visits"] = "1"
    form["keywords"] = item.keywords + " 证件照"
    assert shuju.post(url, form).status_code == 302
    assert SearchTerm.objects.filter(implementation__item=item, term="证件照").count() == 3


def test_bundle_admin_refuses_a_bad_schema(demo, login_as):
    from tongban.catalog.models import LifeEventBundle

    shuju = login_as("shuju")
    bundle = LifeEventBundle.objects.get(slug="kaiban-canyindian")
    form = {
        "slug": bundle.slug,
        "name": bundle.name,
        "division": bundle.division_id,
        "description": bundle.description,
        "implementations": [i.pk for i in bundle.implementations.all()],
        "process_key": bundle.process_key,
        "form_schema": json.dumps({"type": "object", "properties": {"a": {"minLength": -1}}}),
    }
    html = shuju.post(f"/admin/catalog/lifeeventbundle/{bundle.pk}/change/", form).content.decode()
    assert "不是有效的 JSON Schema" in html
