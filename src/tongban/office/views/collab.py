"""Pages of notices, groups and meetings under /workbench/office/. Thin: parse, call one
service or selector, render. Every page works without JavaScript (forms post and
redirect; a 刷新 link reloads); with htmx loaded, the group page and the notice list
poll small partials for what is new. A ``DomainError`` from a form is shown next to the
field; refusals and unknown ids go to the error-page middleware."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_roles
from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.office.models import GroupKind
from tongban.office.selectors import collab as selectors
from tongban.office.services import files, groups, meetings, notices
from tongban.org.selectors import department_list


def _error(exc: DomainError, fields: tuple[str, ...], default: str) -> dict[str, Any]:
    if isinstance(exc, (PermissionDenied, NotFound)):
        raise exc
    return {"error": exc.message, "error_field": exc.field if exc.field in fields else default}


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()][:5000]


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "")
    return int(raw) if raw.isdigit() else 0


def _colleagues(user: Any) -> list[dict[str, Any]]:
    """Colleagues to pick from, labelled with their departments."""
    people = selectors.staff_choices(user)
    return [{"id": p.pk, "label": selectors.user_label(p)} for p in people]


# ---------------------------------------------------------------------------- notices


def _publisher_grants(user: Any) -> list[Any]:
    return [g for g in staff_roles(user) if g.role in notices.PUBLISHER_ROLES]


@staff_only
@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    page = selectors.notices_for(user, cursor=_cursor(request))
    top = max((n.pk for n in page.items), default=0)
    context = {
        "notices": page.items,
        "next_cursor": page.next_cursor,
        "unread": selectors.notice_unread_count(user),
        "may_publish": bool(_publisher_grants(user)),
        "last_id": top,
        "first_page": _cursor(request) is None,
    }
    return render(request, "office/notice_list.html", context)


@staff_only
@require_safe
def notice_updates(request: HttpRequest) -> HttpResponse:
    """htmx partial: notices newer than ``after`` (to put on top of the list), the unread
    badge and the poller carrying the new last id."""
    user: Any = request.user
    after = _after(request)
    page = selectors.notices_for(user, size=20)
    fresh = [n for n in page.items if n.pk > after]
    context = {
        "notices": fresh,
        "unread": selectors.notice_unread_count(user),
        "last_id": max([after, *(n.pk for n in fresh)]),
    }
    return render(request, "office/_notice_updates.html", context)


@staff_only
@require_safe
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Opening a notice's page records the reader's receipt (once)."""
    user: Any = request.user
    notices.notice_read(user=user, notice_id=notice_id)
    notice = selectors.notice_for_viewer(user, notice_id)
    receipts = None
    if selectors.notice_is_publisher(user, notice):
        receipts = selectors.notice_receipts_for(user, notice_id)
    context = {
        "notice": notice,
        "departments": list(notice.departments.select_related("division")),
        "receipts": receipts,
    }
    return render(request, "office/notice_detail.html", context)


NOTICE_FIELDS = ("title", "body", "department_ids", "department_id")


@staff_only
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    grants = _publisher_grants(user)
    if not grants:
        raise PermissionDenied(_("只有部门负责人或领导可以发布通知"))
    divisions = {g.department.division_id for g in grants}
    targets = [
        d for code in sorted(divisions) for d in department_list(division_code=code, size=100).items
    ]
    form: dict[str, Any] = {"title": "", "body": "", "department_ids": [], "department_id": ""}
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = {
            "title": request.POST.get("title", "")[:400],
            "body": request.POST.get("body", "")[:40000],
            "department_ids": _ids(request.POST.getlist("department_ids")),
            "department_id": request.POST.get("department_id", ""),
        }
        department_id = form["department_id"]
        try:
            notice = notices.notice_publish(
                user=user,
                title=form["title"],
                body=form["body"],
                department_ids=form["department_ids"],
                department_id=int(department_id) if department_id.isdigit() else None,
            )
        except DomainError as exc:
            extra = _error(exc, NOTICE_FIELDS, "title")
            status = exc.status
        else:
            messages.success(request, _("通知已发布。"))
            return redirect("office:notice_detail", notice_id=notice.pk)
    context = {
        "form": form,
        "grants": grants,
        "targets": targets,
        **extra,
    }
    return render(request, "office/notice_new.html", context, status=status)


# ---------------------------------------------------------------------------- groups


@staff_only
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    page = selectors.groups_for(request.user, cursor=_cursor(request))
    return render(
        request,
        "office/group_list.html",
        {"groups": page.items, "next_cursor": page.next_cursor},
    )


