import pytest
from django.test import Client

from tongban.notify.models import Notification
from tongban.notify.services import notification_send

pytestmark = pytest.mark.django_db


def note(user, title="办件已受理", **kwargs):
    return notification_send(
        user_id=user.pk, topic="cases.accepted", title=title, body="第一行\n第二行", **kwargs
    )


def test_anonymous_visitors_are_sent_to_login(demo):
    response = Client().get("/messages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/messages/")
    assert Client().post("/messages/read-all/").status_code == 302


def test_inbox_highlights_unread_and_marks_read_without_javascript(zhangsan, lisi, login_as):
    read = note(zhangsan, title="旧消息", channels=())
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    unread = note(zhangsan, title="新消息", link="/me/", channels=())
    note(lisi, title="李四的消息", channels=())
    client = login_as("zhangsan")
    html = client.get("/messages/").content.decode()
    assert "我的消息" in html and "新消息" in html and "旧消息" in html
    assert "李四的消息" not in html
    assert 'class="notice unread"' in html and html.count('class="notice unread"') == 1
    assert f'action="/messages/{unread.pk}/read/"' in html
    assert f'action="/messages/{read.pk}/read/"' not in html  # already read
    assert 'href="/me/"' in html and "第一行<br>第二行" in html
    assert "我的消息（1 条未读）" in html  # header badge

    response = client.post(f"/messages/{unread.pk}/read/", {"next": "/messages/unread/"})
    assert response.status_code == 302 and response["Location"] == "/messages/unread/"
    unread.refresh_from_db()
    assert unread.read_at is not None
    follow = client.get("/messages/unread/").content.decode()
    assert "没有未读消息" in follow and "已标为已读" in follow
    assert "我的消息（" not in follow


def test_read_all_and_unsafe_next_falls_back_to_the_inbox(zhangsan, login_as):
    for i in range(3):
        note(zhangsan, title=f"消息 {i}", channels=())
    client = login_as("zhangsan")
    response = client.post("/messages/read-all/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/messages/"
    assert not Notification.objects.filter(recipient=zhangsan, read_at__isnull=True).exists()
    assert "已将 3 条消息标为已读" in client.get("/messages/").content.decode()


def test_someone_elses_message_is_404(zhangsan, lisi, login_as):
    theirs = note(lisi, channels=())
    response = login_as("zhangsan").post(f"/messages/{theirs.pk}/read/")
    assert response.status_code == 404
    assert "该消息不存在" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_pages_follow_the_cursor(zhangsan, login_as):
    for i in range(25):
        note(zhangsan, title=f"第{i:02d}条", channels=())
    client = login_as("zhangsan")
    html = client.get("/messages/").content.decode()
    assert "第24条" in html and "第05条" in html and "第04条" not in html
    assert 'rel="next"' in html
    cursor = html.split('rel="next" href="?cursor=')[1].split('"')[0]
    from urllib.parse import unquote

    second = client.get("/messages/", {"cursor": unquote(cursor)}).content.decode()
    assert "第04条" in second and "第00条" in second and "第05条" not in second
    assert 'rel="next"' not in second
    assert "我的消息（25 条未读）" in second


def test_get_only_list_and_post_only_actions(zhangsan, login_as):
    client = login_as("zhangsan")
    assert client.post("/messages/").status_code == 405
    assert client.get("/messages/read-all/").status_code == 405


def test_admin_is_read_only_and_shows_no_addresses(zhangsan, login_as):
    notification = note(zhangsan)
    admin = login_as("admin")
    listing = admin.get("/admin/notify/notification/").content.decode()
    assert "zhangsan" in listing and "cases.accepted" in listing
    assert "13800001234" not in listing and "zhangsan@example.cn" not in listing
    detail = admin.get(f"/admin/notify/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and "13800001234" not in detail.content.decode()
    deliveries = admin.get("/admin/notify/delivery/").content.decode()
    assert "zhangsan" in deliveries and "13800001234" not in deliveries
    assert admin.get("/admin/notify/notification/add/").status_code == 403
    assert admin.post(f"/admin/notify/notification/{notification.pk}/delete/").status_code == 403
