"""Reactions to case events (the clock follows the case) and to supervision's own events
(the people concerned are told in-app). Every handler is idempotent: the outbox delivers
at least once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.notify.services import notification_send
from tongban.supervision import selectors, services
from tongban.supervision.models import Level, StopReason

LEVEL_TITLES = {
    Level.WARNING: gettext_noop("办件黄灯预警：%(number)s"),
    Level.OVERDUE: gettext_noop("办件红灯超期：%(number)s"),
    Level.NORMAL: gettext_noop("办件预警解除：%(number)s"),
}


def on_case_accepted(event_id: int, payload: dict[str, Any]) -> None:
    services.clock_start(
        case_id=payload["case_id"],
        number=payload["number"],
        item_code=payload["item_code"],
        item_name=payload["item_name"],
        division_code=payload["division_code"],
        department_code=payload["department_code"],
        accepted_at=payload["accepted_at"],
        clock_start=payload["clock_start"],
        statutory_limit=int(payload["statutory_limit"]),
        promised_limit=int(payload["promised_limit"]),
        online=bool(payload["online"]),
    )


def on_case_suspended(event_id: int, payload: dict[str, Any]) -> None:
    services.clock_suspend_for_case(
        case_id=payload["case_id"],
        kind=payload.get("kind", ""),
        reason=payload.get("reason", ""),
        at=payload["at"],
    )


def on_case_resumed(event_id: int, payload: dict[str, Any]) -> None:
    services.clock_resume_for_case(
        case_id=payload["case_id"], kind=payload.get("kind", ""), at=payload["at"]
    )


def on_case_completed(event_id: int, payload: dict[str, Any]) -> None:
    services.clock_stop(
        case_id=payload["case_id"],
        reason=StopReason.COMPLETED,
        at=payload["completed_at"],
        result=payload.get("result", ""),
    )


def on_case_withdrawn(event_id: int, payload: dict[str, Any]) -> None:
    services.clock_stop(case_id=payload["case_id"], reason=StopReason.WITHDRAWN, at=payload["at"])


def on_level_changed(event_id: int, payload: dict[str, Any]) -> None:
    """Tell the handling department's staff and the division's supervisors (in-app)."""
    title = _(LEVEL_TITLES.get(payload["level"], LEVEL_TITLES[Level.WARNING])) % {
        "number": payload["number"]
    }
    body = _("承诺办结日期：%(deadline)s。请及时办理。") % {"deadline": payload["deadline"]}
    for user_id in selectors.recipients_for(
        division_code=payload["division_code"], department_code=payload["department_code"]
    ):
        notification_send(
            user_id=user_id,
            topic="supervision.level_changed",
            title=title,
            body=body,
            link="/supervision/",
            channels=(),
        )


def on_rectification_opened(event_id: int, payload: dict[str, Any]) -> None:
    """Tell the handling department's staff that a bad rating needs a call back."""
    title = _("差评整改：%(number)s") % {"number": payload["number"]}
    body = _("请回访申请人并在 %(due)s 前完成整改。") % {"due": payload["due"]}
    for user_id in selectors.department_staff_ids(
        division_code=payload["division_code"], department_code=payload["department_code"]
    ):
        notification_send(
            user_id=user_id,
            topic="supervision.rectification_opened",
            title=title,
            body=body,
            link="/supervision/rectifications/",
            channels=(),
        )
