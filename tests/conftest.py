"""Fixtures shared by the whole suite: the demo province and signed-in clients."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.loader import load_demo


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    """The demo province: divisions, departments, accounts, OIDC client, news, processes."""
    return load_demo(
        progress=lambda _line: None,
        catalog=False,
        sample_cases=False,
        exchange=False,
        interaction=False,
        opendata=False,
        analytics=False,
        office=False,
    )


@pytest.fixture
def demo_catalog(db):
    """The whole demo, including the service catalog."""
    return load_demo(
        progress=lambda _line: None,
        sample_cases=False,
        exchange=False,
        interaction=False,
        opendata=False,
        analytics=False,
        office=False,
    )


@pytest.fixture
def login_as(demo):
    """A Django test client signed in as the given demo user (session login)."""

    def _login(username: str) -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:500]
        return client

    return _login


@pytest.fixture
def api_token(demo):
    """A bearer token for the given demo user, from POST /api/v1/auth/token."""

    def _token(username: str) -> dict[str, str]:
        response = Client().post(
            "/api/v1/auth/token",
            {"username": username, "password": DEMO_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}

    return _token
