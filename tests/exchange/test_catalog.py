"""Part 1: the resource catalog (政务信息资源目录): validation, audit, search, API."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.selectors import audit_list
from tongban.exchange import selectors, services
from tongban.exchange.selectors import ResourceFilter
from tongban.exchange.services import ItemSpec

from .conftest import make_resource


def test_resource_upsert_validates_and_audits(world):
    with pytest.raises(ValidationFailed) as exc:
        services.resource_upsert(
            code="abc",
            name="人口",
            provider_id=world.provider.pk,
            format="table",
            share_type="conditional",
        )
    assert exc.value.field == "code" and "6位数字" in exc.value.message
    with pytest.raises(ValidationFailed, match="共享类型"):
        services.resource_upsert(
            code="1010010001",
            name="人口",
            provider_id=world.provider.pk,
            format="table",
            share_type="sometimes",
        )
    resource = make_resource(world)
    assert resource.share_type == "conditional"
    actions = [e.action for e in audit_list(cursor=None, size=20).items]
    assert "resource.create" in actions and "resource.items_set" in actions


def test_only_the_provider_steward_edits_a_resource(world):
    make_resource(world)
    with pytest.raises(PermissionDenied):
        services.resource_upsert(
            code="1010010001",
            name="人口",
            provider_id=world.provider.pk,
            format="table",
            share_type="unconditional",
            actor=world.consumer_steward,
        )
    services.resource_upsert(
        code="1010010001",
        name="人口基本信息",
        provider_id=world.provider.pk,
        format="table",
        share_type="unconditional",
        actor=world.provider_steward,
    )


def test_data_items_are_validated(world):
    make_resource(world)
    with pytest.raises(ValidationFailed) as exc:
        services.data_items_set(resource_code="1010010001", items=[ItemSpec("ID Number", "号码")])
    assert exc.value.field == "items.0.key"
    with pytest.raises(ValidationFailed, match="重复"):
        services.data_items_set(
            resource_code="1010010001", items=[ItemSpec("a", "甲"), ItemSpec("a", "乙")]
        )
    with pytest.raises(ValidationFailed, match="脱敏规则"):
        services.data_items_set(resource_code="1010010001", items=[ItemSpec("a", "甲", mask="x")])


def test_chinese_search_and_browse(world):
    make_resource(world)
    services.resource_upsert(
        code="2010010001",
        name="企业登记信息",
        provider_id=world.other.pk,
        format="api",
        share_type="unconditional",
        theme="法人",
    )
    found = selectors.resource_search(ResourceFilter(q="户籍人口"))
    assert [r.code for r in found.items] == ["1010010001"]
    # A data item label is searchable too.
    assert [r.code for r in selectors.resource_search(ResourceFilter(q="身份号码")).items] == [
        "1010010001"
    ]
    by_theme = selectors.resource_search(ResourceFilter(theme="法人"))
    assert [r.code for r in by_theme.items] == ["2010010001"]
    by_dept = selectors.resource_search(ResourceFilter(department=str(world.provider.pk)))
    assert [r.code for r in by_dept.items] == ["1010010001"]
    assert selectors.resource_themes() == ["人口", "法人"]


def test_keyset_pagination(world):
    for n in range(5):
        services.resource_upsert(
            code=f"101001000{n}",
            name=f"人口资源{n}",
            provider_id=world.provider.pk,
            format="table",
            share_type="unconditional",
        )
    first = selectors.resource_search(ResourceFilter(), size=2)
    second = selectors.resource_search(ResourceFilter(), cursor=first.next_cursor, size=2)
    assert [r.code for r in first.items + second.items] == [f"101001000{n}" for n in range(4)]
    q1 = selectors.resource_search(ResourceFilter(q="人口资源"), size=3)
    q2 = selectors.resource_search(ResourceFilter(q="人口资源"), cursor=q1.next_cursor, size=3)
    assert len({r.code for r in q1.items + q2.items}) == 5 and q2.next_cursor is None


def test_api_lists_and_shows_resources(world):
    make_resource(world)
    response = Client().get("/api/v1/resources", {"q": "人口"})
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0]["code"] == "1010010001"
    assert body["items"][0]["share_type_label"] == "有条件共享"
    detail = Client().get("/api/v1/resources/1010010001").json()
    assert [i["key"] for i in detail["items"]][:2] == ["name", "id_number"]
    assert detail["items"][1]["mask"] == "id_number"
    missing = Client().get("/api/v1/resources/9999999999")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "field"}
    assert missing.json()["message"] == "信息资源不存在"


def test_catalog_pages(world):
    make_resource(world)
    page = Client().get("/exchange/catalog/", {"q": "人口"})
    assert page.status_code == 200 and "人口基本信息" in page.content.decode()
    detail = Client().get("/exchange/catalog/resources/1010010001/")
    assert "公民身份号码" in detail.content.decode() and "有条件共享" in detail.content.decode()
