"""Open data pages through the Django test client: search with facets and paging, the
dataset page, downloads (counts, conditional access), the API guide, API keys and the
stewards' workbench, with their permission checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tongban.opendata.models import AccessApplication, ApiKey, Dataset, Distribution, Group

from .factories import make_resource, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo: Any, tmp_path: Path) -> dict[str, Any]:
    Group.objects.create(name="transport", title="交通出行", eu_theme="TRAN")
    stops = publish(make_resource(tmp_path, code="900300100001"), groups=["transport"])
    air = publish(
        make_resource(tmp_path, code="900300100002", open_type="conditional"),
        name="air",
        title="空气质量日报",
        tags=["环境"],
        terms="仅限科研用途，不得转售。",
    )
    return {"stops": stops, "air": air}


def test_search_page_with_facets(world: dict[str, Any]) -> None:
    page = Client().get("/data/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "武汉市公交站点" in text and "空气质量日报" in text
    assert "交通出行" in text and "有条件开放" in text and "?res_format=CSV" in text
    found = Client().get("/data/", {"q": "空气", "access": "conditional"}).content.decode()
    assert "空气质量日报" in found and "武汉市公交站点" not in found
    assert "没有找到" in Client().get("/data/", {"q": "不存在的词"}).content.decode()
    # Unknown sorts and page numbers do not break the page.
    assert Client().get("/data/", {"sort": "x", "page": "999"}).status_code == 200


def test_search_pages(demo: Any, tmp_path: Path) -> None:
    for i in range(21):
        publish(make_resource(tmp_path, code=f"9003002{i:05d}"), name=f"ds-{i:02d}")
    first = Client().get("/data/").content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    second = Client().get("/data/", {"page": "2"}).content.decode()
    assert second.count('<li>\n        <h3><a href="/data/dataset/') == 1


def test_dataset_page_open(world: dict[str, Any]) -> None:
    stops = world["stops"]
    text = Client().get(f"/data/dataset/{stops.name}/").content.decode()
    assert "数据字典" in text and "线路数" in text and "公交站020" in text
    assert "公交站021" not in text  # the preview shows 20 rows
    assert "/data/download/" in text and "420100-zsj" in text
    assert Client().get("/data/dataset/nope/").status_code == 404


def test_dataset_page_conditional(world: dict[str, Any], login_as: Any) -> None:
    air = world["air"]
    text = Client().get(f"/data/dataset/{air.name}/").content.decode()
    assert "仅限科研用途" in text and "登录后申请" in text
    assert "公交站001" not in text and "/data/download/" not in text
    client = login_as("zhangsan")
    assert 'name="terms_accepted"' in client.get(f"/data/dataset/{air.name}/").content.decode()
    refused = client.post(f"/data/dataset/{air.name}/apply/", {"purpose": "研究空气质量"})
    assert refused.status_code == 302
    assert not AccessApplication.objects.exists()
    applied = client.post(
        f"/data/dataset/{air.name}/apply/", {"purpose": "研究空气质量", "terms_accepted": "on"}
    )
    assert applied.status_code == 302
    assert AccessApplication.objects.get().status == "pending"
    assert "待审核" in client.get(f"/data/dataset/{air.name}/").content.decode()


def test_download_counts_and_streams(world: dict[str, Any]) -> None:
    distribution = Distribution.objects.get(dataset=world["stops"], format="CSV")
    response = Client().get(f"/data/download/{distribution.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbfstop,district,lines")
    distribution.refresh_from_db()
    assert distribution.download_count == 1
    assert Client().get("/data/download/nope/").status_code == 404


def test_conditional_download_needs_an_approved_application(
    world: dict[str, Any], login_as: Any
) -> None:
    air = world["air"]
    distribution = Distribution.objects.get(dataset=air, format="JSON")
    url = f"/data/download/{distribution.pk}/"
    assert Client().get(url).status_code == 403
    client = login_as("zhangsan")
    assert client.get(url).status_code == 403
    client.post(
        f"/data/dataset/{air.name}/apply/", {"purpose": "研究空气质量", "terms_accepted": "on"}
    )
    application = AccessApplication.objects.get()
    steward = login_as("shuju")
    assert "研究空气质量" in steward.get("/workbench/opendata/").content.decode()
    decided = steward.post(
        f"/workbench/opendata/applications/{application.pk}/decide/", {"decision": "approve"}
    )
    assert decided.status_code == 302
    assert client.get(url).status_code == 200
    distribution.refresh_from_db()
    assert distribution.download_count == 1
    assert "公交站001" in client.get(f"/data/dataset/{air.name}/").content.decode()


def test_api_guide(world: dict[str, Any]) -> None:
    text = Client().get("/data/api/").content.decode()
    assert "/api/3/action/package_search" in text and "/catalog.ttl" in text
    assert "Authorization:" in text


def test_api_keys_page(demo: Any, login_as: Any) -> None:
    assert Client().get("/data/keys/").status_code == 302  # to the login page
    client = login_as("zhangsan")
    assert "还没有接口密钥" in client.get("/data/keys/").content.decode()
    created = client.post("/data/keys/", {"name": "我的脚本"}).content.decode()
    key = ApiKey.objects.get()
    assert "只显示这一次" in created and f'<code class="secret">{key.prefix}' in created
    listed = client.get("/data/keys/").content.decode()
    assert "我的脚本" in listed and "只显示这一次" not in listed
    assert client.post("/data/keys/", {"name": ""}).status_code == 422
    other = login_as("lisi")
    assert other.post(f"/data/keys/{key.pk}/revoke/").status_code == 404
    assert client.post(f"/data/keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert not key.active


def test_workbench_permissions(world: dict[str, Any], login_as: Any) -> None:
    assert Client().get("/workbench/opendata/").status_code == 302
    assert login_as("zhangsan").get("/workbench/opendata/").status_code == 403
    assert login_as("chuangkou").get("/workbench/opendata/").status_code == 403
    text = login_as("shuju").get("/workbench/opendata/").content.decode()
    assert "900300100001" in text and "武汉市公交站点" in text
    other = login_as("rsj-shuju")
    refused = other.post(
        f"/workbench/opendata/datasets/{world['stops'].name}/withdraw/", {"reason": "测试撤回"}
    )
    assert refused.status_code == 403
    assert Dataset.objects.get(pk=world["stops"].pk).state == "active"


def test_workbench_publish_and_withdraw(demo: Any, tmp_path: Path, login_as: Any) -> None:
    code = make_resource(tmp_path, code="900300100003")
    steward = login_as("shuju")
    form = steward.get("/workbench/opendata/publish/", {"resource_code": code})
    assert form.status_code == 200 and code in form.content.decode()
    data = {
        "resource_code": code,
        "name": "bus-stops",
        "title": "公交站点",
        "tags": "公交，站点",
        "license_id": "CC-BY-4.0",
        "frequency": "MONTHLY",
        "contact_name": "吴数据",
        "contact_email": "not-an-email",
    }
    invalid = steward.post("/workbench/opendata/publish/", data)
    assert invalid.status_code == 422 and "联系邮箱格式不正确" in invalid.content.decode()
    published = steward.post(
        "/workbench/opendata/publish/", {**data, "contact_email": "a@b.example.cn"}
    )
    assert published.status_code == 302 and published["Location"] == "/data/dataset/bus-stops/"
    dataset = Dataset.objects.get(name="bus-stops")
    assert sorted(t.name for t in dataset.tags.all()) == ["公交", "站点"]
    steward.post("/workbench/opendata/datasets/bus-stops/withdraw/", {"reason": "数据有误"})
    assert Dataset.objects.get(name="bus-stops").state == "withdrawn"
    assert Client().get("/data/dataset/bus-stops/").status_code == 404
