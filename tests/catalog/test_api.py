"""GET /api/v1/services and /api/v1/services/{code}."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_list_searches_and_paginates(demo):
    client = Client()
    body = client.get("/api/v1/services", {"q": "开饭店", "division": "420100"}).json()
    names = [i["name"] for i in body["items"]]
    assert "营业执照设立登记" in names and "食品经营许可（餐饮服务）" in names
    first = body["items"][0]
    assert first["division_code"] == "420100" and first["url"].startswith("http://testserver/")
    page = client.get("/api/v1/services", {"size": 5}).json()
    assert len(page["items"]) == 5 and page["next"].startswith("http://testserver/api/v1/services?")
    second = client.get(page["next"]).json()
    assert {i["url"] for i in second["items"]}.isdisjoint({i["url"] for i in page["items"]})


def test_list_filters(demo):
    body = (
        Client()
        .get("/api/v1/services", {"division": "429005", "department": "mzj", "audience": "person"})
        .json()
    )
    assert body["items"] and {i["department_code"] for i in body["items"]} == {"mzj"}
    event = Client().get("/api/v1/services", {"event": "kaiban-canyindian"}).json()
    assert len(event["items"]) == 4 and event["next"] is None


def test_detail_has_form_materials_limits_fees_and_process(demo):
    body = Client().get("/api/v1/services/0101002000", {"division": "420900"}).json()
    assert body["name"] == "食品经营许可（餐饮服务）"
    assert body["division_code"] == "420900"
    assert body["statutory_limit"] == 20 and body["promised_limit"] == 7  # 孝感's own limit
    assert body["process_key"] == "two_step_review"
    assert body["form_schema"]["type"] == "object"
    assert body["fee_free"] is True and body["fees"] == "不收费"
    sources = {m["source"] for m in body["materials"]}
    assert sources == {"upload", "licence"}
    blank = [m for m in body["materials"] if m["blank_form_url"]]
    assert blank and blank[0]["blank_form_url"].endswith(f"/forms/{blank[0]['id']}/")
    wuhan = Client().get("/api/v1/services/0101002000?division=420102").json()
    assert wuhan["division_code"] == "420100" and wuhan["promised_limit"] == 5


def test_detail_errors(demo):
    missing = Client().get("/api/v1/services/NOPE")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "服务事项不存在", "field": "code"}
    not_here = Client().get("/api/v1/services/0102001000?division=429005")
    assert not_here.status_code == 404 and "未实施" in not_here.json()["message"]
    bad_division = Client().get("/api/v1/services/0102001000?division=999999")
    assert bad_division.status_code == 404


def test_list_errors_are_422_with_chinese_messages(demo):
    for params in ({"audience": "robot"}, {"cursor": "%%%"}, {"size": "many"}):
        response = Client().get("/api/v1/services", params)
        assert response.status_code == 422, params
        assert set(response.json()) == {"code", "message", "field"}
    assert Client().get("/api/v1/services", {"division": "999999"}).status_code == 404


@pytest.mark.parametrize("params", [{}, {"q": "营业执照"}, {"q": "食品", "division": "420102"}])
def test_list_query_count_is_bounded(demo, django_assert_max_num_queries, params):
    client = Client()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/services", {**params, "size": 50})
    assert response.status_code == 200


def test_openapi_documents_the_catalog(demo):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "/api/v1/services" in paths and "/api/v1/services/{code}" in paths
