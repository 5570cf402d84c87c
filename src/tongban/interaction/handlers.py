"""Reactions to appeal events: the department hears of a new appeal to sign off, the
applicant of the reply. Messages carry no appeal text, only the number and a link."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_with_role
from tongban.interaction import selectors
from tongban.interaction.models import Appeal
from tongban.notify.services import notification_send

ARRIVAL_ACTIONS = frozenset({"route", "dispatch", "transfer"})


def _appeal(appeal_id: int) -> Appeal | None:
    return Appeal.objects.select_related("department").filter(pk=appeal_id).first()


def on_appeal_stepped(event_id: int, payload: dict[str, Any]) -> None:
    appeal = _appeal(int(payload["appeal_id"]))
    if appeal is None:
        return
    action = payload.get("action")
    if action in ARRIVAL_ACTIONS and payload.get("status") == "dispatched":
        _tell_department(appeal)
    elif action == "reply" and appeal.submitter_id:
        notification_send(
            user_id=appeal.submitter_id,
            topic="interaction.appeal_replied",
            title=_("您的诉求 %(number)s 已答复") % {"number": appeal.number},
            body=_("请查看答复并评价办理情况。"),
            link=f"/interaction/appeals/{appeal.number}/",
            channels=(),
        )


def _tell_department(appeal: Appeal) -> None:
    department = appeal.department
    if department is None:
        return
    for role in sorted(selectors.HANDLER_ROLES):
        for user_id in staff_with_role(
            division_code=department.division_id, department_code=department.code, role=role
        ):
            notification_send(
                user_id=user_id,
                topic="interaction.appeal_dispatched",
                title=_("新诉求待签收：%(number)s") % {"number": appeal.number},
                body=_("请在签收期限 %(date)s 前签收。") % {"date": appeal.sign_deadline},
                link=f"/workbench/appeals/{appeal.number}/",
                channels=(),
            )
