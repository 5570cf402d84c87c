"""Work groups (工作群组): a department group (部门群组) gathers a department's staff, a
project group (项目群组) staff of several departments; members post messages and share
files (文件共享). Only members see a group, its messages and its files; every
download of a shared file is audited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.office.models import Group, GroupKind, GroupMember, Message
from tongban.office.selectors.collab import (
    MAX_PEOPLE,
    group_for_member,
    message_file_for_member,
    staff_by_ids,
    staff_in_departments,
)
from tongban.office.services.files import office_file_read

NAME_MAX = 100
BODY_MAX = 4000
DEPARTMENT_GROUP_ROLES = frozenset({"head", "leader"})


def _require_staff(user: Any) -> list[Any]:
    grants = staff_roles(user)
    if not grants:
        raise PermissionDenied(_("仅政务工作人员可以使用工作群组"))
    return grants


def _members(member_ids: list[int] | None) -> list[Any]:
    ids: list[int] = []
    for raw in member_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed(_("成员不存在"), field="member_ids") from None
    found = staff_by_ids(ids)
    if len(found) != len(set(ids)):
        raise ValidationFailed(_("所选成员中有人不是在职工作人员"), field="member_ids")
    return found


@transaction.atomic
def group_create(
    *,
    user: Any,
    name: str,
    kind: str,
    member_ids: list[int] | None = None,
    department_id: int | None = None,
) -> Group:
    """Create a group with its creator as a member. A department group belongs to a
    department the creator heads (or leads); without chosen members it gathers that
    department's staff. A project group gathers staff of any departments."""
    grants = _require_staff(user)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写群组名称"), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("不能超过%(n)d个字") % {"n": NAME_MAX}, field="name")
    if kind not in GroupKind.values:
        raise ValidationFailed(_("群组类别只能是部门群组或项目群组"), field="kind")
    members = _members(member_ids)
    department = None
    if kind == GroupKind.DEPARTMENT:
        heads = [g for g in grants if g.role in DEPARTMENT_GROUP_ROLES]
        if department_id is not None:
            heads = [g for g in heads if g.department_id == int(department_id)]
        if not heads:
            raise PermissionDenied(_("只有部门负责人可以建立本部门的群组"))
        department = heads[0].department
        if not members:
            members = list(staff_in_departments([department.pk])[:MAX_PEOPLE])
    elif department_id is not None:
        raise ValidationFailed(_("项目群组不属于某一部门"), field="department_id")
    group = Group.objects.create(name=name, kind=kind, department=department, created_by=user)
    people = {user.pk, *(m.pk for m in members)}
    GroupMember.objects.bulk_create(GroupMember(group=group, user_id=uid) for uid in sorted(people))
    audit_record(
        action="office.group.create",
        actor=user,
        object_type="office.group",
        object_id=group.pk,
        detail={
            "kind": kind,
            "department": department.pk if department else None,
            "members": len(people),
        },
    )
    return group


@transaction.atomic
def group_add_members(*, user: Any, group_id: int, member_ids: list[int]) -> list[int]:
    """Add staff to a group (its creator only); returns the ids of those newly added."""
    group = group_for_member(user, group_id)
    if group.created_by_id != user.pk:
        raise PermissionDenied(_("只有群组创建人可以添加成员"))
    members = _members(member_ids)
    if not members:
        raise ValidationFailed(_("请选择要添加的成员"), field="member_ids")
    present = set(GroupMember.objects.filter(group=group).values_list("user_id", flat=True))
    added = [m.pk for m in members if m.pk not in present]
    GroupMember.objects.bulk_create(GroupMember(group=group, user_id=uid) for uid in added)
    if added:
        audit_record(
            action="office.group.add_members",
            actor=user,
            object_type="office.group",
            object_id=group.pk,
            detail={"added": added},
        )
    return added


@transaction.atomic
def message_post(
    *, user: Any, group_id: int, body: str = "", upload: UploadedFile | None = None
) -> Message:
    """Post a message (text, a shared file, or both) to a group the user belongs to."""
    group = group_for_member(user, group_id)
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise ValidationFailed(_("不能超过%(n)d个字") % {"n": BODY_MAX}, field="body")
    if not body and upload is None:
        raise ValidationFailed(_("请填写消息内容或选择要共享的文件"), field="body")
    message = Message(group=group, author=user, body=body)
    digest = ""
    if upload is not None:
        name, content = office_file_read(upload)
        digest = hashlib.sha256(content).hexdigest()
        extension = name.rsplit(".", 1)[-1].lower()
        message.file.save(f"{digest}.{extension}", ContentFile(content), save=False)
        message.file_name = name
        message.file_size = len(content)
    message.save()
    audit_record(
        action="office.group.message",
        actor=user,
        object_type="office.group",
        object_id=group.pk,
        detail={"message": message.pk, "file": message.file_name, "sha256": digest},
    )
    return message


@transaction.atomic
def message_file_open(*, user: Any, group_id: int, message_id: int) -> Message:
    """A shared file for download by a member of its group (others: 404); audited."""
    message = message_file_for_member(user, group_id, message_id)
    audit_record(
        action="office.group.file_download",
        actor=user,
        object_type="office.group",
        object_id=group_id,
        detail={"message": message.pk, "file": message.file_name},
    )
    return message
