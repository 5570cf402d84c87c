"""The demo catalog: enough realistic items, loaded idempotently through the services."""

import pytest
from django.db.models import Count

from tongban.catalog.models import (
    ItemImplementation,
    LifeEventBundle,
    Material,
    SearchTerm,
    ServiceItem,
)
from tongban.catalog.services import schema_errors
from tongban.core.models import AuditEntry
from tongban.demo.catalog_loader import load_catalog
from tongban.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_demo_catalog_size_and_spread(demo):
    assert ServiceItem.objects.count() >= 30
    departments = ItemImplementation.objects.values("department__code").distinct().count()
    assert departments >= 8
    cities = set(ItemImplementation.objects.values_list("division_id", flat=True))
    assert cities == {"420100", "420900", "429005"}
    assert set(ServiceItem.objects.values_list("item_type", flat=True)) >= {"01", "05", "07", "20"}


def test_every_demo_item_is_complete(demo):
    for item in ServiceItem.objects.all():
        assert item.promised_limit < item.statutory_limit, item.name
        if item.handling_type == "1":
            assert item.promised_limit == 0, item.name  # 即办件: settled on the spot
        assert item.legal_basis and item.description
    for implementation in ItemImplementation.objects.annotate(n=Count("materials")):
        assert implementation.n >= 1
        assert implementation.promised_limit < implementation.statutory_limit
        assert implementation.form_schema["$schema"].endswith("2020-12/schema")
        assert schema_errors(implementation.form_schema, {})  # required fields exist
        expected = (
            "single_window" if implementation.item.handling_type == "1" else "two_step_review"
        )
        assert implementation.process_key == expected
        assert SearchTerm.objects.filter(implementation=implementation).exists()
    sources = set(Material.objects.values_list("source", flat=True))
    assert sources == {"upload", "registry", "licence"}
    assert Material.objects.exclude(blank_form="").count() >= 20


def test_flagship_restaurant_bundle(demo):
    bundle = LifeEventBundle.objects.get(slug="kaiban-canyindian")
    assert bundle.name == "开办餐饮店一件事" and bundle.division_id == "420100"
    assert bundle.process_key == "restaurant_bundle"
    joined = {
        (i.item.name, i.department.name)
        for i in bundle.implementations.select_related("item", "department")
    }
    assert joined == {
        ("营业执照设立登记", "市场监督管理局"),
        ("食品经营许可（餐饮服务）", "市场监督管理局"),
        ("公众聚集场所投入使用、营业前消防安全检查", "消防救援支队"),
        ("固定污染源排污登记", "生态环境局"),
    }
    assert {"credit_code", "address", "business_area"} <= set(bundle.form_schema["required"])


def test_loading_twice_creates_nothing_and_audits_nothing(demo):
    counts = {
        model: model.objects.count()
        for model in (ServiceItem, ItemImplementation, Material, LifeEventBundle, SearchTerm)
    }
    audits = AuditEntry.objects.count()
    lines = []
    load_demo(
        progress=lines.append,
        sample_cases=False,
        exchange=False,
        interaction=False,
        opendata=False,
        office=False,
    )
    load_catalog(progress=lines.append)
    assert {model: model.objects.count() for model in counts} == counts
    assert AuditEntry.objects.count() == audits
    assert any(line.startswith("  service catalog: ") for line in lines)
