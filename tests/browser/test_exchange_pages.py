"""The data-sharing and base-registry pages pass axe-core and work for their stewards."""

from __future__ import annotations

import pytest

from tests.browser.support import axe_check, db_access, login
from tests.registries.factories import gongan_rows, rsj_rows
from tongban.demo.exchange_demo import load_exchange
from tongban.registries.services import registry_ingest, registry_reconcile

pytestmark = pytest.mark.browser


@pytest.fixture
def sharing(site, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with db_access():
        load_exchange(lambda _line: None, var_dir=tmp_path)
        registry_ingest(source="gongan", kind="person", records=gongan_rows())
        registry_ingest(source="rsj", kind="person", records=rsj_rows())
        registry_reconcile(kind="person")
    return site


def _visit(page, paths):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page)


def test_catalog_and_resource_pages(new_page, sharing):
    page = new_page()
    login(page, "gaj-shuju")
    _visit(page, ["/exchange/catalog/", "/exchange/catalog/resources/10100100001/"])
    assert page.get_by_text("人口基本信息").first.is_visible()
    _visit(page, ["/exchange/catalog/requests/", "/exchange/catalog/log/"])


def test_registry_pages_for_the_steward(new_page, sharing):
    page = new_page()
    login(page, "shuju")
    _visit(page, ["/registries/", "/registries/conflicts/"])
    assert page.locator("main table").count() >= 1
