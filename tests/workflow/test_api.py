import threading

import pytest
from django.db import connection
from django.test import Client

from tongban.demo.loader import load_demo
from tongban.workflow.models import HumanTask
from tongban.workflow.services import process_start


def start_bundle() -> None:
    process_start(
        key="restaurant_bundle", business_type="test", business_id="R-1", division_code="420100"
    )


def post(headers, url, body=None):
    return Client().post(url, body or {}, content_type="application/json", **headers)


@pytest.mark.django_db
def test_inbox_claim_and_complete_over_http(demo, api_token):
    start_bundle()
    clerk = api_token("chuangkou")
    inbox = Client().get("/api/v1/tasks", **clerk).json()
    assert [t["title"] for t in inbox["items"]] == ["综合窗口受理"]
    task_id = inbox["items"][0]["id"]
    claimed = post(clerk, f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    bad = post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "ok"})
    assert bad.status_code == 422 and bad.json()["field"] == "decision"
    assert "approve" in bad.json()["message"]
    done = post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "approve"})
    assert done.status_code == 200 and done.json()["status_label"] == "已办"
    again = post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "approve"})
    assert again.status_code == 409 and again.json()["code"] == "task_completed"
    other = post(api_token("xg-scjg"), f"/api/v1/tasks/{task_id}/claim")
    assert other.status_code == 404
    assert Client().get("/api/v1/tasks?box=done", **clerk).json()["items"][0]["id"] == task_id
    assert Client().get("/api/v1/tasks").status_code == 401


@pytest.mark.django_db
def test_citizens_have_no_inbox_and_other_cities_see_nothing(demo, api_token):
    start_bundle()
    assert Client().get("/api/v1/tasks", **api_token("zhangsan")).json()["items"] == []
    assert Client().get("/api/v1/tasks", **api_token("xg-scjg")).json()["items"] == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completions_exactly_one_wins():
    load_demo(progress=lambda _line: None, sample_cases=False, exchange=False, office=False)
    start_bundle()
    task = HumanTask.objects.get(step="accept")
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": "chuangkou", "password": "Tongban-demo-2026"},
            content_type="application/json",
        )
        .json()["access_token"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def complete() -> None:
        barrier.wait()
        try:
            response = post(headers, f"/api/v1/tasks/{task.pk}/complete", {"decision": "approve"})
            statuses.append(response.status_code)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409], statuses
    assert HumanTask.objects.filter(instance=task.instance, status="open").count() == 3
