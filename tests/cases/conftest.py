"""Cases need the whole catalog (items, the restaurant bundle, forms, materials)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tongban.core.services import outbox_deliver

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

RESTAURANT_FORM = {
    "entity_name": "湖北楚味餐饮有限公司",
    "credit_code": "91420100MA4KXL7P09",
    "legal_representative": "张三",
    "phone": "13800001234",
    "address": "武汉市江汉区解放大道 100 号",
    "registered_capital": 50,
    "business_scope": "餐饮服务",
    "business_area": 120,
    "pollutants": "油烟、餐厨废水",
}


@pytest.fixture
def demo(demo_catalog):
    return demo_catalog


class Api:
    """A signed-in API client for one demo user (bearer token)."""

    def __init__(self, headers: dict[str, str]):
        self.client, self.headers = Client(), headers

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(f"/api/v1{path}", **self.headers, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.headers, **extra
        )

    def put(self, path: str, body: Any = None) -> Any:
        return self.client.put(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.headers
        )

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/v1{path}", data, **self.headers)


@pytest.fixture
def api(api_token) -> Callable[[str], Api]:
    """One client per user and test: tokens are rate-limited like any client's."""
    clients: dict[str, Api] = {}

    def _api(username: str) -> Api:
        if username not in clients:
            clients[username] = Api(api_token(username))
        return clients[username]

    return _api


def upload_pdf(applicant: Api, case_id: int, name: str, content: bytes = PDF) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("material.pdf", content, content_type="application/pdf")
    return applicant.upload(f"/applications/{case_id}/materials", {"name": name, "file": upload})


def provide_materials(applicant: Api, case: dict[str, Any]) -> None:
    for material in case["required_materials"]:
        if material["required"]:
            response = upload_pdf(applicant, case["id"], material["name"])
            assert response.status_code == 201, response.content.decode()


@pytest.fixture
def restaurant_case(api) -> Callable[..., dict[str, Any]]:
    """Create and submit the restaurant bundle as ``hbcanyin``; returns the case JSON."""

    def _make(username: str = "hbcanyin", submit: bool = True) -> dict[str, Any]:
        applicant = api(username)
        response = applicant.post(
            "/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
        )
        assert response.status_code == 201, response.content.decode()
        case = response.json()
        provide_materials(applicant, case)
        if submit:
            response = applicant.post(f"/applications/{case['id']}/submit")
            assert response.status_code == 200, response.content.decode()
            case = response.json()
        return case

    return _make


def task_of(staff: Api, case_id: int) -> dict[str, Any]:
    """The open task of ``case_id`` in the staff member's inbox."""
    items = staff.get("/tasks").json()["items"]
    found = [t for t in items if t["business_type"] == "case" and t["business_id"] == str(case_id)]
    assert len(found) == 1, items
    return found[0]


def decide(staff: Api, case_id: int, decision: str, comment: str = "") -> Any:
    task = task_of(staff, case_id)
    return staff.post(f"/tasks/{task['id']}/complete", {"decision": decision, "comment": comment})


def deliver() -> None:
    while outbox_deliver():
        pass
