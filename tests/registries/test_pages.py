from __future__ import annotations

from tests.registries.test_services import ingest_all
from tongban.registries.models import AttributeValue, Conflict, ConflictStatus


def test_steward_pages(login_as):
    ingest_all()
    client = login_as("shuju")
    summary = client.get("/registries/")
    assert summary.status_code == 200
    text = summary.content.decode()
    assert "基础库" in text and "<svg" in text and "概率匹配" in text
    page = client.get("/registries/conflicts/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "武汉市洪山区珞喻路1037号" in text and "人社参保" in text and "公安户籍" in text
    conflict = Conflict.objects.get(attribute="address")
    value = next(v for v in conflict.values if v["source"] == "rsj")
    response = client.post(
        f"/registries/conflicts/{conflict.pk}/resolve/",
        {"value_source": f"rsj:{value['source_id']}", "note": "核实"},
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RESOLVED
    assert (
        AttributeValue.objects.get(entity=conflict.entity, attribute="address", chosen=True).source
        == "rsj"
    )


def test_pages_refuse_non_stewards(login_as):
    assert login_as("chuangkou").get("/registries/conflicts/").status_code == 403
    assert login_as("zhangsan").get("/registries/").status_code == 403
