"""Pages of notices, groups and meetings: they render, their forms post and redirect
without JavaScript, every field is labelled, the htmx partials return only what is new,
and outsiders get 404 (non-staff 403)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts.services import citizen_register
from tongban.office.models import Group, Meeting, MeetingStatus, Message, Notice, NoticeRead
from tongban.office.services import groups, meetings, notices

from ._collab import Office, build_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db) -> Office:
    return build_office()


PDF = b"%PDF-1.7\n%%EOF\n"
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")


def assert_labelled(html: str) -> None:
    """Every visible form field has a <label for=...> (radios sit inside theirs)."""
    for _tag, attrs in FIELD.findall(html):
        if re.search(r'type="(hidden|radio|submit)"', attrs):
            continue
        found = re.search(r'\bid="([^"]+)"', attrs)
        assert found, f"field without id: {attrs}"
        assert f'for="{found.group(1)}"' in html, f"no label for {found.group(1)}"


def test_notice_pages_publish_read_receipts(office):
    head = office.client(office.head)
    page = head.get("/workbench/office/notices/new/")
    assert page.status_code == 200
    assert_labelled(page.content.decode())
    failed = head.post("/workbench/office/notices/new/", {"title": "", "body": "x"})
    assert failed.status_code == 422 and "请填写通知标题" in failed.content.decode()
    posted = head.post(
        "/workbench/office/notices/new/",
        {
            "title": "关于节日值班的通知",
            "body": "请安排值班。",
            "department_ids": [office.wh_scjg.pk],
        },
    )
    assert posted.status_code == 302
    notice = Notice.objects.get()
    assert posted["Location"] == f"/workbench/office/notices/{notice.pk}/"

    clerk = office.client(office.clerk)
    listing = clerk.get("/workbench/office/notices/").content.decode()
    assert "关于节日值班的通知" in listing and "未读" in listing
    assert 'hx-trigger="every 10s"' in listing and "刷新" in listing
    assert "office/htmx.min.js" in listing
    detail = clerk.get(f"/workbench/office/notices/{notice.pk}/")
    assert detail.status_code == 200 and "阅读回执" not in detail.content.decode()
    clerk.get(f"/workbench/office/notices/{notice.pk}/")
    assert NoticeRead.objects.filter(notice=notice).count() == 1

    receipts = head.get(f"/workbench/office/notices/{notice.pk}/").content.decode()
    assert "阅读回执" in receipts and "李科员" in receipts and "周市长" in receipts
    assert (
        office.client(office.fire).get(f"/workbench/office/notices/{notice.pk}/").status_code == 404
    )
    assert clerk.get("/workbench/office/notices/new/").status_code == 403


def test_notice_updates_partial(office):
    first = notices.notice_publish(user=office.head, title="第一条", body="正文")
    clerk = office.client(office.clerk)
    nothing = clerk.get(f"/workbench/office/notices/updates/?after={first.pk}").content.decode()
    assert "第一条" not in nothing and 'id="notice-badge"' in nothing
    second = notices.notice_publish(user=office.head, title="第二条", body="正文")
    update = clerk.get(f"/workbench/office/notices/updates/?after={first.pk}").content.decode()
    assert "第二条" in update and "第一条" not in update
    assert f"after={second.pk}" in update and 'hx-swap-oob="true"' in update
    assert "未读通知 2 条" in update


def test_group_pages_post_upload_download_and_poll(office):
    clerk = office.client(office.clerk)
    form = clerk.get("/workbench/office/groups/new/")
    assert form.status_code == 200
    assert_labelled(form.content.decode())
    created = clerk.post(
        "/workbench/office/groups/new/",
        {"name": "联合执法", "kind": "project", "member_ids": [office.fire.pk]},
    )
    assert created.status_code == 302
    group = Group.objects.get()
    url = f"/workbench/office/groups/{group.pk}/"

    page = clerk.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert_labelled(html)
    assert 'enctype="multipart/form-data"' in html and 'role="log"' in html
    assert 'hx-trigger="every 5s"' in html and 'hx-swap="beforeend"' in html

    posted = clerk.post(url, {"body": "请看附件", "file": SimpleUploadedFile("方案.pdf", PDF)})
    assert posted.status_code == 302 and posted["Location"].startswith(url)
    message = Message.objects.get()
    bad = clerk.post(url, {"body": "", "file": SimpleUploadedFile("a.txt", b"hello")})
    assert bad.status_code == 422 and "不支持的文件类型" in bad.content.decode()

    fire = office.client(office.fire)
    shown = fire.get(url).content.decode()
    assert "请看附件" in shown and "方案.pdf" in shown
    download = fire.get(f"{url}files/{message.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert office.client(office.xg).get(f"{url}files/{message.pk}/").status_code == 404
    assert office.client(office.xg).get(url).status_code == 404

    assert fire.get(f"{url}messages/?after={message.pk}").status_code == 204
    newer = groups.message_post(user=office.fire, group_id=group.pk, body="收到，明天见")
    partial = fire.get(f"{url}messages/?after={message.pk}")
    text = partial.content.decode()
    assert partial.status_code == 200
    assert "收到，明天见" in text and "请看附件" not in text
    assert f"after={newer.pk}" in text and 'hx-swap-oob="true"' in text

    added = clerk.post(f"{url}members/", {"member_ids": [office.xg.pk]})
    assert added.status_code == 302
    assert office.client(office.xg).get(url).status_code == 200
    assert fire.post(f"{url}members/", {"member_ids": [office.head.pk]}).status_code == 403

    listing = fire.get("/workbench/office/groups/").content.decode()
    assert "联合执法" in listing


def test_meeting_pages_arrange_respond_minutes_cancel(office):
    head = office.client(office.head)
    form = head.get("/workbench/office/meetings/new/")
    assert form.status_code == 200
    assert_labelled(form.content.decode())
    start = timezone.localtime(timezone.now() + timedelta(days=1))
    values = {
        "title": "季度工作会",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "会议室",
        "agenda": "总结",
        "invitee_ids": [office.clerk.pk, office.fire.pk],
    }
    failed = head.post("/workbench/office/meetings/new/", values)
    assert failed.status_code == 422 and "会议结束时间须晚于开始时间" in failed.content.decode()
    values["ends_at"] = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    created = head.post("/workbench/office/meetings/new/", values)
    assert created.status_code == 302
    meeting = Meeting.objects.get()
    url = f"/workbench/office/meetings/{meeting.pk}/"

    clerk = office.client(office.clerk)
    page = clerk.get(url).content.decode()
    assert "回复邀请" in page and "取消会议" not in page
    assert_labelled(page)
    assert clerk.post(f"{url}respond/", {"response": "accepted"}).status_code == 302
    assert "参加" in clerk.get("/workbench/office/meetings/").content.decode()
    assert clerk.post(f"{url}respond/", {"response": ""}).status_code == 422
    assert clerk.get(f"{url}minutes/").status_code == 403
    assert office.client(office.xg).get(url).status_code == 404

    early = head.post(f"{url}minutes/", {"minutes": "纪要"})
    assert early.status_code == 409 and "会议尚未开始" in early.content.decode()
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    assert_labelled(head.get(f"{url}minutes/").content.decode())
    saved = head.post(f"{url}minutes/", {"minutes": "会议议定三项工作。"})
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert "会议议定三项工作" in clerk.get(url).content.decode()

    other = meetings.meeting_arrange(
        user=office.head,
        title="临时会",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
        place="二楼",
        invitee_ids=[office.fire.pk],
    )
    cancelled = head.post(f"/workbench/office/meetings/{other.pk}/cancel/", {"reason": "改期"})
    assert cancelled.status_code == 302
    other.refresh_from_db()
    assert other.status == MeetingStatus.CANCELLED


def test_staff_only_and_static_htmx(office):
    citizen = citizen_register(
        username="t-citizen",
        password="Tongban-test-2026",
        real_name="张三",
        id_number="110101199003074477",
        phone="13800000000",
    ).user
    from django.test import Client

    client = Client()
    client.force_login(citizen)
    assert client.get("/workbench/office/notices/").status_code == 403
    assert Client().get("/workbench/office/groups/").status_code == 302
    assert finders.find("office/htmx.min.js")
