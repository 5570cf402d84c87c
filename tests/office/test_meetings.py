"""Meetings: arrangement checks (times, invitees), invitations in the in-app inbox,
responses, cancellation and minutes by the organiser only, the lists, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.selectors import notifications_for
from tongban.office.models import Meeting, MeetingStatus
from tongban.office.selectors import collab as selectors
from tongban.office.services import meetings

from ._collab import Office, build_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db) -> Office:
    return build_office()


def _arrange(office: Office, *, start_in=timedelta(days=1), length=timedelta(hours=1), **kw):
    start = timezone.now() + start_in
    values = {
        "user": office.head,
        "title": "食品安全工作部署会",
        "starts_at": start,
        "ends_at": start + length,
        "place": "三楼会议室",
        "agenda": "一、通报情况\n二、部署工作",
        "invitee_ids": [office.clerk.pk, office.fire.pk],
        **kw,
    }
    return meetings.meeting_arrange(**values)


def _held(meeting):
    """Move a meeting into the past (as if time had passed)."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )


def test_arrange_validates_times_and_invitees(office):
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, length=timedelta(hours=-1))
    assert exc.value.field == "ends_at"
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, length=timedelta(0))
    assert exc.value.field == "ends_at"
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, start_in=timedelta(hours=-1))
    assert exc.value.field == "starts_at"
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, invitee_ids=[])
    assert exc.value.field == "invitee_ids"
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, invitee_ids=[office.clerk.pk, 999999])
    assert exc.value.field == "invitee_ids"
    with pytest.raises(ValidationFailed) as exc:
        _arrange(office, place="")
    assert exc.value.field == "place"
    with pytest.raises(PermissionDenied):
        _arrange(office, department_id=office.wh_xfzd.pk)


def test_invitations_are_notified(office):
    meeting = _arrange(office)
    assert {i.user_id for i in selectors.meeting_invitations(meeting)} == {
        office.clerk.pk,
        office.fire.pk,
    }
    inbox = notifications_for(user=office.fire).items
    assert inbox[0].title == "会议通知：食品安全工作部署会"
    assert inbox[0].link == f"/workbench/office/meetings/{meeting.pk}/"
    with pytest.raises(NotFound):  # not invited: the meeting does not exist for them
        selectors.meeting_for_viewer(office.xg, meeting.pk)


def test_responses(office):
    meeting = _arrange(office)
    invitation = meetings.invitation_respond(
        user=office.clerk, meeting_id=meeting.pk, response="declined", note="出差"
    )
    assert invitation.response == "declined" and invitation.note == "出差"
    again = meetings.invitation_respond(
        user=office.clerk, meeting_id=meeting.pk, response="accepted"
    )
    assert again.response == "accepted"
    with pytest.raises(ValidationFailed):
        meetings.invitation_respond(user=office.fire, meeting_id=meeting.pk, response="maybe")
    with pytest.raises(PermissionDenied):  # the organiser has no invitation
        meetings.invitation_respond(user=office.head, meeting_id=meeting.pk, response="accepted")
    with pytest.raises(NotFound):
        meetings.invitation_respond(user=office.xg, meeting_id=meeting.pk, response="accepted")
    _held(meeting)
    with pytest.raises(Conflict):
        meetings.invitation_respond(user=office.fire, meeting_id=meeting.pk, response="accepted")


def test_cancel_by_organiser_before_start(office):
    meeting = _arrange(office)
    with pytest.raises(PermissionDenied):
        meetings.meeting_cancel(user=office.clerk, meeting_id=meeting.pk)
    cancelled = meetings.meeting_cancel(user=office.head, meeting_id=meeting.pk, reason="改期")
    assert cancelled.status == MeetingStatus.CANCELLED
    assert notifications_for(user=office.clerk).items[0].title == "会议取消：食品安全工作部署会"
    with pytest.raises(Conflict):
        meetings.invitation_respond(user=office.clerk, meeting_id=meeting.pk, response="accepted")
    with pytest.raises(Conflict):
        meetings.minutes_record(user=office.head, meeting_id=meeting.pk, minutes="纪要")


def test_minutes_by_the_organiser_after_start(office):
    meeting = _arrange(office)
    with pytest.raises(Conflict):  # not started yet
        meetings.minutes_record(user=office.head, meeting_id=meeting.pk, minutes="纪要")
    _held(meeting)
    with pytest.raises(PermissionDenied):
        meetings.minutes_record(user=office.clerk, meeting_id=meeting.pk, minutes="纪要")
    with pytest.raises(ValidationFailed):
        meetings.minutes_record(user=office.head, meeting_id=meeting.pk, minutes=" ")
    held = meetings.minutes_record(user=office.head, meeting_id=meeting.pk, minutes="会议决定……")
    assert held.status == MeetingStatus.HELD and held.minutes_by_id == office.head.pk
    with pytest.raises(Conflict):  # started: no more cancelling
        meetings.meeting_cancel(user=office.head, meeting_id=meeting.pk)


def test_lists_upcoming_soonest_first_and_past(office):
    later = _arrange(office, start_in=timedelta(days=3), title="后一个会")
    sooner = _arrange(office, start_in=timedelta(days=1), title="先一个会")
    past = _arrange(office, title="已开过的会")
    _held(past)
    upcoming = selectors.meetings_upcoming(office.clerk).items
    assert [m.pk for m in upcoming] == [sooner.pk, later.pk]
    assert upcoming[0].my_response == "pending"  # type: ignore[attr-defined]
    assert [m.pk for m in selectors.meetings_past(office.clerk).items] == [past.pk]
    assert [m.pk for m in selectors.meetings_upcoming(office.head).items] == [sooner.pk, later.pk]
    assert selectors.meetings_upcoming(office.xg).items == []


def test_api_meetings(office):
    head = office.client(office.head)
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    body = {
        "title": "联席会议",
        "starts_at": start.isoformat(),
        "ends_at": (start - timedelta(hours=1)).isoformat(),
        "place": "一楼",
        "invitee_ids": [office.fire.pk],
    }
    bad = head.post("/api/v1/meetings", body, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json() == {
        "code": "invalid",
        "message": "会议结束时间须晚于开始时间",
        "field": "ends_at",
    }
    body["ends_at"] = (start + timedelta(hours=1)).isoformat()
    created = head.post("/api/v1/meetings", body, content_type="application/json")
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert created.json()["invitations"][0]["response"] == "pending"

    fire = office.client(office.fire)
    assert [m["id"] for m in fire.get("/api/v1/meetings").json()["items"]] == [meeting_id]
    responded = fire.post(
        f"/api/v1/meetings/{meeting_id}/respond",
        {"response": "accepted"},
        content_type="application/json",
    )
    assert responded.status_code == 200
    assert responded.json()["my_response"] == "accepted"
    early = head.post(
        f"/api/v1/meetings/{meeting_id}/minutes",
        {"minutes": "纪要"},
        content_type="application/json",
    )
    assert early.status_code == 409
    not_mine = fire.post(
        f"/api/v1/meetings/{meeting_id}/cancel", {}, content_type="application/json"
    )
    assert not_mine.status_code == 403
    cancelled = head.post(
        f"/api/v1/meetings/{meeting_id}/cancel", {"reason": "改期"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert office.client(office.xg).get(f"/api/v1/meetings/{meeting_id}").status_code == 404
    assert head.get("/api/v1/meetings?when=soon").status_code == 422
