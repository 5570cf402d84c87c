"""Internal requests (征求意见函): office meets service. Staff handling a case in the
one-stop services ask another department for its opinion; the target department's staff
reply once, and both the request and the reply are written into the case's timeline as
internal entries: the case's handling staff see them on the case page, the applicant's
timeline does not show them (an opinion between departments is not a decision on the
application).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles, staff_with_role
from tongban.cases import selectors as cases
from tongban.cases.services import case_timeline_add
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.selectors import add_working_days
from tongban.core.services import audit_record
from tongban.notify.services import notification_send
from tongban.office.models import InternalRequest
from tongban.office.selectors.internal import (
    CLOSED_CASE_STATUSES,
    REPLY_ROLES,
    RequestStatus,
    request_visible,
    requesting_department,
)
from tongban.org.selectors import department_full_name, department_get

MIN_DUE_DAYS, MAX_DUE_DAYS = 1, 15
SUBJECT_LIMIT = 200
TEXT_LIMIT = 5000
TITLE_LIMIT = 200  # the case timeline's title column


def _clip(text: str, limit: int = TITLE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(request: InternalRequest) -> str:
    return f"/workbench/office/requests/{request.pk}/"


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, field=field)
    if len(value) > limit:
        raise ValidationFailed(
            _("%(label)s不能超过%(n)d个字") % {"label": label, "n": limit}, field=field
        )
    return value


def _notify(user_ids: list[int], *, topic: str, title: str, body: str, link: str) -> None:
    for user_id in dict.fromkeys(user_ids):
        notification_send(
            user_id=user_id, topic=topic, title=_clip(title), body=body, link=link, channels=()
        )


@transaction.atomic
def request_raise(
    *,
    user: Any,
    case_id: int,
    to_department_id: int,
    subject: str,
    body: str,
    due_days: int = 3,
) -> InternalRequest:
    """Raise a request from a case to another department; the case's timeline, the audit
    log and the target department's staff (in-app message) learn of it.

    Only staff working on the case (its handling department or a department holding a
    task on it) may raise one; others who may see the case are refused, everyone else is
    told the case does not exist."""
    case = cases.case_get(case_id)
    if not cases.staff_can_view(user, case):
        raise NotFound(_("办件不存在或不属于您"))
    from_department = requesting_department(user, case)
    if from_department is None:
        raise PermissionDenied(_("只有办理该办件的部门工作人员可以发起征求意见"))
    if case.status in CLOSED_CASE_STATUSES:
        raise Conflict(
            _("办件当前状态为“%(status)s”，不能发起征求意见")
            % {"status": case.get_status_display()},
            code="case_closed",
        )
    try:
        to_department = department_get(int(to_department_id))
    except NotFound:
        raise ValidationFailed(_("征求意见的部门不存在"), field="to_department") from None
    if to_department.pk == from_department.pk:
        raise ValidationFailed(_("不能向本部门发出征求意见函"), field="to_department")
    subject = _text(subject, field="subject", label=_("事由"), limit=SUBJECT_LIMIT)
    body = _text(body, field="body", label=_("征求意见内容"), limit=TEXT_LIMIT)
    if not isinstance(due_days, int) or not MIN_DUE_DAYS <= due_days <= MAX_DUE_DAYS:
        raise ValidationFailed(
            _("回复时限应为%(a)d至%(b)d个工作日") % {"a": MIN_DUE_DAYS, "b": MAX_DUE_DAYS},
            field="due_days",
        )
    request = InternalRequest.objects.create(
        case_id=case.pk,
        case_number=case.number,
        from_department=from_department,
        to_department=to_department,
        subject=subject,
        body=body,
        requested_by=user,
        due_on=add_working_days(timezone.localdate(), due_days),
    )
    target = department_full_name(to_department)
    case_timeline_add(
        case_id=case.pk,
        actor=user,
        action="internal_request",
        internal=True,
        title=_clip(
            _("已向%(dept)s发出征求意见函：%(subject)s") % {"dept": target, "subject": subject}
        ),
    )
    audit_record(
        action="office.request.raise",
        actor=user,
        object_type="office.internal_request",
        object_id=request.pk,
        detail={
            "case": case.number,
            "from": from_department.pk,
            "to": to_department.pk,
            "due_on": request.due_on.isoformat(),
        },
    )
    recipients = [
        user_id
        for role in sorted(REPLY_ROLES)
        for user_id in staff_with_role(
            division_code=to_department.division_id, department_code=to_department.code, role=role
        )
    ]
    _notify(
        recipients,
        topic="office.internal_request",
        title=_("%(dept)s征求意见：%(subject)s")
        % {"dept": department_full_name(from_department), "subject": subject},
        body=_("办件 %(number)s，请于 %(due)s 前回复。")
        % {"number": case.number, "due": request.due_on.isoformat()},
        link=_link(request),
    )
    return request


@transaction.atomic
def request_reply(*, user: Any, request_id: int, reply: str) -> InternalRequest:
    """Answer a request once, as general staff or head of the target department; the reply
    goes into the case's timeline and the requester gets an in-app message."""
    request = (
        InternalRequest.objects.select_for_update()
        .select_related("to_department__division", "from_department__division")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not request_visible(user, request):
        raise NotFound(_("征求意见函不存在或无权查看"))
    if not any(
        grant.department_id == request.to_department_id and grant.role in REPLY_ROLES
        for grant in staff_roles(user)
    ):
        raise PermissionDenied(_("只有被征求意见部门的工作人员或负责人可以回复"))
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("该征求意见函已回复，不能重复回复"), code="already_replied")
    reply = _text(reply, field="reply", label=_("回复意见"), limit=TEXT_LIMIT)
    request.reply = reply
    request.status = RequestStatus.REPLIED
    request.replied_by = user
    request.replied_at = timezone.now()
    request.save(update_fields=["reply", "status", "replied_by", "replied_at"])
    source = department_full_name(request.to_department)
    case_timeline_add(
        case_id=request.case_id,
        actor=user,
        action="internal_reply",
        internal=True,
        title=_clip(
            _("%(dept)s回复征求意见：%(subject)s") % {"dept": source, "subject": request.subject}
        ),
        comment=reply,
    )
    audit_record(
        action="office.request.reply",
        actor=user,
        object_type="office.internal_request",
        object_id=request.pk,
        detail={"case": request.case_number, "to": request.to_department_id},
    )
    _notify(
        [request.requested_by_id],
        topic="office.internal_request_replied",
        title=_("%(dept)s已回复征求意见：%(subject)s")
        % {"dept": source, "subject": request.subject},
        body=_("办件 %(number)s") % {"number": request.case_number},
        link=_link(request),
    )
    return request
