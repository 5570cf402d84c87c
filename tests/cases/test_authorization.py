"""Every cases endpoint × (anonymous, the applicant, another citizen, staff of the handling
division, staff of another division): who may do what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.cases.conftest import PDF, RESTAURANT_FORM
from tongban.cases import selectors

OWNER, OTHER, STAFF, FOREIGN = "hbcanyin", "zhangsan", "chuangkou", "xg-scjg"


@pytest.fixture
def draft(api):
    response = api(OWNER).post(
        "/applications", {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
    )
    return response.json()


@pytest.fixture
def submitted(api, restaurant_case):
    case = restaurant_case()
    return api(OWNER).get(f"/applications/{case['id']}").json()


def _call(client, method, path, headers, body=None):
    url = f"/api/v1{path}"
    if method == "get":
        return client.get(url, **headers)
    if method == "upload":
        return client.post(url, body, **headers)
    return getattr(client, method)(url, body or {}, content_type="application/json", **headers)


def _headers(api, who):
    return {} if who is None else api(who).headers


def _upload(case):
    name = case["required_materials"][0]["name"]
    return {"name": name, "file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")}


DRAFT_ROUTES = [
    ("get", "/applications/{id}", None, {None: 401, OWNER: 200, OTHER: 404, FOREIGN: 404}),
    (
        "put",
        "/applications/{id}/form",
        {"form": RESTAURANT_FORM},
        {None: 401, OWNER: 200, OTHER: 404, STAFF: 404, FOREIGN: 404},
    ),
    (
        "upload",
        "/applications/{id}/materials",
        "upload",
        {None: 401, OTHER: 404, STAFF: 404, OWNER: 201},
    ),
    ("post", "/applications/{id}/submit", None, {None: 401, OTHER: 404, STAFF: 404}),
    (
        "post",
        "/applications/{id}/withdraw",
        None,
        {None: 401, OTHER: 404, STAFF: 404, FOREIGN: 404, OWNER: 200},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), DRAFT_ROUTES)
def test_draft_routes(api, draft, method, path, body, expected):
    for who, status in expected.items():
        payload = _upload(draft) if body == "upload" else body
        response = _call(Client(), method, path.format(id=draft["id"]), _headers(api, who), payload)
        assert response.status_code == status, (who, response.content.decode())


def test_submitted_case_and_its_files(api, submitted):
    case_id = submitted["id"]
    material = submitted["materials"][0]["id"]
    expectations = {None: 401, OWNER: 200, OTHER: 404, STAFF: 200, FOREIGN: 404, "jiancha": 200}
    for who, status in expectations.items():
        headers = _headers(api, who)
        assert _call(Client(), "get", f"/applications/{case_id}", headers).status_code == status
        file_path = f"/applications/{case_id}/materials/{material}/file"
        assert _call(Client(), "get", file_path, headers).status_code == status, who


def test_lists_and_library_show_only_the_callers_own(api, submitted):
    assert Client().get("/api/v1/applications").status_code == 401
    assert Client().get("/api/v1/applications/files").status_code == 401
    assert [c["id"] for c in api(OWNER).get("/applications").json()["items"]] == [submitted["id"]]
    assert api(OTHER).get("/applications").json()["items"] == []
    assert api(OTHER).get("/applications/files").json() == []
    assert api(STAFF).get("/applications").json()["items"] == []


def test_creating_needs_an_applicant_account(api, demo):
    body = {"bundle": "kaiban-canyindian", "form": RESTAURANT_FORM}
    assert Client().post("/api/v1/applications", body, "application/json").status_code == 401
    assert api(STAFF).post("/applications", body).status_code == 403
    assert api(OWNER).post("/applications", body).status_code == 201


def test_status_query_needs_no_login(client, submitted):
    response = client.get(
        "/api/v1/applications/status",
        {"number": submitted["number"], "id_number": "91420100MA4KXL7P09"},
    )
    assert response.status_code == 200


def test_appointment_routes(api, demo):
    window = selectors.windows_of(division_code="420100")[0]
    assert Client().get(f"/api/v1/appointments/slots?window={window.pk}").status_code == 401
    assert Client().get("/api/v1/appointments").status_code == 401
    assert Client().post("/api/v1/appointments", {}, "application/json").status_code == 401
    slot = api(OTHER).get(f"/appointments/slots?window={window.pk}").json()[0]
    assert api(STAFF).post("/appointments", {"slot": slot["id"]}).status_code == 403
    booked = api(OTHER).post("/appointments", {"slot": slot["id"]}).json()
    assert api(OWNER).post(f"/appointments/{booked['id']}/cancel").status_code == 404
    assert api(STAFF).post(f"/appointments/{booked['id']}/cancel").status_code == 404
    assert api(OWNER).get("/appointments").json() == []
