"""Reads of the office's collaboration tools: internal notices (内部通知) and their read
receipts, work groups (工作群组) and their messages, and meetings (会议安排) with their
invitations. Every read is bounded and checks that the user may see what they ask for;
what they may not see is reported as not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import NotFound
from tongban.core.pagination import Page, keyset_page
from tongban.office.models import (
    Group,
    GroupMember,
    Invitation,
    Meeting,
    MeetingStatus,
    Message,
    Notice,
    NoticeRead,
)

# Audiences and member lists are bounded: a division has at most a few thousand staff.
MAX_PEOPLE = 5000
UNREAD_CAP = 100


def user_label(user: Any) -> str:
    """How a colleague is named on pages: their display name, else their username."""
    return str(getattr(user, "display_name", "") or user.username)


# ---------------------------------------------------------------------------- staff


def department_ids_of(user: Any) -> set[int]:
    """Departments in which the user holds any staff role."""
    return {grant.department_id for grant in staff_roles(user)}


def division_codes_of(user: Any) -> set[str]:
    return {grant.department.division_id for grant in staff_roles(user)}


def staff_in_departments(department_ids: list[int] | set[int]) -> QuerySet[Any]:
    """Active staff holding any role in one of the departments (bounded by the caller)."""
    return (
        get_user_model()
        .objects.filter(
            kind="staff", is_active=True, staff_roles__department_id__in=list(department_ids)
        )
        .distinct()
        .order_by("id")
    )


def staff_in_division(division_code: str) -> QuerySet[Any]:
    """Active staff holding any role in a department of the division."""
    return (
        get_user_model()
        .objects.filter(
            kind="staff", is_active=True, staff_roles__department__division_id=division_code
        )
        .distinct()
        .order_by("id")
    )


def staff_by_ids(user_ids: list[int]) -> list[Any]:
    """The active staff among ``user_ids`` (others are left out)."""
    ids = sorted({int(i) for i in user_ids})[:MAX_PEOPLE]
    return list(
        get_user_model()
        .objects.filter(pk__in=ids, kind="staff", is_active=True, staff_roles__isnull=False)
        .distinct()
        .order_by("id")
    )


def staff_choices(user: Any, *, limit: int = 500) -> list[Any]:
    """Colleagues the user may pick as members or invitees: the staff of the user's
    divisions (with their roles' departments loaded)."""
    codes = division_codes_of(user)
    if not codes:
        return []
    return list(
        get_user_model()
        .objects.filter(
            kind="staff", is_active=True, staff_roles__department__division_id__in=codes
        )
        .distinct()
        .order_by("id")[:limit]
    )


# ---------------------------------------------------------------------------- notices


def _notice_visible_q(user: Any) -> Q:
    """Notices whose audience includes the user, and those the user wrote."""
    departments = list(department_ids_of(user))
    divisions = list(division_codes_of(user))
    through = Notice.departments.through
    targeted = through.objects.filter(department_id__in=departments).values("notice_id")
    has_targets = through.objects.filter(notice_id=OuterRef("pk"))
    return (
        Q(author_id=user.pk)
        | Q(pk__in=targeted)
        | (Q(division_id__in=divisions) & ~Q(Exists(has_targets)))
    )


def _read_by(user: Any) -> Exists:
    return Exists(NoticeRead.objects.filter(notice_id=OuterRef("pk"), user_id=user.pk))


def notices_for(
    user: Any, *, cursor: str | None = None, size: int = 20, unread_only: bool = False
) -> Page[Notice]:
    """Notices for the user, newest first, each with ``is_read`` set."""
    qs = (
        Notice.objects.filter(_notice_visible_q(user))
        .select_related("publisher__division", "author")
        .annotate(is_read=_read_by(user))
    )
    if unread_only:
        qs = qs.filter(is_read=False)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def notice_unread_count(user: Any) -> int:
    """How many notices the user has not read yet, capped at ``UNREAD_CAP``."""
    if not department_ids_of(user):
        return 0
    qs = (
        Notice.objects.filter(_notice_visible_q(user))
        .exclude(author_id=user.pk)
        .annotate(is_read=_read_by(user))
        .filter(is_read=False)
    )
    return len(qs.values_list("id", flat=True)[:UNREAD_CAP])


def notice_for_viewer(user: Any, notice_id: int) -> Notice:
    """One notice the user may read (its audience or its author); 404 otherwise."""
    notice = (
        Notice.objects.filter(_notice_visible_q(user), pk=notice_id)
        .select_related("publisher__division", "author")
        .annotate(is_read=_read_by(user))
        .first()
    )
    if notice is None:
        raise NotFound(_("通知不存在"))
    return notice


def notice_audience(notice: Notice) -> QuerySet[Any]:
    """The staff a notice is addressed to."""
    department_ids = list(notice.departments.values_list("id", flat=True))
    if department_ids:
        return staff_in_departments(department_ids)
    return staff_in_division(notice.division_id)


def notice_is_publisher(user: Any, notice: Notice) -> bool:
    """The author, or a head of the publishing department, sees the receipts."""
    if notice.author_id == user.pk:
        return True
    return any(
        grant.department_id == notice.publisher_id and grant.role in ("head", "leader")
        for grant in staff_roles(user)
    )


@dataclass(frozen=True)
class Receipts:
    """Read receipts (回执) of a notice: who has read it and when, who has not."""

    notice: Notice
    read: list[tuple[str, datetime]]
    unread: list[str]

    @property
    def read_count(self) -> int:
        return len(self.read)

    @property
    def audience_count(self) -> int:
        return len(self.read) + len(self.unread)


def notice_receipts_for(user: Any, notice_id: int) -> Receipts:
    """The receipts of a notice, for its publisher only (others: 404)."""
    notice = notice_for_viewer(user, notice_id)
    if not notice_is_publisher(user, notice):
        raise NotFound(_("通知不存在"))
    audience = list(notice_audience(notice)[:MAX_PEOPLE])
    reads = {
        r.user_id: r.read_at
        for r in NoticeRead.objects.filter(notice=notice).order_by("read_at", "id")[:MAX_PEOPLE]
    }
    by_id = {u.pk: u for u in audience}
    missing = [uid for uid in reads if uid not in by_id]
    if missing:  # read before leaving the audience: still a receipt
        by_id.update({u.pk: u for u in get_user_model().objects.filter(pk__in=missing)})
    read = sorted(
        ((user_label(by_id[uid]), at) for uid, at in reads.items() if uid in by_id),
        key=lambda pair: pair[1],
    )
    unread = [user_label(u) for u in audience if u.pk not in reads and u.pk != notice.author_id]
    return Receipts(notice=notice, read=read, unread=unread)


# ---------------------------------------------------------------------------- groups


def _member_of(user: Any) -> Exists:
    return Exists(GroupMember.objects.filter(group_id=OuterRef("pk"), user_id=user.pk))


def groups_for(user: Any, *, cursor: str | None = None, size: int = 50) -> Page[Group]:
    """The groups the user belongs to, newest first."""
    qs = Group.objects.filter(_member_of(user)).select_related("department__division")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def group_for_member(user: Any, group_id: int) -> Group:
    """A group the user belongs to; 404 for anyone else."""
    group = (
        Group.objects.filter(_member_of(user), pk=group_id)
        .select_related("department__division", "created_by")
        .first()
    )
    if group is None:
        raise NotFound(_("群组不存在"))
    return group


def group_members(group: Group) -> list[Any]:
    return [
        m.user
        for m in GroupMember.objects.filter(group=group)
        .select_related("user")
        .order_by("id")[:MAX_PEOPLE]
    ]


@dataclass(frozen=True)
class MessagePage:
    """A page of messages in time order (newest last); ``older`` is the cursor of the page
    before it, ``last_id`` the id to poll after."""

    items: list[Message]
    older: str | None
    last_id: int


def messages_page(
    user: Any, group_id: int, *, cursor: str | None = None, size: int = 30
) -> MessagePage:
    """The newest ``size`` messages of a group (or those older than ``cursor``), oldest
    first on the page."""
    group = group_for_member(user, group_id)
    qs = Message.objects.filter(group=group).select_related("author")
    page = keyset_page(qs, order=("-id",), cursor=cursor, size=size)
    items = list(reversed(page.items))
    last_id = items[-1].pk if items and cursor is None else 0
    if cursor is not None:
        newest = Message.objects.filter(group=group).order_by("-id").values_list("id", flat=True)
        last_id = newest.first() or 0
    return MessagePage(items=items, older=page.next_cursor, last_id=last_id)


def messages_after(user: Any, group_id: int, after_id: int, *, limit: int = 100) -> list[Message]:
    """Messages of a group newer than ``after_id``, oldest first (for polling)."""
    group = group_for_member(user, group_id)
    return list(
        Message.objects.filter(group=group, pk__gt=max(0, int(after_id)))
        .select_related("author")
        .order_by("id")[:limit]
    )


def message_in_group(user: Any, group_id: int, message_id: int) -> Message:
    """A message of a group the user belongs to; 404 otherwise."""
    group = group_for_member(user, group_id)
    message = Message.objects.filter(group=group, pk=message_id).first()
    if message is None:
        raise NotFound(_("消息不存在"))
    return message


def message_file_for_member(user: Any, group_id: int, message_id: int) -> Message:
    message = message_in_group(user, group_id, message_id)
    if not message.file:
        raise NotFound(_("该消息没有附件"))
    return message


# ---------------------------------------------------------------------------- meetings


def _meeting_visible_q(user: Any) -> Q:
    invited = Invitation.objects.filter(user_id=user.pk).values("meeting_id")
    return Q(organiser_id=user.pk) | Q(pk__in=invited)


def meetings_upcoming(
    user: Any, *, cursor: str | None = None, size: int = 20, now: datetime | None = None
) -> Page[Meeting]:
    """The user's meetings (organised or invited) not yet over, soonest first."""
    now = now or timezone.now()
    qs = (
        Meeting.objects.filter(_meeting_visible_q(user), ends_at__gte=now)
        .select_related("department__division", "organiser")
        .annotate(my_response=_my_response(user))
    )
    return keyset_page(qs, order=("starts_at", "id"), cursor=cursor, size=size)


def meetings_past(
    user: Any, *, cursor: str | None = None, size: int = 20, now: datetime | None = None
) -> Page[Meeting]:
    """The user's meetings that are over, latest first."""
    now = now or timezone.now()
    qs = (
        Meeting.objects.filter(_meeting_visible_q(user), ends_at__lt=now)
        .select_related("department__division", "organiser")
        .annotate(my_response=_my_response(user))
    )
    return keyset_page(qs, order=("-starts_at", "-id"), cursor=cursor, size=size)


def _my_response(user: Any) -> Subquery:
    return Subquery(
        Invitation.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk).values("response")[:1]
    )


def meeting_for_viewer(user: Any, meeting_id: int) -> Meeting:
    """A meeting the user organises or is invited to; 404 otherwise."""
    meeting = (
        Meeting.objects.filter(_meeting_visible_q(user), pk=meeting_id)
        .select_related("department__division", "organiser", "minutes_by")
        .annotate(my_response=_my_response(user))
        .first()
    )
    if meeting is None:
        raise NotFound(_("会议不存在"))
    return meeting


def meeting_invitations(meeting: Meeting) -> list[Invitation]:
    return list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("user")
        .order_by("id")[:MAX_PEOPLE]
    )


def invitation_of(user: Any, meeting: Meeting) -> Invitation | None:
    return Invitation.objects.filter(meeting=meeting, user_id=user.pk).first()


def meeting_is_over(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.ends_at < (now or timezone.now())


def meeting_may_record_minutes(user: Any, meeting: Meeting, now: datetime | None = None) -> bool:
    return (
        meeting.organiser_id == user.pk
        and meeting.status != MeetingStatus.CANCELLED
        and meeting.starts_at <= (now or timezone.now())
    )
