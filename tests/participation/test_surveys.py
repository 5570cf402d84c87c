"""Surveys: builder validation, answer validation, one response per person, results
against direct counts, CSV exports and who may have them, the results page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from tests.participation.conftest import QUESTIONS, department_id, post, user, valid_answers
from tongban.core.models import AuditEntry
from tongban.demo.participation_demo import RESPONSES, load_participation
from tongban.participation import selectors
from tongban.participation.models import Answer, Response, Survey

pytestmark = pytest.mark.django_db


def _survey_body(questions: list[dict[str, object]]) -> dict[str, object]:
    today = selectors.today()
    return {
        "department_id": department_id("sthjj"),
        "title": "满意度调查",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=7)),
        "questions": questions,
    }


def test_builder_creates_a_survey(api_token, client):
    response = post(client, "/surveys", _survey_body(QUESTIONS), api_token("huanbao"))
    assert response.status_code == 201, response.content
    questions = response.json()["questions"]
    assert [q["kind"] for q in questions] == ["single", "multiple", "scale", "text"]
    assert len(questions[1]["choices"]) == 4
    assert (
        post(client, "/surveys", _survey_body(QUESTIONS), api_token("xiaofang")).status_code == 403
    )


@pytest.mark.parametrize(
    "question",
    [
        {"kind": "single", "text": "只有一个选项", "choices": ["是"]},
        {"kind": "single", "text": "重复选项", "choices": ["是", "是"]},
        {
            "kind": "multiple",
            "text": "多选",
            "choices": ["a", "b", "c"],
            "min_choices": 3,
            "max_choices": 2,
        },
        {"kind": "scale", "text": "量表", "scale_max": 7},
        {"kind": "ranking", "text": "未知题型"},
    ],
)
def test_builder_refuses_bad_questions(api_token, client, question):
    response = post(
        client, "/surveys", _survey_body([QUESTIONS[0], question]), api_token("huanbao")
    )
    assert response.status_code == 422
    assert response.json()["field"] == "questions.1"
    assert response.json()["message"].startswith("第 2 题")
    assert not Survey.objects.exists()


def test_answers_are_checked_against_the_questions(survey, client):
    item = survey()
    q = selectors.survey_questions(item)
    good = valid_answers(item)
    other_choice = selectors.survey_questions(item)[1].choices.all()[0].pk
    cases: list[tuple[dict[str, Any], Any, str]] = [
        ({str(q[0].pk): None}, q[0], "此题为必答题"),
        ({str(q[0].pk): other_choice}, q[0], "所选选项无效"),
        ({str(q[1].pk): [c.pk for c in q[1].choices.all()][:3]}, q[1], "最多选择 2 项"),
        ({str(q[2].pk): 6}, q[2], "请在 1 到 5 之间选择"),
        ({str(q[3].pk): "长" * 21}, q[3], "回答不能超过 20 字"),
    ]
    for change, question, message in cases:
        response = post(client, f"/surveys/{item.pk}/responses", {"answers": {**good, **change}})
        assert response.status_code == 422, (change, response.content)
        assert response.json() == {
            "code": "invalid",
            "message": message,
            "field": f"q{question.pk}",
        }
    assert not Response.objects.exists()


def test_one_response_per_person(survey, api_token, client):
    item = survey(anonymous=False)
    path = f"/surveys/{item.pk}/responses"
    body = {"answers": valid_answers(item)}
    assert post(client, path, body).status_code == 401  # real name: login first
    headers = api_token("zhangsan")
    assert post(client, path, body, headers).status_code == 201
    again = post(client, path, body, headers)
    assert again.status_code == 409
    assert "只能提交一次" in again.json()["message"]
    assert Response.objects.get().user == user("zhangsan")
    # The database refuses a second row even if two requests pass the check together.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=item, user=user("zhangsan"), respondent_key="other", client_hash="x"
        )


def test_anonymous_responses_keyed_by_cookie_and_not_linked_to_users(survey, login_as):
    item = survey()
    page = Client()
    form = {f"q{k}": v for k, v in valid_answers(item).items()}
    first = page.post(f"/participation/surveys/{item.pk}/", form)
    assert first.status_code == 302
    second = page.post(f"/participation/surveys/{item.pk}/", form)
    assert second.status_code == 422
    assert "只能提交一次" in second.content.decode()
    signed_in = login_as("lisi")
    assert signed_in.post(f"/participation/surveys/{item.pk}/", form).status_code == 302
    assert list(Response.objects.values_list("user", flat=True)) == [None, None]


def test_survey_form_shows_errors_next_to_the_question(survey):
    item = survey()
    q = selectors.survey_questions(item)
    response = Client().post(f"/participation/surveys/{item.pk}/", {})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="q{q[0].pk}-error"' in html and "此题为必答题" in html


def test_editing_is_locked_once_answered(survey, api_token, client):
    item = survey()
    body = dict(_survey_body(QUESTIONS), title="改过的标题")
    headers = api_token("huanbao")
    assert (
        client.put(
            f"/api/v1/surveys/{item.pk}", body, content_type="application/json", **headers
        ).status_code
        == 200
    )
    post(client, f"/surveys/{item.pk}/responses", {"answers": valid_answers(item)})
    locked = client.put(
        f"/api/v1/surveys/{item.pk}", body, content_type="application/json", **headers
    )
    assert locked.status_code == 409


@pytest.fixture
def demo_survey(demo) -> Survey:
    load_participation(lambda _line: None)
    return Survey.objects.get(title="2026 年武汉市生态环境公众满意度调查")


def test_results_match_direct_counts(demo_survey):
    results = selectors.survey_results(None, demo_survey)
    assert results.responses == RESPONSES
    for item in results.questions:
        q = item.question
        if q.kind in ("single", "multiple"):
            for choice, row in zip(q.choices.all(), item.rows, strict=True):
                assert row.count == Answer.objects.filter(question=q, choice=choice).count()
        if q.kind == "single":
            assert sum(row.count for row in item.rows) == RESPONSES
        if q.kind == "scale":
            numbers = [a.number or 0 for a in Answer.objects.filter(question=q)]
            assert item.mean == f"{sum(numbers) / len(numbers):.2f}"
        if q.kind == "text":
            assert item.texts == []  # the public never sees free text


def test_results_page_has_chart_and_table(demo_survey, login_as):
    page = Client().get(f"/participation/surveys/{demo_survey.pk}/results/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<svg class="bar-chart" role="img"') == 4
    assert "<caption>您认为本市当前最突出的环境问题是？</caption>" in html
    assert "平均分" in html and "不予公开" in html
    staff = login_as("huanbao").get(f"/participation/surveys/{demo_survey.pk}/results/")
    assert "不予公开" not in staff.content.decode()


def test_open_survey_results_are_not_public(demo):
    load_participation(lambda _line: None)
    item = Survey.objects.get(title="网络订餐食品安全状况问卷调查")
    assert Client().get(f"/participation/surveys/{item.pk}/results/").status_code == 403
    assert Client().get(f"/api/v1/surveys/{item.pk}/results").status_code == 403


def test_csv_exports(demo_survey, api_token, client, login_as):
    path = f"/api/v1/surveys/{demo_survey.pk}/export.csv"
    assert client.get(path).status_code == 401
    assert client.get(path, **api_token("xiaofang")).status_code == 403
    response = client.get(path, **api_token("huanbao"))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == RESPONSES + 1
    assert rows[0][2].startswith("Q1 ")
    texts = [a.text for a in Answer.objects.filter(question__kind="text")]
    assert texts and all(any(t in row for row in rows) for t in texts)
    aggregates = login_as("huanbao").get(
        f"/workbench/participation/surveys/{demo_survey.pk}/aggregates.csv"
    )
    assert aggregates.status_code == 200
    assert "餐饮油烟" in aggregates.content.decode("utf-8-sig")
    other = login_as("xiaofang").get(
        f"/workbench/participation/surveys/{demo_survey.pk}/aggregates.csv"
    )
    assert other.status_code == 403


def test_demo_is_idempotent(demo):
    first = load_participation(lambda _line: None)
    assert first == {
        "open_drafts": 2,
        "past_drafts": 1,
        "survey_responses": RESPONSES,
        "open_surveys": 1,
    }
    audits = AuditEntry.objects.count()
    second = load_participation(lambda _line: None)
    assert set(second.values()) == {0}
    assert AuditEntry.objects.count() == audits
    statuses = {
        selectors.solicitation_status(s)
        for s in selectors.solicitation_public_page(cursor=None).items
    }
    assert statuses == {"open", "feedback"}


def test_workbench_builder_page(demo, login_as):
    client = login_as("huanbao")
    today = selectors.today()
    form = {
        "department_id": str(department_id("sthjj")),
        "title": "河湖水质满意度调查",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=14)),
        "anonymous": "on",
        "q1-kind": "single",
        "q1-text": "您常去的湖泊？",
        "q1-required": "on",
        "q1-choices": "东湖\n沙湖",
        "q3-kind": "scale",
        "q3-text": "水质满意度",
        "q3-scale": "7",
    }
    bad = client.post("/workbench/participation/surveys/new/", form)
    assert bad.status_code == 422
    html = bad.content.decode()
    assert 'id="q3-error"' in html and "量表只能为 1–5 或 1–10" in html
    assert "东湖\n沙湖" in html  # what was typed is kept
    created = client.post("/workbench/participation/surveys/new/", dict(form, **{"q3-scale": "10"}))
    assert created.status_code == 302
    survey = Survey.objects.get(title="河湖水质满意度调查")
    assert [q.kind for q in selectors.survey_questions(survey)] == ["single", "scale"]
    assert client.get("/workbench/participation/").status_code == 200
    assert login_as("zhangsan").get("/workbench/participation/surveys/new/").status_code == 403
    closed = client.post(f"/workbench/participation/surveys/{survey.pk}/close/")
    assert closed.status_code == 302
    assert selectors.survey_status(Survey.objects.get(pk=survey.pk)) == "closed"


def test_public_pages_render(demo):
    load_participation(lambda _line: None)
    index = Client().get("/participation/").content.decode()
    assert (
        "《孝感市城市养犬管理规定（征求意见稿）》" in index
        and "网络订餐食品安全状况问卷调查" in index
    )
    open_survey = Survey.objects.get(title="网络订餐食品安全状况问卷调查")
    page = Client().get(f"/participation/surveys/{open_survey.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio"' in html and 'type="checkbox"' in html and "csrfmiddlewaretoken" in html
    assert page.cookies["tb_survey"]["httponly"]
