"""Catalog writes: validation of items, limits and form schemas; Chinese form errors."""

import pytest

from tongban.catalog import services
from tongban.catalog.models import ItemImplementation, SearchTerm, ServiceItem
from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditEntry

GOOD_ITEM = {
    "code": "9901001000",
    "name": "测试事项许可",
    "item_type": "01",
    "audience": "legal",
    "statutory_limit": 20,
    "promised_limit": 5,
    "handling_type": "2",
}


def test_a_schema_that_is_not_json_schema_is_refused_with_the_reason():
    with pytest.raises(ValidationFailed) as exc:
        services.form_schema_check({"type": "object", "properties": {"a": {"type": "text"}}})
    assert exc.value.field == "form_schema"
    assert "不是有效的 JSON Schema" in exc.value.message
    assert "properties/a/type" in exc.value.message
    with pytest.raises(ValidationFailed, match="JSON 对象"):
        services.form_schema_check(["not", "a", "schema"])
    with pytest.raises(ValidationFailed, match="根类型必须是 object"):
        services.form_schema_check({"type": "string"})
    assert services.form_schema_check({"type": "object"}) == {"type": "object"}


SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"title": "单位名称", "type": "string", "maxLength": 5},
        "area": {"title": "面积", "type": "number", "minimum": 1},
        "date": {"title": "开业日期", "type": "string", "format": "date"},
        "owner": {
            "title": "负责人",
            "type": "object",
            "properties": {
                "phone": {"title": "联系电话", "type": "string", "pattern": "^1\\d{10}$"}
            },
            "required": ["phone"],
        },
    },
    "required": ["name", "area"],
}


def test_schema_errors_are_chinese_with_field_paths():
    errors = services.schema_errors(
        SCHEMA, {"name": "湖北楚味餐饮有限公司", "date": "2026-13-45", "owner": {"phone": "123"}}
    )
    by_field = {e.field: e.message for e in errors}
    assert by_field["area"] == "请填写面积"
    assert by_field["name"] == "单位名称不能超过5个字符"
    assert by_field["owner.phone"] == "联系电话格式不正确"
    assert by_field["date"].startswith("开业日期格式不正确")
    assert services.schema_errors(SCHEMA, {"name": "楚味", "area": 30}) == []
    typed = services.schema_errors(SCHEMA, {"name": "楚味", "area": "很大"})
    assert [(e.field, e.message) for e in typed] == [("area", "面积应为数字")]
    missing_nested = services.schema_errors(SCHEMA, {"name": "楚味", "area": 2, "owner": {}})
    assert [(e.field, e.message) for e in missing_nested] == [("owner.phone", "请填写联系电话")]


@pytest.mark.django_db
def test_form_validate_uses_the_implementation_form(demo):
    implementation = ItemImplementation.objects.get(item__code="0101002000", division_id="420100")
    errors = services.form_validate(implementation, {"entity_name": "楚味"})
    fields = {e.field for e in errors}
    assert {"credit_code", "legal_representative", "phone", "address"} <= fields
    assert all("请填写" in e.message for e in errors)
    with pytest.raises(ValidationFailed) as exc:
        services.form_check(implementation, {"entity_name": "楚味"})
    assert exc.value.field.startswith("form.")
    good = {
        "entity_name": "湖北楚味餐饮有限公司",
        "credit_code": "91420100MA4KXL7P09",
        "legal_representative": "张三",
        "phone": "13800001234",
        "address": "武汉市江岸区沿江大道 1 号",
        "business_area": 120,
        "business_items": "热食类食品制售",
    }
    assert services.form_validate(implementation, good) == []
    services.form_check(implementation, good)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"promised_limit": 30}, "promised_limit", "承诺办结时限不能超过法定办结时限"),
        ({"item_type": "99"}, "item_type", "事项类型不正确"),
        ({"audience": "alien"}, "audience", "服务对象不正确"),
        ({"handling_type": "7"}, "handling_type", "办件类型不正确"),
        ({"max_visits": 3}, "max_visits", "最多跑一次"),
        ({"name": "  "}, "name", "请填写事项名称"),
        ({"fee_free": False}, "fees", "收费事项须写明收费标准"),
        ({"faq": [{"q": "只有问题"}]}, "faq", "常见问题"),
    ],
)
def test_item_rules(change, field, message):
    with pytest.raises(ValidationFailed) as exc:
        services.item_upsert(**{**GOOD_ITEM, **change})
    assert exc.value.field == field and message in exc.value.message
    assert not ServiceItem.objects.exists()


@pytest.mark.django_db
def test_item_upsert_is_idempotent_audited_and_indexed(demo):
    before = AuditEntry.objects.count()
    item = services.item_upsert(**GOOD_ITEM, keywords="试验 样例")
    services.item_upsert(**GOOD_ITEM, keywords="试验 样例")
    assert AuditEntry.objects.count() == before + 1
    implementation = services.implementation_upsert(
        item_code=item.code,
        division_code="420100",
        department_code="scjg",
        form_schema={"type": "object"},
    )
    assert implementation.promised_limit == 5
    terms = set(
        SearchTerm.objects.filter(implementation=implementation).values_list("term", flat=True)
    )
    assert {"测试", "许可", "试验", "样例", "市场监督管理局"} <= terms or "市场" in terms
    with pytest.raises(ValidationFailed) as exc:
        services.implementation_upsert(
            item_code=item.code,
            division_code="420100",
            department_code="scjg",
            form_schema={"type": "object", "required": "name"},
        )
    assert exc.value.field == "form_schema"
    with pytest.raises(ValidationFailed, match="实施部门不存在"):
        services.implementation_upsert(
            item_code=item.code, division_code="420100", department_code="nope"
        )
    with pytest.raises(ValidationFailed, match="承诺办结时限"):
        services.implementation_upsert(
            item_code=item.code, division_code="420900", department_code="scjg", promised_limit=40
        )


def test_form_field_order_survives_storage_that_reorders_keys():
    """PostgreSQL's jsonb reorders object keys; the author's order is kept in x-order."""
    from tongban.catalog.services import form_fields_in_order, form_schema_check

    schema = form_schema_check(
        {
            "type": "object",
            "properties": {"phone": {"type": "string"}, "a": {"type": "string"}},
        }
    )
    reordered = {**schema, "properties": dict(sorted(schema["properties"].items()))}
    assert [key for key, _spec in form_fields_in_order(reordered)] == ["phone", "a"]
