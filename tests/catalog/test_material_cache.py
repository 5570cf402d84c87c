"""Material lists are cached between catalog edits: read without queries, and any edit
(in the admin or by a service, of a material, an item or a bundle's items) shows at once."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.catalog import selectors
from tongban.catalog.models import LifeEventBundle, Material


def _bundle() -> LifeEventBundle:
    return LifeEventBundle.objects.get(slug="kaiban-canyindian")


def test_a_second_read_costs_no_query(demo):
    bundle = _bundle()
    first = selectors.bundle_materials(bundle)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.bundle_materials(bundle)
    assert again == first and len(queries) == 0


def test_an_edited_material_shows_at_once(demo):
    bundle = _bundle()
    before = {m.name for m in selectors.bundle_materials(bundle)}
    material = Material.objects.filter(implementation__bundles=bundle).first()
    material.name = "新的材料名称"
    material.save()
    after = {m.name for m in selectors.bundle_materials(bundle)}
    assert "新的材料名称" in after and after != before
    implementation = material.implementation
    assert "新的材料名称" in {m.name for m in selectors.materials_of(implementation)}
    material.delete()
    assert "新的材料名称" not in {m.name for m in selectors.materials_of(implementation)}


def test_removing_an_item_from_a_bundle_shows_at_once(demo):
    bundle = _bundle()
    implementation = bundle.implementations.order_by("id").first()
    only_there = {m.name for m in implementation.materials.all()} - {
        m.name
        for other in bundle.implementations.exclude(pk=implementation.pk)
        for m in other.materials.all()
    }
    assert only_there
    assert only_there <= {m.name for m in selectors.bundle_materials(bundle)}
    bundle.implementations.remove(implementation)
    remaining = {m.name for m in selectors.bundle_materials(bundle)}
    assert not only_there & remaining


def test_cached_pages_show_an_edit_at_once_and_keep_languages_apart(demo, client):
    implementation = _bundle().implementations.select_related("item").first()
    item = implementation.item
    guide = f"/services/{item.code}/?division={implementation.division_id}"
    assert item.name in client.get(guide).content.decode()
    assert item.name in client.get("/services/").content.decode()
    item.name = "改名后的事项"
    item.save()
    assert "改名后的事项" in client.get(guide).content.decode()
    assert "改名后的事项" in client.get("/services/").content.decode()
    chinese = client.get("/services/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/services/").content.decode()
    assert "关键词" in chinese and "Keywords" in english and "关键词" not in english
