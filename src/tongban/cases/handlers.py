"""Reactions to case events: tell the applicant what happened (in-app, e-mail, SMS)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongban.cases import events, selectors
from tongban.core.events import subscribe
from tongban.notify.services import notification_send


def _tell_applicant(case_id: int, topic: str, title: str, body: str) -> None:
    case = selectors.case_get(case_id)
    notification_send(
        user_id=case.applicant_id,
        topic=topic,
        title=title,
        body=body,
        link=f"/my/cases/{case.pk}/",
    )


def on_submitted(event_id: int, payload: dict[str, Any]) -> None:
    _tell_applicant(
        payload["case_id"],
        events.CaseSubmitted.topic,
        _("申请已提交"),
        _("您的申请（办件编号 %(number)s）已提交，等待窗口受理。") % payload,
    )


def on_correction(event_id: int, payload: dict[str, Any]) -> None:
    items = "；".join(payload.get("items") or [])
    _tell_applicant(
        payload["case_id"],
        events.CaseCorrectionRequested.topic,
        _("请补正材料"),
        _("办件 %(number)s 需要补正：%(items)s。请一次补齐后重新提交。")
        % {"number": payload["number"], "items": items},
    )


def on_accepted(event_id: int, payload: dict[str, Any]) -> None:
    _tell_applicant(
        payload["case_id"],
        events.CaseAccepted.topic,
        _("申请已受理"),
        _("办件 %(number)s 已受理，承诺 %(promised_limit)s 个工作日内办结。") % payload,
    )


def on_not_accepted(event_id: int, payload: dict[str, Any]) -> None:
    _tell_applicant(
        payload["case_id"],
        events.CaseNotAccepted.topic,
        _("申请不予受理"),
        _("办件 %(number)s 不予受理，理由：%(reason)s") % payload,
    )


def on_completed(event_id: int, payload: dict[str, Any]) -> None:
    result = _("准予") if payload["result"] == "approved" else _("不予")
    _tell_applicant(
        payload["case_id"],
        events.CaseCompleted.topic,
        _("办件已办结"),
        _("办件 %(number)s 已办结，结果：%(result)s。欢迎对本次服务作出评价。")
        % {"number": payload["number"], "result": result},
    )


def connect() -> None:
    subscribe(events.CaseSubmitted.topic, on_submitted)
    subscribe(events.CaseCorrectionRequested.topic, on_correction)
    subscribe(events.CaseAccepted.topic, on_accepted)
    subscribe(events.CaseNotAccepted.topic, on_not_accepted)
    subscribe(events.CaseCompleted.topic, on_completed)
