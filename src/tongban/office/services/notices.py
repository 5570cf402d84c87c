"""Internal notices (内部通知): a department head or a leader publishes a notice to the staff
of chosen departments of their division (or of every department of it); each reader's
first opening records a read receipt (已读回执) the publisher can follow."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.office.models import Notice, NoticeRead
from tongban.office.selectors.collab import notice_for_viewer
from tongban.org.selectors import department_get

PUBLISHER_ROLES = frozenset({"head", "leader"})
TITLE_MAX = 200
BODY_MAX = 20000


def _publishing_department(user: Any, department_id: int | None) -> Any:
    """The department the user publishes for: one where they are head or leader."""
    grants = [g for g in staff_roles(user) if g.role in PUBLISHER_ROLES]
    if department_id is not None:
        grants = [g for g in grants if g.department_id == department_id]
    if not grants:
        raise PermissionDenied(_("只有部门负责人或领导可以发布通知"))
    return grants[0].department


def _clean_text(value: str, field: str, limit: int, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(empty, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("不能超过%(n)d个字") % {"n": limit}, field=field)
    return value


@transaction.atomic
def notice_publish(
    *,
    user: Any,
    title: str,
    body: str,
    department_ids: list[int] | None = None,
    department_id: int | None = None,
) -> Notice:
    """Publish a notice to the staff of ``department_ids`` (all of the same division as
    the publishing department); an empty list addresses every department of it."""
    publisher = _publishing_department(user, department_id)
    title = _clean_text(title, "title", TITLE_MAX, _("请填写通知标题"))
    body = _clean_text(body, "body", BODY_MAX, _("请填写通知正文"))
    targets = []
    for target_id in dict.fromkeys(department_ids or []):
        try:
            department = department_get(int(target_id))
        except (TypeError, ValueError, NotFound):
            raise ValidationFailed(_("部门不存在"), field="department_ids") from None
        if department.division_id != publisher.division_id:
            raise ValidationFailed(
                _("只能向本区划（%(division)s）的部门发布通知")
                % {"division": publisher.division.name},
                field="department_ids",
            )
        targets.append(department)
    notice = Notice.objects.create(
        title=title,
        body=body,
        division_id=publisher.division_id,
        publisher=publisher,
        author=user,
    )
    if targets:
        notice.departments.set(targets)
    audit_record(
        action="office.notice.publish",
        actor=user,
        object_type="office.notice",
        object_id=notice.pk,
        detail={
            "publisher": publisher.pk,
            "departments": [d.pk for d in targets],
            "title": title,
        },
    )
    return notice


@transaction.atomic
def notice_read(*, user: Any, notice_id: int) -> NoticeRead:
    """Record that the user has read a notice; reading again keeps the first receipt.
    Not audited: the receipt itself is the record."""
    notice = notice_for_viewer(user, notice_id)
    receipt, _created = NoticeRead.objects.get_or_create(notice=notice, user=user)
    return receipt
