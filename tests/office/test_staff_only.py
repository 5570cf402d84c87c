"""The collaborative office (协同办公) is for staff: a citizen or an enterprise gets 403 with
a message that says why from every office endpoint (bearer token or browser session) and
every office page, instead of empty lists; staff are answered as before."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tongban.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MESSAGE = "协同办公仅限工作人员使用"
LISTS = (
    "/documents",
    "/documents/incoming",
    "/documents/search?q=检查",
    "/work-items",
    "/notices",
    "/groups",
    "/meetings",
    "/internal-requests",
    "/office/overdue",
)


def office_operations() -> list[tuple[str, str]]:
    """Every operation of the office API (tag 协同办公) as (method, path template)."""
    schema = Client().get("/api/openapi.json").json()
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "协同办公" in operation.get("tags", [])
    ]


@pytest.mark.parametrize("username", ["zhangsan", "hbcanyin"])
def test_citizens_and_enterprises_get_403_from_every_list(api_token: Any, username: str) -> None:
    headers = api_token(username)
    for path in LISTS:
        response = Client().get(f"/api/v1{path}", **headers)
        assert response.status_code == 403, path
        assert response.json() == {
            "code": "permission_denied",
            "message": MESSAGE,
            "field": None,
        }


def test_every_office_operation_refuses_a_citizen(api_token: Any) -> None:
    headers = api_token("zhangsan")
    operations = office_operations()
    assert len(operations) > 40
    for method, template in operations:
        # Path ids name no object: the refusal comes before any lookup. Queries the
        # operation requires are given.
        path = re.sub(r"\{[a-z_]+\}", "1", template)
        query = {"a": 1, "b": 1} if template.endswith("/diff") else {}
        if method == "get":
            response = Client().get(path, query, **headers)
        else:
            response = getattr(Client(), method)(
                path, {}, content_type="application/json", **headers
            )
        # A body that does not parse is refused by the parsing layer first (422).
        assert response.status_code in (403, 422), (method, path, response.status_code)
        if response.status_code == 403:
            assert response.json()["message"] == MESSAGE, (method, path)


def test_a_citizen_may_not_draft_even_with_a_valid_body(api_token: Any, office_org: Any) -> None:
    response = Client().post(
        "/api/v1/documents",
        {"title": "关于请求的报告", "body": "正文。", "main_recipients": [office_org.xg_scjg.pk]},
        content_type="application/json",
        **api_token("zhangsan"),
    )
    assert response.status_code == 403 and response.json()["message"] == MESSAGE
    denied = AuditEntry.objects.filter(
        action="permission.denied", actor_id=office_org.user("zhangsan").pk
    )
    assert denied.exists()


def test_the_browser_session_is_refused_too(login_as: Any) -> None:
    response = login_as("zhangsan").get("/api/v1/documents")
    assert response.status_code == 403 and response.json()["message"] == MESSAGE


def test_staff_are_answered_as_before(api_token: Any) -> None:
    # Staff outside every office route see empty lists; anonymous callers must sign in.
    for path in ("/documents", "/documents/incoming", "/groups", "/meetings"):
        response = Client().get(f"/api/v1{path}", **api_token("chuangkou"))
        assert response.status_code == 200 and response.json()["items"] == [], path
    assert Client().get("/api/v1/documents/999999", **api_token("scjg")).status_code == 404
    assert Client().get("/api/v1/documents").status_code == 401


def test_the_office_pages_refuse_citizens(login_as: Any) -> None:
    citizen = login_as("zhangsan")
    for page in ("documents", "incoming", "work-items", "notices", "groups", "meetings"):
        assert citizen.get(f"/workbench/office/{page}/").status_code == 403, page
    # A group's shared file goes to its members only, and they are all staff.
    assert citizen.get("/workbench/office/groups/1/files/1/").status_code == 404
