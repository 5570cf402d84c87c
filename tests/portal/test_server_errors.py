"""An unreachable database answers 503 with a retry hint and a plain message, in the API's
error shape under /api/; any other unhandled error answers 500 without details."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

SEARCH = "tongban.catalog.selectors.service_search"


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_a_page_during_a_database_outage_says_retry_later(demo):
    with mock.patch(SEARCH, side_effect=OperationalError("server closed the connection")):
        response = _client().get("/services/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "服务暂时不可用" in page and "稍后重试" in page
    assert "server closed" not in page


def test_the_api_during_a_database_outage_answers_in_its_error_shape(demo):
    with mock.patch(SEARCH, side_effect=OperationalError("connection refused")):
        response = _client().get("/api/v1/services?q=营业执照")
    assert response.status_code == 503
    assert response.json() == {
        "code": "service_unavailable",
        "message": "系统正在恢复，请稍后重试。",
        "field": None,
    }


def test_other_errors_are_a_plain_500_without_details(demo):
    with mock.patch(SEARCH, side_effect=RuntimeError("secret detail")):
        page = _client().get("/services/")
        api = _client().get("/api/v1/services?q=x")
    assert (page.status_code, api.status_code) == (500, 500)
    assert "secret detail" not in page.content.decode() + api.content.decode()
    assert api.json()["code"] == "server_error"
    assert "Retry-After" not in page
