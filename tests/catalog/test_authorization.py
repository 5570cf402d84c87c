"""Who may use the catalog: every page and endpoint is public; the admin needs a data
steward (or an administrator)."""

import pytest
from django.test import Client

from tongban.catalog.models import Material
from tongban.demo.data import DEMO_PASSWORD

ANON, CITIZEN, CLERK, OTHER, STEWARD = "anonymous", "zhangsan", "chuangkou", "xg-scjg", "shuju"
EVERYONE = (ANON, CITIZEN, CLERK, OTHER, STEWARD)


def client_for(who: str) -> Client:
    client = Client()
    if who != ANON:
        response = client.post("/accounts/login/", {"username": who, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    return client


def form_url() -> str:
    material = Material.objects.filter(
        implementation__item__code="0101001000", implementation__division_id="420100"
    ).exclude(blank_form="")[0]
    return f"/services/0101001000/forms/{material.pk}/"


PUBLIC = [
    "/services/",
    "/services/?q=营业执照&division=420100",
    "/services/0101001000/",
    "/services/0101001000/?division=420900",
    "/services/events/kaiban-canyindian/",
    "{form}",
    "/api/v1/services",
    "/api/v1/services?q=食品",
    "/api/v1/services/0101001000",
]
ADMIN = [
    (
        "/admin/catalog/serviceitem/",
        {ANON: 302, CITIZEN: 302, CLERK: 302, OTHER: 302, STEWARD: 200},
    ),
    (
        "/admin/catalog/itemimplementation/",
        {ANON: 302, CITIZEN: 302, CLERK: 302, OTHER: 302, STEWARD: 200},
    ),
    (
        "/admin/catalog/lifeeventbundle/",
        {ANON: 302, CITIZEN: 302, CLERK: 302, OTHER: 302, STEWARD: 200},
    ),
    (
        "/admin/catalog/serviceitem/add/",
        {ANON: 302, CITIZEN: 302, CLERK: 302, OTHER: 302, STEWARD: 200},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", EVERYONE)
def test_catalog_is_public(demo, who):
    client = client_for(who)
    for path in PUBLIC:
        url = form_url() if path == "{form}" else path
        response = client.get(url)
        assert response.status_code == 200, (path, response.content[:300])
        if path.startswith("/services/"):
            assert client.post(url).status_code == 405, path


@pytest.mark.django_db
@pytest.mark.parametrize("who", EVERYONE)
def test_catalog_admin_needs_a_data_steward(demo, who):
    client = client_for(who)
    for path, expected in ADMIN:
        response = client.get(path)
        assert response.status_code == expected[who], path
        if expected[who] == 302:
            assert response["Location"].startswith("/admin/login/")
