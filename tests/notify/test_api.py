import pytest
from django.test import Client

from tongban.notify.models import Notification
from tongban.notify.services import notification_send

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications"


def note(user, title="材料需补正", **kwargs):
    return notification_send(
        user_id=user.pk, topic="cases.correction", title=title, body="请补正材料。", **kwargs
    )


def test_anonymous_callers_get_401_in_the_error_shape(demo):
    client = Client()
    for method, path in [
        ("get", URL),
        ("get", f"{URL}/unread-count"),
        ("post", f"{URL}/1/read"),
        ("post", f"{URL}/read-all"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
        assert set(response.json()) == {"code", "message", "field"}


def test_list_pages_newest_first_and_only_mine(zhangsan, lisi, api_token):
    for i in range(5):
        note(zhangsan, title=f"消息 {i}", link="/me/")
    note(lisi, title="李四的消息")
    auth = api_token("zhangsan")
    client = Client()
    first = client.get(URL, {"size": 2}, **auth)
    assert first.status_code == 200
    data = first.json()
    assert [item["title"] for item in data["items"]] == ["消息 4", "消息 3"]
    assert data["items"][0] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "topic": "cases.correction",
        "title": "消息 4",
        "body": "请补正材料。",
        "link": "/me/",
        "read": False,
        "created_at": "",
        "read_at": None,
    }
    titles = [item["title"] for item in data["items"]]
    next_url = data["next"]
    while next_url:
        page = client.get(next_url, **auth).json()
        titles += [item["title"] for item in page["items"]]
        next_url = page["next"]
    assert titles == [f"消息 {i}" for i in range(4, -1, -1)]


def test_bad_cursor_is_422(zhangsan, api_token):
    response = Client().get(URL, {"cursor": "@@@"}, **api_token("zhangsan"))
    assert response.status_code == 422 and response.json()["field"] == "cursor"


def test_mark_read_unread_filter_and_read_all(zhangsan, api_token):
    first, second, third = (note(zhangsan, title=f"消息 {i}") for i in range(3))
    auth, client = api_token("zhangsan"), Client()
    assert client.get(f"{URL}/unread-count", **auth).json() == {"unread": 3, "capped": False}
    read = client.post(f"{URL}/{first.pk}/read", **auth)
    assert read.status_code == 200 and read.json()["read"] is True
    assert read.json()["read_at"] is not None
    unread = client.get(URL, {"unread": "true"}, **auth).json()["items"]
    assert {item["id"] for item in unread} == {second.pk, third.pk}
    assert client.post(f"{URL}/read-all", **auth).json() == {"updated": 2}
    assert client.get(f"{URL}/unread-count", **auth).json()["unread"] == 0


def test_someone_elses_notification_is_404(zhangsan, lisi, api_token):
    theirs = note(lisi)
    response = Client().post(f"{URL}/{theirs.pk}/read", **api_token("zhangsan"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert Client().post(f"{URL}/999999/read", **api_token("zhangsan")).status_code == 404


def test_session_callers_use_the_api_too(zhangsan, login_as):
    note(zhangsan)
    response = login_as("zhangsan").get(URL)
    assert response.status_code == 200 and len(response.json()["items"]) == 1


def test_documented_in_openapi(demo):
    schema = Client().get("/api/openapi.json").json()
    assert "消息通知" in schema["paths"]["/api/v1/notifications"]["get"]["tags"]
    assert "post" in schema["paths"]["/api/v1/notifications/{notification_id}/read"]
    assert Notification.objects.count() == 0