GROUP_FIELDS = ("name", "kind", "member_ids", "department_id")


@staff_only
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form: dict[str, Any] = {"name": "", "kind": "project", "member_ids": [], "department_id": ""}
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = {
            "name": request.POST.get("name", "")[:200],
            "kind": request.POST.get("kind", ""),
            "member_ids": _ids(request.POST.getlist("member_ids")),
            "department_id": request.POST.get("department_id", ""),
        }
        department_id = form["department_id"]
        try:
            group = groups.group_create(
                user=user,
                name=form["name"],
                kind=form["kind"],
                member_ids=form["member_ids"],
                department_id=int(department_id)
                if department_id.isdigit() and form["kind"] == GroupKind.DEPARTMENT
                else None,
            )
        except DomainError as exc:
            extra = _error(exc, GROUP_FIELDS, "name")
            status = exc.status
        else:
            messages.success(request, _("群组已建立。"))
            return redirect("office:group_detail", group_id=group.pk)
    heads = [g for g in staff_roles(user) if g.role in groups.DEPARTMENT_GROUP_ROLES]
    context = {
        "form": form,
        "kinds": GroupKind.choices,
        "head_grants": heads,
        "colleagues": _colleagues(user),
        **extra,
    }
    return render(request, "office/group_new.html", context, status=status)


def _group_page(request: HttpRequest, group_id: int, status: int = 200, **extra: Any) -> Any:
    user: Any = request.user
    group = selectors.group_for_member(user, group_id)
    page = selectors.messages_page(user, group_id, cursor=_cursor(request))
    members = selectors.group_members(group)
    member_ids = {m.pk for m in members}
    context = {
        "group": group,
        "messages_list": page.items,
        "older": page.older,
        "last_id": page.last_id,
        "polling": _cursor(request) is None,
        "members": members,
        "may_add": group.created_by_id == user.pk,
        "candidates": [c for c in _colleagues(user) if c["id"] not in member_ids],
        "max_mb": files.FILE_MAX_BYTES // (1024 * 1024),
        **extra,
    }
    return render(request, "office/group_detail.html", context, status=status)


@staff_only
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group's messages, newest last, with the post form (a file may go with it)."""
    if request.method == "GET":
        return _group_page(request, group_id)
    body = request.POST.get("body", "")[:8000]
    try:
        groups.message_post(
            user=request.user, group_id=group_id, body=body, upload=request.FILES.get("file")
        )
    except DomainError as exc:
        extra = _error(exc, ("body", "file"), "body")
        return _group_page(request, group_id, status=exc.status, body=body, **extra)
    return redirect(f"{_group_url(group_id)}#message-form")


def _group_url(group_id: int) -> str:
    return reverse("office:group_detail", args=[group_id])


@staff_only
@require_safe
def group_messages(request: HttpRequest, group_id: int) -> HttpResponse:
    """htmx partial: the messages after ``after`` and the poller with the new last id;
    204 when there is nothing new (htmx then leaves the page as it is)."""
    after = _after(request)
    items = selectors.messages_after(request.user, group_id, after)
    if not items:
        return HttpResponse(status=204)
    context = {"group_id": group_id, "messages_list": items, "last_id": items[-1].pk}
    return render(request, "office/_messages_new.html", context)


