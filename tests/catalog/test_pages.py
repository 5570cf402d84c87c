"""Public catalog pages: search (GET form, no JavaScript), guide, blank forms, life events."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tongban.catalog.models import Material
from tongban.catalog.views import safe_filename

pytestmark = pytest.mark.django_db
SITE_CSS = Path(__file__).parents[2] / "src/tongban/portal/static/tongban/site.css"


def test_search_page_is_a_plain_get_form(demo):
    response = Client().get("/services/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<form method="get" action="/services/" role="search"', html)
    for field in ("q", "division", "department", "audience", "event"):
        assert f'<label for="{field}">' in html and f'name="{field}"' in html
    assert "<script" not in html and "style=" not in html
    assert "开办餐饮店一件事" in html


def test_search_page_finds_and_filters(demo):
    html = Client().get("/services/", {"q": "开饭店", "division": "420100"}).content.decode()
    assert "“开饭店”的查询结果" in html
    assert "营业执照设立登记" in html and "食品经营许可（餐饮服务）" in html
    assert "/services/0101001000/?division=420100" in html
    assert '<option value="scjg"' in html  # departments of the chosen division
    none = Client().get("/services/", {"q": "宇宙飞船"}).content.decode()
    assert "没有找到符合条件的事项" in none
    assert Client().get("/services/", {"audience": "robot"}).status_code == 422
    assert Client().get("/services/", {"division": "999999"}).status_code == 404


def test_search_page_paginates_without_javascript(demo):
    html = Client().get("/services/").content.decode()
    link = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next"', html)
    assert link
    second = Client().get("/services/?" + link.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and "第一页" in second.content.decode()


def test_guide_page_is_complete_and_printable(demo):
    response = Client().get("/services/0101002000/", {"division": "420100"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="guide-title">食品经营许可（餐饮服务）</h1>' in html
    assert "20个工作日" in html and "5个工作日" in html
    assert "不收费" in html and "最多跑一次" in html
    assert "《中华人民共和国食品安全法》" in html
    assert "需要现场核查吗？" in html
    assert "电子证照" in html and "申请人提供" in html
    material = Material.objects.get(
        implementation__item__code="0101002000",
        implementation__division_id="420100",
        name="食品经营许可申请书",
    )
    assert f"/services/0101002000/forms/{material.pk}/" in html
    assert "开办餐饮店一件事" in html
    assert "孝感市" in html  # links to the other cities' guides
    assert "tongban/site.css" in html
    css = SITE_CSS.read_text()
    catalog_css = css[css.index("/* ==== catalog") :]
    assert "@media print" in catalog_css and ".catalog-no-print" in catalog_css
    assert 'class="catalog-no-print"' in html


def test_guide_for_another_city_and_unknown_items(demo):
    html = Client().get("/services/0101002000/?division=420900").content.decode()
    assert "孝感市民之家" in html and "7个工作日" in html
    assert Client().get("/services/NOPE/").status_code == 404
    assert Client().get("/services/0102001000/?division=429005").status_code == 404
    fee = Client().get("/services/0705001000/").content.decode()
    assert "工本费20元" in fee


def test_blank_form_download_is_an_attachment(demo):
    material = (
        Material.objects.filter(
            implementation__item__code="0101001000", implementation__division_id="420100"
        )
        .exclude(blank_form="")
        .first()
    )
    response = Client().get(f"/services/0101001000/forms/{material.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition and ".txt" in disposition
    body = b"".join(response.streaming_content).decode()
    assert "营业执照设立登记" in body and "统一社会信用代码" in body
    assert response["X-Content-Type-Options"] == "nosniff"
    # A material of another item, a material without a form, and unknown ids are 404.
    assert Client().get(f"/services/0101002000/forms/{material.pk}/").status_code == 404
    plain = Material.objects.filter(blank_form="").first()
    code = plain.implementation.item.code
    assert Client().get(f"/services/{code}/forms/{plain.pk}/").status_code == 404
    assert Client().get("/services/0101001000/forms/999999/").status_code == 404


def test_safe_filename():
    name = safe_filename('../../etc/"passwd"', ".txt")
    assert "/" not in name and '"' not in name and not name.startswith(".")
    assert "/" not in safe_filename("a/b\\c", ".txt")
    assert safe_filename("", ".txt") == "form.txt"
    assert safe_filename("申请书", ".txt") == "申请书.txt"


def test_life_event_page(demo):
    response = Client().get("/services/events/kaiban-canyindian/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="event-title">开办餐饮店一件事</h1>' in html
    for name in ("营业执照设立登记", "食品经营许可（餐饮服务）", "固定污染源排污登记"):
        assert name in html
    assert "市场监督管理局" in html and "消防救援支队" in html and "生态环境局" in html
    # 营业执照 is needed by three of the items but listed once, as the bundle's own result.
    assert html.count('<th scope="row">营业执照</th>') == 1
    assert "本事项办理结果（营业执照设立登记）" in html
    assert "统一社会信用代码" in html
    assert Client().get("/services/events/nope/").status_code == 404


def test_a_lost_blank_form_file_is_a_404_not_a_500(demo):
    from django.core.files.storage import default_storage

    material = Material.objects.exclude(blank_form="").select_related("implementation__item")[0]
    default_storage.delete(material.blank_form.name)
    try:
        code = material.implementation.item.code
        response = Client().get(f"/services/{code}/forms/{material.pk}/")
        assert response.status_code == 404
        assert "暂时无法下载" in response.content.decode()
    finally:
        from tongban.demo.catalog_loader import load_catalog

        default_storage.delete(material.blank_form.name)
        load_catalog(progress=lambda _line: None)  # puts the file back for later tests
