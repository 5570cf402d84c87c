"""GET /api/v1/org/departments: the department ids other API clients address departments by."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.org.models import Department

URL = "/api/v1/org/departments"


@pytest.mark.django_db
def test_departments_of_a_division_with_full_names(demo):
    body = Client().get(URL, {"division": "420100", "size": "100"}).json()
    assert body["next"] is None
    items = body["items"]
    assert all(
        set(item) == {"id", "code", "name", "full_name", "division", "division_name"}
        for item in items
    )
    assert all(item["division"] == "420100" for item in items)
    scjg = next(item for item in items if item["code"] == "scjg")
    assert scjg["name"] == "市场监督管理局"
    assert scjg["full_name"] == "武汉市市场监督管理局"
    assert scjg["id"] == Department.objects.get(division_id="420100", code="scjg").pk
    assert len(items) == Department.objects.filter(division_id="420100").count()


@pytest.mark.django_db
def test_keyset_pages_cover_every_department_once(demo):
    seen: list[int] = []
    url: str | None = f"{URL}?size=7"
    while url:
        response = Client().get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= 7
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert seen == sorted(seen)
    assert seen == list(Department.objects.order_by("id").values_list("id", flat=True))
    xg = Client().get(URL, {"division": "420900", "size": "100"}).json()["items"]
    assert any(item["full_name"] == "孝感市市场监督管理局" for item in xg)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("division", "status", "code"),
    [("999999", 404, "not_found"), ("4201", 422, "invalid"), ("42010a", 422, "invalid")],
)
def test_unknown_or_malformed_division(demo, division, status, code):
    response = Client().get(URL, {"division": division})
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["field"] == "division"
    assert "行政区划" in body["message"]


@pytest.mark.django_db
def test_bad_cursor_is_invalid_input(demo):
    response = Client().get(URL, {"cursor": "%%%"})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"
