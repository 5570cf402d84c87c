"""Fixtures of the appeal tests: a fixed classifier and a submission helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tongban.interaction import classifier


@pytest.fixture
def fixed_route(monkeypatch):
    """Make the classifier propose ``code`` with ``confidence`` (default: scjg, 0.9)."""

    def _set(code: str = "scjg", confidence: float = 0.9) -> None:
        proposal = classifier.Proposal(code, confidence, [(code, confidence)])
        monkeypatch.setattr(classifier, "propose", lambda _text: proposal)

    _set()
    return _set


@pytest.fixture
def submit(demo, api_token) -> Callable[..., dict[str, Any]]:
    """Submit an appeal through the API as ``username`` and return the JSON answer."""

    def _submit(username: str | None = "zhangsan", **fields: Any) -> dict[str, Any]:
        body = {
            "appeal_type": "complaint",
            "title": "超市出售过期食品",
            "content": "汉口某超市货架上的酸奶已经过期三天仍在销售，请查处。",
            "division_code": "420100",
            **fields,
        }
        headers = api_token(username) if username else {}
        response = Client().post(
            "/api/v1/appeals", body, content_type="application/json", **headers
        )
        assert response.status_code == 201, response.content.decode()
        return response.json()

    return _submit
