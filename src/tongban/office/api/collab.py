"""Notices, groups and meetings over HTTP: internal notices with read receipts, group
messages with shared files (polled with ``?after=``), meeting arrangements with
invitations, responses, cancellation and minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.errors import ValidationFailed
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.office.models import Group, Invitation, Meeting, Message, Notice
from tongban.office.selectors import collab as selectors
from tongban.office.services import files, groups, meetings, notices

router = Router(tags=["协同办公"], auth=API_AUTH)


# ---------------------------------------------------------------------------- notices


class NoticeIn(Schema):
    title: str
    body: str
    department_ids: list[int] = []
    department_id: int | None = None


class NoticeOut(Schema):
    id: int
    title: str
    publisher: str
    division_code: str
    author: str
    published_at: datetime
    read: bool
    departments: list[int]


class NoticeDetailOut(NoticeOut):
    body: str


class NoticePageOut(Schema):
    items: list[NoticeOut]
    next: str | None
    unread: int


class ReadOut(Schema):
    notice_id: int
    read_at: datetime


class ReaderOut(Schema):
    name: str
    read_at: datetime


class ReceiptsOut(Schema):
    notice_id: int
    read_count: int
    audience_count: int
    read: list[ReaderOut]
    unread: list[str]


def _department_name(department: Any) -> str:
    return f"{department.division.name}{department.name}"


def _notice(notice: Notice, *, detail: bool = False) -> dict[str, Any]:
    data = {
        "id": notice.pk,
        "title": notice.title,
        "publisher": _department_name(notice.publisher),
        "division_code": notice.division_id,
        "author": selectors.user_label(notice.author),
        "published_at": notice.published_at,
        "read": bool(getattr(notice, "is_read", False)),
        "departments": [d.pk for d in notice.departments.all()],
    }
    if detail:
        data["body"] = notice.body
    return data


@router.get(
    "/notices",
    response={200: NoticePageOut, **errors(401, 403, 422)},
    summary="我的内部通知（最新在前，read 表示是否已读；unread 为未读数，最多 100）",
)
def notice_list(
    request: HttpRequest, cursor: str | None = None, size: int = 20, unread_only: bool = False
) -> NoticePageOut:
    user = caller(request)
    page = selectors.notices_for(user, cursor=cursor, size=size, unread_only=unread_only)
    return NoticePageOut(
        items=[NoticeOut(**_notice(n)) for n in page.items],
        next=next_url(request, page.next_cursor),
        unread=selectors.notice_unread_count(user),
    )


@router.post(
    "/notices",
    response={201: NoticeDetailOut, **errors(401, 403, 422)},
    summary="发布内部通知（部门负责人或领导；department_ids 为空则发往本区划所有部门）",
)
def notice_publish(request: HttpRequest, body: NoticeIn) -> Status:
    user = caller(request)
    notice = notices.notice_publish(user=user, **body.dict())
    found = selectors.notice_for_viewer(user, notice.pk)
    return Status(201, NoticeDetailOut(**_notice(found, detail=True)))


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeDetailOut, **errors(401, 403, 404)},
    summary="通知详情（不记已读；已读请调用 /read）",
)
def notice_detail(request: HttpRequest, notice_id: int) -> NoticeDetailOut:
    notice = selectors.notice_for_viewer(caller(request), notice_id)
    return NoticeDetailOut(**_notice(notice, detail=True))


@router.post(
    "/notices/{notice_id}/read",
    response={200: ReadOut, **errors(401, 403, 404)},
    summary="标记已读（回执只记录第一次）",
)
def notice_read(request: HttpRequest, notice_id: int) -> ReadOut:
    receipt = notices.notice_read(user=caller(request), notice_id=notice_id)
    return ReadOut(notice_id=notice_id, read_at=receipt.read_at)


@router.get(
    "/notices/{notice_id}/receipts",
    response={200: ReceiptsOut, **errors(401, 403, 404)},
    summary="通知回执：已读与未读人员（仅发布人）",
)
def notice_receipts(request: HttpRequest, notice_id: int) -> ReceiptsOut:
    receipts = selectors.notice_receipts_for(caller(request), notice_id)
    return ReceiptsOut(
        notice_id=notice_id,
        read_count=receipts.read_count,
        audience_count=receipts.audience_count,
        read=[ReaderOut(name=name, read_at=at) for name, at in receipts.read],
        unread=receipts.unread,
    )


# ---------------------------------------------------------------------------- groups


class GroupIn(Schema):
    name: str
    kind: str
    member_ids: list[int] = []
    department_id: int | None = None


class MembersIn(Schema):
    member_ids: list[int]


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    department: str | None
    department_id: int | None
    created_at: datetime


class GroupDetailOut(GroupOut):
    members: list[str]


class GroupPageOut(Schema):
    items: list[GroupOut]
    next: str | None


class GroupMessageOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime
    file_name: str | None
    file_size: int | None
    file_url: str | None


class GroupMessagePageOut(Schema):
    items: list[GroupMessageOut]
    next: str | None
    last_id: int


class AddedOut(Schema):
    added: list[int]


def _group(group: Group) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "kind": group.kind,
        "kind_label": str(group.get_kind_display()),
        "department": _department_name(group.department) if group.department else None,
        "department_id": group.department_id,
        "created_at": group.created_at,
    }


def _message(message: Message) -> GroupMessageOut:
    url = None
    if message.file:
        url = f"/api/v1/groups/{message.group_id}/files/{message.pk}"
    return GroupMessageOut(
        id=message.pk,
        author=selectors.user_label(message.author),
        body=message.body,
        created_at=message.created_at,
        file_name=message.file_name or None,
        file_size=message.file_size,
        file_url=url,
    )


@router.get(
    "/groups",
    response={200: GroupPageOut, **errors(401, 403, 422)},
    summary="我所在的工作群组",
)
def group_list(request: HttpRequest, cursor: str | None = None, size: int = 50) -> GroupPageOut:
    page = selectors.groups_for(caller(request), cursor=cursor, size=size)
    return GroupPageOut(
        items=[GroupOut(**_group(g)) for g in page.items], next=next_url(request, page.next_cursor)
    )


@router.post(
    "/groups",
    response={201: GroupDetailOut, **errors(401, 403, 422)},
    summary="建立工作群组（kind=department 部门群组，默认成员为本部门人员；project 项目群组）",
)
def group_create(request: HttpRequest, body: GroupIn) -> Status:
    user = caller(request)
    group = groups.group_create(user=user, **body.dict())
    members = [selectors.user_label(u) for u in selectors.group_members(group)]
    return Status(201, GroupDetailOut(**_group(group), members=members))


@router.get(
    "/groups/{group_id}",
    response={200: GroupDetailOut, **errors(401, 403, 404)},
    summary="群组详情（仅成员）",
)
def group_detail(request: HttpRequest, group_id: int) -> GroupDetailOut:
    group = selectors.group_for_member(caller(request), group_id)
    members = [selectors.user_label(u) for u in selectors.group_members(group)]
    return GroupDetailOut(**_group(group), members=members)


@router.post(
    "/groups/{group_id}/members",
    response={200: AddedOut, **errors(401, 403, 404, 422)},
    summary="添加群组成员（群组创建人）",
)
def group_add_members(request: HttpRequest, group_id: int, body: MembersIn) -> AddedOut:
    added = groups.group_add_members(
        user=caller(request), group_id=group_id, member_ids=body.member_ids
    )
    return AddedOut(added=added)


@router.get(
    "/groups/{group_id}/messages",
    response={200: GroupMessagePageOut, **errors(401, 403, 404, 422)},
    summary="群组消息：最新一页（按时间先后排列），cursor 翻看更早的；?after=消息id 轮询新消息",
)
def message_list(
    request: HttpRequest,
    group_id: int,
    after: int | None = None,
    cursor: str | None = None,
    size: int = 30,
) -> GroupMessagePageOut:
    user = caller(request)
    if after is not None:
        if after < 0:
            raise ValidationFailed("after 必须是消息编号", field="after")
        items = selectors.messages_after(user, group_id, after)
        last = items[-1].pk if items else after
        return GroupMessagePageOut(items=[_message(m) for m in items], next=None, last_id=last)
    page = selectors.messages_page(user, group_id, cursor=cursor, size=size)
    return GroupMessagePageOut(
        items=[_message(m) for m in page.items],
        next=next_url(request, page.older),
        last_id=page.last_id,
    )


@router.post(
    "/groups/{group_id}/messages",
    response={201: GroupMessageOut, **errors(401, 403, 404, 422)},
    summary="发送群组消息（multipart：body 文字和/或 file 文件，文件不超过 20 MB）",
)
def message_post(
    request: HttpRequest,
    group_id: int,
    body: Form[str] = "",
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Status:
    message = groups.message_post(user=caller(request), group_id=group_id, body=body, upload=file)
    return Status(201, _message(message))


@router.get(
    "/groups/{group_id}/files/{message_id}",
    response={200: None, **errors(401, 403, 404)},
    summary="下载群组共享文件（仅成员，记录审计）",
)
def message_file(request: HttpRequest, group_id: int, message_id: int) -> FileResponse:
    message = groups.message_file_open(
        user=caller(request), group_id=group_id, message_id=message_id
    )
    response = FileResponse(
        message.file.open("rb"),
        content_type=files.file_content_type(message.file_name),
        as_attachment=True,
        filename=message.file_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------- meetings


class MeetingIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    agenda: str = ""
    invitee_ids: list[int]
    department_id: int | None = None


class RespondIn(Schema):
    response: str
    note: str = ""


class MinutesIn(Schema):
    minutes: str


class CancelIn(Schema):
    reason: str = ""


class InvitationOut(Schema):
    name: str
    user_id: int
    response: str
    response_label: str
    note: str
    responded_at: datetime | None


class MeetingOut(Schema):
    id: int
    title: str
    organiser: str
    organiser_id: int
    department: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str
    status_label: str
    my_response: str | None


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    minutes_at: datetime | None
    invitations: list[InvitationOut]


class MeetingPageOut(Schema):
    items: list[MeetingOut]
    next: str | None


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "organiser": selectors.user_label(meeting.organiser),
        "organiser_id": meeting.organiser_id,
        "department": _department_name(meeting.department),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "status": meeting.status,
        "status_label": str(meeting.get_status_display()),
        "my_response": getattr(meeting, "my_response", None),
    }


def _invitation(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        name=selectors.user_label(invitation.user),
        user_id=invitation.user_id,
        response=invitation.response,
        response_label=str(invitation.get_response_display()),
        note=invitation.note,
        responded_at=invitation.responded_at,
    )


def _meeting_detail(user: Any, meeting_id: int) -> MeetingDetailOut:
    meeting = selectors.meeting_for_viewer(user, meeting_id)
    return MeetingDetailOut(
        **_meeting(meeting),
        agenda=meeting.agenda,
        minutes=meeting.minutes,
        minutes_at=meeting.minutes_at,
        invitations=[_invitation(i) for i in selectors.meeting_invitations(meeting)],
    )


@router.get(
    "/meetings",
    response={200: MeetingPageOut, **errors(401, 403, 422)},
    summary="我的会议（组织或受邀）：when=upcoming 未结束的（最近的在前），past 已结束的",
)
def meeting_list(
    request: HttpRequest, when: str = "upcoming", cursor: str | None = None, size: int = 20
) -> MeetingPageOut:
    user = caller(request)
    if when == "upcoming":
        page = selectors.meetings_upcoming(user, cursor=cursor, size=size)
    elif when == "past":
        page = selectors.meetings_past(user, cursor=cursor, size=size)
    else:
        raise ValidationFailed("when 只能是 upcoming 或 past", field="when")
    return MeetingPageOut(
        items=[MeetingOut(**_meeting(m)) for m in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, **errors(401, 403, 422)},
    summary="安排会议并邀请参会人员（站内消息通知）",
)
def meeting_arrange(request: HttpRequest, body: MeetingIn) -> Status:
    user = caller(request)
    meeting = meetings.meeting_arrange(user=user, **body.dict())
    return Status(201, _meeting_detail(user, meeting.pk))


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, **errors(401, 403, 404)},
    summary="会议详情（组织者或受邀人员）",
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    return _meeting_detail(caller(request), meeting_id)


MEETING_ERRORS = errors(401, 403, 404, 409, 422)


@router.post(
    "/meetings/{meeting_id}/respond",
    response={200: MeetingDetailOut, **MEETING_ERRORS},
    summary="回复会议邀请（accepted 参加 / declined 不参加）",
)
def meeting_respond(request: HttpRequest, meeting_id: int, body: RespondIn) -> MeetingDetailOut:
    user = caller(request)
    meetings.invitation_respond(
        user=user, meeting_id=meeting_id, response=body.response, note=body.note
    )
    return _meeting_detail(user, meeting_id)


@router.post(
    "/meetings/{meeting_id}/minutes",
    response={200: MeetingDetailOut, **MEETING_ERRORS},
    summary="记录会议纪要（组织者，会议开始后），会议标记为已召开",
)
def meeting_minutes(request: HttpRequest, meeting_id: int, body: MinutesIn) -> MeetingDetailOut:
    user = caller(request)
    meetings.minutes_record(user=user, meeting_id=meeting_id, minutes=body.minutes)
    return _meeting_detail(user, meeting_id)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingDetailOut, **MEETING_ERRORS},
    summary='取消会议（组织者，会议开始前；通知受邀人员）；请求体 {"reason": "..."}，可为 {}',
)
def meeting_cancel(request: HttpRequest, meeting_id: int, body: CancelIn) -> MeetingDetailOut:
    user = caller(request)
    meetings.meeting_cancel(user=user, meeting_id=meeting_id, reason=body.reason)
    return _meeting_detail(user, meeting_id)
