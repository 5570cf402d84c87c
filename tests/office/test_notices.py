"""Internal notices: who may publish, who is in the audience, read receipts once, the
unread and read lists, the publisher's receipts, over the services and the API."""

from __future__ import annotations

import pytest

from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.office.models import NoticeRead
from tongban.office.selectors import collab as selectors
from tongban.office.services import notices

from ._collab import Office, build_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db) -> Office:
    return build_office()


def test_only_heads_and_leaders_publish(office):
    with pytest.raises(PermissionDenied):
        notices.notice_publish(user=office.clerk, title="通知", body="正文")
    notice = notices.notice_publish(user=office.leader, title="领导通知", body="正文")
    assert notice.publisher_id == office.wh_scjg.pk
    with pytest.raises(PermissionDenied):  # heads only in their own department
        notices.notice_publish(
            user=office.head, title="通知", body="正文", department_id=office.wh_xfzd.pk
        )


def test_publish_validates_title_body_and_departments(office):
    with pytest.raises(ValidationFailed) as exc:
        notices.notice_publish(user=office.head, title=" ", body="正文")
    assert exc.value.field == "title"
    with pytest.raises(ValidationFailed) as exc:
        notices.notice_publish(user=office.head, title="通知", body="")
    assert exc.value.field == "body"
    with pytest.raises(ValidationFailed) as exc:  # another division's department
        notices.notice_publish(
            user=office.head, title="通知", body="正文", department_ids=[office.xg_scjg.pk]
        )
    assert exc.value.field == "department_ids"
    with pytest.raises(ValidationFailed):
        notices.notice_publish(user=office.head, title="通知", body="正文", department_ids=[99999])


def test_division_wide_audience(office):
    notice = notices.notice_publish(user=office.head, title="全市通知", body="正文")
    for reader in (office.clerk, office.fire, office.fire_head):
        assert selectors.notice_for_viewer(reader, notice.pk).pk == notice.pk
    with pytest.raises(NotFound):  # 孝感 staff are outside the audience
        selectors.notice_for_viewer(office.xg, notice.pk)
    with pytest.raises(NotFound):
        notices.notice_read(user=office.xg, notice_id=notice.pk)


def test_department_audience(office):
    notice = notices.notice_publish(
        user=office.head, title="本局通知", body="正文", department_ids=[office.wh_scjg.pk]
    )
    assert selectors.notice_for_viewer(office.clerk, notice.pk)
    with pytest.raises(NotFound):
        selectors.notice_for_viewer(office.fire, notice.pk)
    assert [n.pk for n in selectors.notices_for(office.fire).items] == []


def test_read_receipt_recorded_once(office):
    notice = notices.notice_publish(user=office.head, title="通知", body="正文")
    first = notices.notice_read(user=office.clerk, notice_id=notice.pk)
    again = notices.notice_read(user=office.clerk, notice_id=notice.pk)
    assert first.pk == again.pk and first.read_at == again.read_at
    assert NoticeRead.objects.filter(notice=notice).count() == 1


def test_unread_and_read_lists(office):
    first = notices.notice_publish(user=office.head, title="第一", body="正文")
    second = notices.notice_publish(user=office.head, title="第二", body="正文")
    assert selectors.notice_unread_count(office.clerk) == 2
    notices.notice_read(user=office.clerk, notice_id=first.pk)
    items = selectors.notices_for(office.clerk).items
    read = [(n.pk, getattr(n, "is_read", None)) for n in items]
    assert read == [(second.pk, False), (first.pk, True)]
    unread = selectors.notices_for(office.clerk, unread_only=True).items
    assert [n.pk for n in unread] == [second.pk]
    assert selectors.notice_unread_count(office.clerk) == 1
    assert selectors.notice_unread_count(office.head) == 0  # own notices are not unread


def test_receipts_for_the_publisher_only(office):
    notice = notices.notice_publish(
        user=office.head, title="通知", body="正文", department_ids=[office.wh_scjg.pk]
    )
    notices.notice_read(user=office.clerk, notice_id=notice.pk)
    receipts = selectors.notice_receipts_for(office.head, notice.pk)
    assert [name for name, _at in receipts.read] == ["李科员"]
    assert receipts.unread == ["周市长"]
    assert receipts.read_count == 1 and receipts.audience_count == 2
    with pytest.raises(NotFound):
        selectors.notice_receipts_for(office.clerk, notice.pk)


def test_api_publish_list_read_receipts(office):
    head = office.client(office.head)
    response = head.post(
        "/api/v1/notices",
        {"title": "关于年终总结的通知", "body": "请各科室于周五前提交。", "department_ids": []},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    notice_id = response.json()["id"]

    clerk = office.client(office.clerk)
    listed = clerk.get("/api/v1/notices").json()
    assert listed["unread"] == 1 and listed["items"][0]["read"] is False
    assert clerk.get(f"/api/v1/notices/{notice_id}").json()["read"] is False
    read = clerk.post(f"/api/v1/notices/{notice_id}/read")
    assert read.status_code == 200
    assert clerk.post(f"/api/v1/notices/{notice_id}/read").json() == read.json()
    assert clerk.get("/api/v1/notices").json()["items"][0]["read"] is True

    receipts = head.get(f"/api/v1/notices/{notice_id}/receipts").json()
    assert receipts["read_count"] == 1
    assert [r["name"] for r in receipts["read"]] == ["李科员"]
    assert "赵消防" in receipts["unread"]

    denied = clerk.get(f"/api/v1/notices/{notice_id}/receipts")
    assert denied.status_code == 404 and denied.json()["code"] == "not_found"
    outsider = office.client(office.xg)
    assert outsider.get(f"/api/v1/notices/{notice_id}").status_code == 404
    assert outsider.post(f"/api/v1/notices/{notice_id}/read").status_code == 404


def test_api_errors_in_one_shape(office):
    clerk = office.client(office.clerk)
    response = clerk.post(
        "/api/v1/notices", {"title": "t", "body": "b"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "只有部门负责人或领导可以发布通知"
    head = office.client(office.head)
    response = head.post(
        "/api/v1/notices", {"title": "", "body": "b"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "请填写通知标题", "field": "title"}
    assert office.client(office.clerk).get("/api/v1/notices?cursor=bad").status_code == 422


def test_api_list_pages(office):
    for i in range(3):
        notices.notice_publish(user=office.head, title=f"通知{i}", body="正文")
    clerk = office.client(office.clerk)
    first = clerk.get("/api/v1/notices?size=2").json()
    assert len(first["items"]) == 2 and first["next"]
    second = clerk.get(first["next"]).json()
    assert [i["title"] for i in second["items"]] == ["通知0"] and second["next"] is None
