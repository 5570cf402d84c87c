"""Who may use what: every page and endpoint against anonymous callers, a citizen, staff of
the department and role that the function is for, and staff of another department."""

import pytest
from django.test import Client

from tongban.accounts.models import User
from tongban.demo.data import DEMO_PASSWORD

ANON, CITIZEN, RIGHT, OTHER = "anonymous", "zhangsan", "chuangkou", "xg-scjg"


def client_for(who: str) -> Client:
    client = Client()
    if who != ANON:
        response = client.post("/accounts/login/", {"username": who, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    return client


def bearer_for(who: str) -> dict[str, str]:
    if who == ANON:
        return {}
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": who, "password": DEMO_PASSWORD},
            content_type="application/json",
        )
        .json()["access_token"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def lisi_id() -> int:
    return User.objects.get(username="lisi").pk


def url_for(path: str) -> str:
    from tongban.disclosure.models import Article

    if "{article}" in path:
        return path.format(article=Article.objects.get(slug="wuhan-kaidian").pk)
    return path.format(lisi=lisi_id()) if "{lisi}" in path else path


PAGES = [
    # (method, path, {who: expected status})
    ("get", "/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/d/420100/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/d/999999/", {ANON: 404, CITIZEN: 404, RIGHT: 404, OTHER: 404}),
    ("get", "/accounts/login/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/accounts/register/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/me/", {ANON: 302, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/workbench/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/workbench/citizens/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 403}),
    (
        "post",
        "/workbench/citizens/{lisi}/reveal/",
        {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 403},
    ),
    ("get", "/accounts/mfa/setup/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/admin/", {ANON: 302, CITIZEN: 302, RIGHT: 302, OTHER: 302}),
    ("get", "/workbench/tasks/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/workbench/tasks/done/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/accounts/mfa/verify/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/d/420100/news/{article}/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("post", "/prefs/elderly/", {ANON: 302, CITIZEN: 302, RIGHT: 302, OTHER: 302}),
    ("post", "/accounts/logout/", {ANON: 302, CITIZEN: 302, RIGHT: 302, OTHER: 302}),
    ("get", "/my/cases/", {ANON: 302, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/my/cases/999999/", {ANON: 302, CITIZEN: 404, RIGHT: 404, OTHER: 404}),
    ("get", "/workbench/cases/999999/", {ANON: 302, CITIZEN: 403, RIGHT: 404, OTHER: 404}),
    ("get", "/my/appointments/", {ANON: 302, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/status/", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/healthz", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/readyz", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/api/docs", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    (
        "get",
        "/o/.well-known/openid-configuration",
        {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200},
    ),
    (
        "get",
        "/o/authorize/?client_id=demo-legacy&response_type=code",
        {ANON: 302, CITIZEN: 302, RIGHT: 302, OTHER: 302},
    ),
    # The collaborative office (协同办公): staff only; each lists what the caller may see.
    *(
        ("get", f"/workbench/office/{page}/", {ANON: 302, CITIZEN: 403, RIGHT: 200, OTHER: 200})
        for page in (
            "documents",
            "documents/search",
            "incoming",
            "work-items",
            "notices",
            "groups",
            "meetings",
            "requests",
        )
    ),
    ("get", "/workbench/office/documents/new/", {ANON: 302, CITIZEN: 403, RIGHT: 403, OTHER: 200}),
    ("get", "/workbench/office/overdue/", {ANON: 302, CITIZEN: 403, RIGHT: 403, OTHER: 403}),
    (
        "get",
        "/workbench/office/documents/999999/",
        {ANON: 302, CITIZEN: 403, RIGHT: 404, OTHER: 404},
    ),
]

API = [
    ("get", "/api/v1/me", {ANON: 401, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/api/v1/citizens", {ANON: 401, CITIZEN: 403, RIGHT: 200, OTHER: 403}),
    ("post", "/api/v1/citizens/{lisi}/reveal", {ANON: 401, CITIZEN: 403, RIGHT: 200, OTHER: 403}),
    ("get", "/api/v1/divisions", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    (
        "get",
        "/api/v1/divisions/420100/departments",
        {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200},
    ),
    ("get", "/api/v1/tasks", {ANON: 401, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/api/v1/divisions/420100", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("get", "/api/openapi.json", {ANON: 200, CITIZEN: 200, RIGHT: 200, OTHER: 200}),
    ("post", "/api/v1/citizens", {ANON: 422, CITIZEN: 422, RIGHT: 422, OTHER: 422}),
    ("get", "/o/userinfo/", {ANON: 401, CITIZEN: 401, RIGHT: 401, OTHER: 401}),
    ("post", "/o/token/", {ANON: 400, CITIZEN: 400, RIGHT: 400, OTHER: 400}),
    # The office API is for staff: a citizen gets 403 from every endpoint, staff outside
    # every office route empty lists.
    *(
        ("get", f"/api/v1/{path}", {ANON: 401, CITIZEN: 403, RIGHT: 200, OTHER: 200})
        for path in (
            "documents",
            "documents/incoming",
            "work-items",
            "notices",
            "groups",
            "meetings",
        )
    ),
    ("get", "/api/v1/internal-requests", {ANON: 401, CITIZEN: 403, RIGHT: 200, OTHER: 200}),
    ("get", "/api/v1/office/overdue", {ANON: 401, CITIZEN: 403, RIGHT: 403, OTHER: 403}),
    ("get", "/api/v1/documents/999999", {ANON: 401, CITIZEN: 403, RIGHT: 404, OTHER: 404}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "expected"), PAGES, ids=[p[1] for p in PAGES])
@pytest.mark.parametrize("who", [ANON, CITIZEN, RIGHT, OTHER])
def test_pages(demo, who, method, path, expected):
    client = client_for(who)
    url = url_for(path)
    data = {"reason": "窗口核验身份"} if method == "post" else None
    response = getattr(client, method)(url, data)
    assert response.status_code == expected[who], response.content.decode()[:300]
    if expected[who] == 403:
        assert "无法完成您的请求" in response.content.decode()
    if path.startswith("/o/authorize/"):
        # Signed-in users are sent back to the client with an error (no PKCE challenge);
        # anonymous ones to the login page first.
        expected_start = "/accounts/login/" if who == ANON else "http://127.0.0.1:8765/callback"
        assert response["Location"].startswith(expected_start)
        assert who == ANON or "error=invalid_request" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "expected"), API, ids=[p[1] for p in API])
@pytest.mark.parametrize("who", [ANON, CITIZEN, RIGHT, OTHER])
def test_api(demo, who, method, path, expected):
    url = url_for(path)
    kwargs = {"content_type": "application/json"} if method == "post" else {}
    body = {"reason": "窗口核验身份"} if method == "post" else None
    response = getattr(Client(), method)(url, body, **kwargs, **bearer_for(who))
    assert response.status_code == expected[who], response.content.decode()[:300]
    if expected[who] in (401, 403) and path.startswith("/api/"):
        assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.django_db
def test_sysadmin_enters_the_admin(demo):
    assert client_for("admin").get("/admin/").status_code == 200
    assert client_for("shuju").get("/admin/").status_code == 200  # data steward


@pytest.mark.django_db
def test_denials_are_audited_even_though_the_write_rolled_back(demo):
    from tongban.core.models import AuditEntry

    client_for(CITIZEN).post(f"/workbench/citizens/{lisi_id()}/reveal/", {"reason": "好奇看看"})
    Client().post(
        f"/api/v1/citizens/{lisi_id()}/reveal",
        {"reason": "好奇看看"},
        content_type="application/json",
        **bearer_for(OTHER),
    )
    denials = AuditEntry.objects.filter(action="permission.denied").order_by("seq")
    assert [d.actor_label for d in denials] == [CITIZEN, OTHER]
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


# Pages of one case (zhangsan's draft of the restaurant bundle, handled by 武汉市 zsj, whose
# window clerk is RIGHT): the applicant, another citizen, staff of the handling department
# and staff of another city. These need the whole catalog.
OTHER_CITIZEN = "lisi"
CASE_PAGES = [
    (
        "get",
        "/my/cases/{case}/",
        {ANON: 302, CITIZEN: 200, OTHER_CITIZEN: 404, RIGHT: 302, OTHER: 404},
    ),
    (
        "get",
        "/my/cases/{case}/withdraw/",
        {ANON: 302, CITIZEN: 200, OTHER_CITIZEN: 404, RIGHT: 404, OTHER: 404},
    ),
    (
        "post",
        "/my/cases/{case}/submit/",
        {ANON: 302, CITIZEN: 422, OTHER_CITIZEN: 404, RIGHT: 404, OTHER: 404},
    ),
    (
        "get",
        "/workbench/cases/{case}/",
        {ANON: 302, CITIZEN: 403, OTHER_CITIZEN: 403, RIGHT: 200, OTHER: 404},
    ),
    (
        "get",
        "/services/events/kaiban-canyindian/apply/",
        {ANON: 302, CITIZEN: 200, OTHER_CITIZEN: 200, RIGHT: 403, OTHER: 403},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", [ANON, CITIZEN, OTHER_CITIZEN, RIGHT, OTHER])
def test_case_pages(demo_catalog, who):
    """One case and one client per caller (loading the catalog is the slow part)."""
    from tests.cases.conftest import RESTAURANT_FORM
    from tongban.cases.services import case_create

    owner = User.objects.get(username=CITIZEN)
    case, _created = case_create(user=owner, bundle="kaiban-canyindian", form=RESTAURANT_FORM)
    client = client_for(who)
    for method, path, expected in CASE_PAGES:
        response = getattr(client, method)(path.format(case=case.pk))
        assert response.status_code == expected[who], (path, response.content.decode()[:300])