@staff_only
@require_POST
def group_members_add(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        added = groups.group_add_members(
            user=request.user,
            group_id=group_id,
            member_ids=_ids(request.POST.getlist("member_ids")),
        )
    except DomainError as exc:
        extra = _error(exc, ("member_ids",), "member_ids")
        return _group_page(request, group_id, status=exc.status, member_error=extra["error"])
    messages.success(request, _("已添加 %(n)d 名成员。") % {"n": len(added)})
    return redirect("office:group_detail", group_id=group_id)


@login_required
@require_safe
def group_file(request: HttpRequest, group_id: int, message_id: int) -> FileResponse:
    """A shared file, for members of its group only (audited); others get 404."""
    message = groups.message_file_open(user=request.user, group_id=group_id, message_id=message_id)
    response = FileResponse(
        message.file.open("rb"),
        content_type=files.file_content_type(message.file_name),
        as_attachment=True,
        filename=message.file_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------- meetings


@staff_only
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    if when == "past":
        page = selectors.meetings_past(request.user, cursor=_cursor(request))
    else:
        page = selectors.meetings_upcoming(request.user, cursor=_cursor(request))
    context = {"meetings": page.items, "next_cursor": page.next_cursor, "when": when}
    return render(request, "office/meeting_list.html", context)


MEETING_FIELDS = ("title", "starts_at", "ends_at", "place", "agenda", "invitee_ids")


def _local_datetime(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(_("请按“年-月-日 时:分”填写时间"), field=field) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@staff_only
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form: dict[str, Any] = {
        "title": "",
        "starts_at": "",
        "ends_at": "",
        "place": "",
        "agenda": "",
        "invitee_ids": [],
        "department_id": "",
    }
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = {f: request.POST.get(f, "")[:20000] for f in form if f != "invitee_ids"}
        form["invitee_ids"] = _ids(request.POST.getlist("invitee_ids"))
        try:
            department_id = form["department_id"]
            meeting = meetings.meeting_arrange(
                user=user,
                title=form["title"],
                starts_at=_local_datetime(form["starts_at"], "starts_at"),
                ends_at=_local_datetime(form["ends_at"], "ends_at"),
                place=form["place"],
                agenda=form["agenda"],
                invitee_ids=form["invitee_ids"],
                department_id=int(department_id) if department_id.isdigit() else None,
            )
        except DomainError as exc:
            extra = _error(exc, MEETING_FIELDS, "title")
            status = exc.status if exc.status != 400 else 422
        else:
            messages.success(request, _("会议已安排，邀请已发送。"))
            return redirect("office:meeting_detail", meeting_id=meeting.pk)
    context = {
        "form": form,
        "grants": staff_roles(user),
        "colleagues": [c for c in _colleagues(user) if c["id"] != user.pk],
        **extra,
    }
    return render(request, "office/meeting_new.html", context, status=status)


def _meeting_page(request: HttpRequest, meeting_id: int, status: int = 200, **extra: Any) -> Any:
    user: Any = request.user
    meeting = selectors.meeting_for_viewer(user, meeting_id)
    now = timezone.now()
    invitation = selectors.invitation_of(user, meeting)
    context = {
        "meeting": meeting,
        "invitations": selectors.meeting_invitations(meeting),
        "invitation": invitation,
        "is_organiser": meeting.organiser_id == user.pk,
        "may_respond": invitation is not None
        and meeting.status != "cancelled"
        and meeting.ends_at > now,
        "may_cancel": meeting.organiser_id == user.pk
        and meeting.status == "scheduled"
        and meeting.starts_at > now,
        "may_minutes": selectors.meeting_may_record_minutes(user, meeting, now),
        **extra,
    }
    return render(request, "office/meeting_detail.html", context, status=status)


@staff_only
@require_safe
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, meeting_id)


@staff_only
@require_POST
def meeting_respond(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meetings.invitation_respond(
            user=request.user,
            meeting_id=meeting_id,
            response=request.POST.get("response", ""),
            note=request.POST.get("note", "")[:400],
        )
    except DomainError as exc:
        extra = _error(exc, ("response", "note"), "response")
        return _meeting_page(request, meeting_id, status=exc.status, failed="respond", **extra)
    messages.success(request, _("已回复会议邀请。"))
    return redirect("office:meeting_detail", meeting_id=meeting_id)


@staff_only
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meetings.meeting_cancel(
            user=request.user, meeting_id=meeting_id, reason=request.POST.get("reason", "")[:400]
        )
    except DomainError as exc:
        extra = _error(exc, ("reason",), "reason")
        return _meeting_page(request, meeting_id, status=exc.status, failed="cancel", **extra)
    messages.success(request, _("会议已取消，已通知受邀人员。"))
    return redirect("office:meeting_detail", meeting_id=meeting_id)


@staff_only
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user: Any = request.user
    meeting = selectors.meeting_for_viewer(user, meeting_id)
    if meeting.organiser_id != user.pk:
        raise PermissionDenied(_("只有会议组织者可以记录会议纪要"))
    text = meeting.minutes
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        text = request.POST.get("minutes", "")[:60000]
        try:
            meetings.minutes_record(user=user, meeting_id=meeting_id, minutes=text)
        except DomainError as exc:
            extra = _error(exc, ("minutes",), "minutes")
            status = exc.status
        else:
            messages.success(request, _("会议纪要已保存。"))
            return redirect("office:meeting_detail", meeting_id=meeting_id)
    context = {
        "meeting": meeting,
        "minutes": text,
        "may_minutes": selectors.meeting_may_record_minutes(user, meeting),
        **extra,
    }
    return render(request, "office/meeting_minutes.html", context, status=status)
