"""Reactions to events: an approved case gets its licences; holders hear of new licences
and of status changes. Idempotent: the outbox delivers at least once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongban.accounts.selectors import user_ids_for_holder
from tongban.licences import selectors, services
from tongban.licences.models import Licence
from tongban.notify.services import notification_send


def on_case_completed(event_id: int, payload: dict[str, Any]) -> None:
    if payload.get("result") == "approved":
        services.licences_issue_for_case(int(payload["case_id"]))


def _tell_holder(licence_id: int, topic: str, title: str, body: str) -> None:
    licence = Licence.objects.filter(pk=licence_id).first()
    if licence is None:
        return
    holder = licence.payload["holder"]
    for user_id in user_ids_for_holder(holder["kind"], holder["code"]):
        notification_send(
            user_id=user_id,
            topic=topic,
            title=title,
            body=body,
            link=f"/my/licences/{licence.pk}/",
            channels=("email",),
        )


def on_issued(event_id: int, payload: dict[str, Any]) -> None:
    _tell_holder(
        payload["licence_id"],
        "licences.issued",
        _("您的电子证照已签发：%(name)s") % {"name": payload["type_name"]},
        _("可在“我的证照”中查看、下载和授权使用。"),
    )


def on_status_changed(event_id: int, payload: dict[str, Any]) -> None:
    label = selectors.STATUS_LABELS.get(
        "revoked" if payload["status"] == "annulled" else payload["status"], payload["status"]
    )
    _tell_holder(
        payload["licence_id"],
        "licences.status_changed",
        _("电子证照状态变更：%(name)s %(status)s")
        % {"name": payload["type_name"], "status": label},
        _("理由：%(reason)s") % {"reason": payload["reason"]},
    )
