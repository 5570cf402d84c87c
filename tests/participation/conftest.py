"""Participation tests: helpers that create drafts and surveys through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tongban.accounts.selectors import user_by_username
from tongban.org.selectors import department_by_code
from tongban.participation import selectors, services
from tongban.participation.models import Solicitation, Survey

DRAFT = {
    "title": "《武汉市餐饮油烟污染防治管理办法（征求意见稿）》",
    "summary": "为防治餐饮油烟污染，起草了本办法。",
    "body": "第一条 为了防治餐饮油烟污染，制定本办法。\n第二条 本办法适用于本市。",
    "contact_phone": "027-85881234",
}
QUESTIONS: list[dict[str, Any]] = [
    {"kind": "single", "text": "最突出的环境问题？", "choices": ["油烟", "噪声", "水质"]},
    {
        "kind": "multiple",
        "text": "优先治理？",
        "choices": ["尾气", "废气", "噪声", "垃圾"],
        "min_choices": 1,
        "max_choices": 2,
    },
    {"kind": "scale", "text": "空气质量满意度", "scale_max": 5},
    {"kind": "text", "text": "建议", "required": False, "max_length": 20},
]


def user(username: str) -> Any:
    found = user_by_username(username)
    assert found is not None
    return found


def department_id(code: str, division: str = "420100") -> int:
    found = department_by_code(division_code=division, code=code)
    assert found is not None
    return found.pk


def post(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **(headers or {})
    )


@pytest.fixture
def draft(demo) -> Callable[..., Solicitation]:
    """A draft of 生态环境局 (reviewer huanbao); ``start``/``end`` are days from today."""

    def _make(start: int = -1, end: int = 20) -> Solicitation:
        today = selectors.today()
        return services.solicitation_create(
            actor=user("huanbao"),
            department_id=department_id("sthjj"),
            starts_on=today + timedelta(days=start),
            ends_on=today + timedelta(days=end),
            **DRAFT,
        )

    return _make


@pytest.fixture
def survey(demo) -> Callable[..., Survey]:
    def _make(anonymous: bool = True) -> Survey:
        today = selectors.today()
        return services.survey_create(
            actor=user("huanbao"),
            department_id=department_id("sthjj"),
            title="生态环境满意度调查",
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=10),
            anonymous=anonymous,
            questions=QUESTIONS,
        )

    return _make


def valid_answers(survey: Survey) -> dict[str, Any]:
    """JSON answers for every question: first choice, first two choices, 4, a text."""
    q = selectors.survey_questions(survey)
    c0 = [c.pk for c in q[0].choices.all()]
    c1 = [c.pk for c in q[1].choices.all()]
    return {str(q[0].pk): c0[0], str(q[1].pk): c1[:2], str(q[2].pk): 4, str(q[3].pk): "多种树"}
