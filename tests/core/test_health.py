import pytest


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == "ok"
    assert "no-cache" in health["Cache-Control"]


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_production_settings_require_secrets(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("TONGBAN_PLATFORM_KEY", raising=False)
    sys.modules.pop("tongban.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="must be set in production"):
        importlib.import_module("tongban.settings.production")


def test_production_settings_turn_on_hsts_and_secure_cookies(monkeypatch):
    import importlib
    import sys

    for name in (
        "SECRET_KEY",
        "TONGBAN_FIELD_KEY",
        "TONGBAN_LOOKUP_KEY",
        "TONGBAN_PLATFORM_KEY",
        "TONGBAN_OIDC_RSA_KEY",
    ):
        monkeypatch.setenv(name, "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/db")
    sys.modules.pop("tongban.settings.production", None)
    production = importlib.import_module("tongban.settings.production")
    sys.modules.pop("tongban.settings.production", None)
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.DEBUG is False and production.TONGBAN_STAFF_MFA_REQUIRED
