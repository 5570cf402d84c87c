"""Meeting arrangements (会议安排): a staff member arranges a meeting for their department
and invites colleagues, who are told in their in-app messages and answer whether they
attend; the organiser may cancel it before it starts and records the minutes (会议纪要)
once it has started, which marks it held."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.notify.services import notification_send
from tongban.office.models import Invitation, InvitationResponse, Meeting, MeetingStatus
from tongban.office.selectors.collab import (
    MAX_PEOPLE,
    invitation_of,
    meeting_for_viewer,
    staff_by_ids,
)

TITLE_MAX = 200
PLACE_MAX = 200
AGENDA_MAX = 10000
MINUTES_MAX = 50000
NOTE_MAX = 200


def _text(value: str, field: str, limit: int, empty: str | None) -> str:
    value = (value or "").strip()
    if not value and empty is not None:
        raise ValidationFailed(empty, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("不能超过%(n)d个字") % {"n": limit}, field=field)
    return value


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationFailed(_("时间格式不正确"), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _notify(user_id: int, meeting: Meeting, title: str, body: str) -> None:
    notification_send(
        user_id=user_id,
        topic="office.meeting",
        title=title[:200],
        body=body,
        link=reverse("office:meeting_detail", args=[meeting.pk]),
        channels=(),
    )


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{start:%Y-%m-%d %H:%M}—{end:%H:%M}"


@transaction.atomic
def meeting_arrange(
    *,
    user: Any,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    agenda: str = "",
    invitee_ids: list[int],
    department_id: int | None = None,
) -> Meeting:
    """Arrange a meeting of one of the user's departments and invite colleagues."""
    grants = staff_roles(user)
    if department_id is not None:
        grants = [g for g in grants if g.department_id == int(department_id)]
    if not grants:
        raise PermissionDenied(_("只有本部门工作人员可以安排会议"))
    department = grants[0].department
    title = _text(title, "title", TITLE_MAX, _("请填写会议名称"))
    starts_at = _aware(starts_at, "starts_at")
    ends_at = _aware(ends_at, "ends_at")
    if starts_at <= timezone.now():
        raise ValidationFailed(_("会议开始时间须晚于当前时间"), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("会议结束时间须晚于开始时间"), field="ends_at")
    place = _text(place, "place", PLACE_MAX, _("请填写会议地点"))
    agenda = _text(agenda, "agenda", AGENDA_MAX, None)
    ids: list[int] = []
    for raw in invitee_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed(_("参会人员不存在"), field="invitee_ids") from None
    ids = [i for i in dict.fromkeys(ids) if i != user.pk]
    if not ids:
        raise ValidationFailed(_("请选择参会人员"), field="invitee_ids")
    if len(ids) > MAX_PEOPLE:
        raise ValidationFailed(_("参会人员过多"), field="invitee_ids")
    invitees = staff_by_ids(ids)
    if len(invitees) != len(ids):
        raise ValidationFailed(_("参会人员中有人不是在职工作人员"), field="invitee_ids")
    meeting = Meeting.objects.create(
        title=title,
        organiser=user,
        department=department,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
    )
    Invitation.objects.bulk_create(Invitation(meeting=meeting, user=u) for u in invitees)
    for invitee in invitees:
        _notify(
            invitee.pk,
            meeting,
            _("会议通知：%(title)s") % {"title": title},
            _("%(when)s 在 %(place)s 召开，请回复是否参加。")
            % {"when": _when(meeting), "place": place},
        )
    audit_record(
        action="office.meeting.arrange",
        actor=user,
        object_type="office.meeting",
        object_id=meeting.pk,
        detail={"department": department.pk, "invitees": [u.pk for u in invitees]},
    )
    return meeting


def _locked(user: Any, meeting_id: int) -> Meeting:
    meeting = meeting_for_viewer(user, meeting_id)
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def invitation_respond(*, user: Any, meeting_id: int, response: str, note: str = "") -> Invitation:
    """An invitee answers whether they attend; they may change the answer until the
    meeting is over."""
    meeting = meeting_for_viewer(user, meeting_id)
    invitation = invitation_of(user, meeting)
    if invitation is None:
        raise PermissionDenied(_("您不在本次会议的邀请名单中"))
    if response not in (InvitationResponse.ACCEPTED, InvitationResponse.DECLINED):
        raise ValidationFailed(_("请选择参加或不参加"), field="response")
    note = _text(note, "note", NOTE_MAX, None)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("会议已取消"), code="meeting_cancelled")
    if meeting.ends_at <= timezone.now():
        raise Conflict(_("会议已结束，不能再回复"), code="meeting_over")
    invitation.response = response
    invitation.note = note
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "note", "responded_at"])
    audit_record(
        action="office.meeting.respond",
        actor=user,
        object_type="office.meeting",
        object_id=meeting.pk,
        detail={"response": response},
    )
    return invitation


@transaction.atomic
def meeting_cancel(*, user: Any, meeting_id: int, reason: str = "") -> Meeting:
    """The organiser cancels a meeting that has not started; invitees are told."""
    meeting = _locked(user, meeting_id)
    if meeting.organiser_id != user.pk:
        raise PermissionDenied(_("只有会议组织者可以取消会议"))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(_("会议已取消或已召开"), code="meeting_not_scheduled")
    if meeting.starts_at <= timezone.now():
        raise Conflict(_("会议已开始，不能取消"), code="meeting_started")
    reason = _text(reason, "reason", NOTE_MAX, None)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    invited = list(Invitation.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    for user_id in invited:
        _notify(
            user_id,
            meeting,
            _("会议取消：%(title)s") % {"title": meeting.title},
            reason or _("原定 %(when)s 的会议已取消。") % {"when": _when(meeting)},
        )
    audit_record(
        action="office.meeting.cancel",
        actor=user,
        object_type="office.meeting",
        object_id=meeting.pk,
        detail={"reason": reason},
    )
    return meeting


@transaction.atomic
def minutes_record(*, user: Any, meeting_id: int, minutes: str) -> Meeting:
    """The organiser records (or corrects) the minutes once the meeting has started;
    the meeting is then held."""
    meeting = _locked(user, meeting_id)
    if meeting.organiser_id != user.pk:
        raise PermissionDenied(_("只有会议组织者可以记录会议纪要"))
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("会议已取消"), code="meeting_cancelled")
    if meeting.starts_at > timezone.now():
        raise Conflict(_("会议尚未开始，不能记录纪要"), code="meeting_not_started")
    minutes = _text(minutes, "minutes", MINUTES_MAX, _("请填写会议纪要"))
    meeting.minutes = minutes
    meeting.minutes_by = user
    meeting.minutes_at = timezone.now()
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "minutes_by", "minutes_at", "status"])
    audit_record(
        action="office.meeting.minutes",
        actor=user,
        object_type="office.meeting",
        object_id=meeting.pk,
        detail={"length": len(minutes)},
    )
    return meeting
