"""Test data for supervision: real Case rows (ORM) and the cases events that drive clocks."""

from __future__ import annotations

import itertools
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model

from tongban.cases.events import (
    CaseAccepted,
    CaseCompleted,
    CaseResumed,
    CaseSuspended,
    CaseWithdrawn,
)
from tongban.core.services import event_emit, outbox_deliver

_serial = itertools.count(1)


def make_case(
    *,
    applicant: str = "zhangsan",
    division_code: str = "420100",
    department_code: str = "scjg",
    item_code: str = "ITEM-001",
    promised_limit: int = 10,
    statutory_limit: int = 20,
    channel: str = "online",
    status: str = "accepted",
):
    Case = apps.get_model("cases", "Case")
    user = get_user_model().objects.get(username=applicant)
    n = next(_serial)
    return Case.objects.create(
        number=f"T{division_code}{n:08d}",
        applicant=user,
        applicant_name=user.username,
        applicant_id_hash=f"hash{n}",
        applicant_id_masked="4201**********1232",
        item_code=item_code,
        item_name="食品经营许可",
        division_code=division_code,
        department_code=department_code,
        process_key="test",
        statutory_limit=statutory_limit,
        promised_limit=promised_limit,
        channel=channel,
        status=status,
    )


def deliver() -> None:
    while outbox_deliver():
        pass


def accept(case, *, clock_start: date, deliver_now: bool = True) -> None:
    event_emit(
        CaseAccepted(
            case_id=case.pk,
            number=case.number,
            item_code=case.item_code,
            item_name=case.item_name,
            division_code=case.division_code,
            department_code=case.department_code,
            accepted_at=f"{clock_start.isoformat()}T10:00:00+08:00",
            clock_start=clock_start.isoformat(),
            statutory_limit=case.statutory_limit,
            promised_limit=case.promised_limit,
            online=case.channel == "online",
            deemed=False,
        )
    )
    if deliver_now:
        deliver()


def complete(case, *, on: date, result: str = "approved") -> None:
    case.status = "completed"
    case.result = result
    case.save(update_fields=["status", "result"])
    event_emit(
        CaseCompleted(
            case_id=case.pk,
            number=case.number,
            result=result,
            completed_at=f"{on.isoformat()}T16:00:00+08:00",
        )
    )
    deliver()


def withdraw(case, *, on: date) -> None:
    event_emit(
        CaseWithdrawn(case_id=case.pk, number=case.number, at=f"{on.isoformat()}T09:00:00+08:00")
    )
    deliver()


def suspend_by_case(case, *, on: date) -> None:
    event_emit(
        CaseSuspended(
            case_id=case.pk,
            kind="correction",
            reason="补正材料",
            at=f"{on.isoformat()}T09:00:00+08:00",
        )
    )
    deliver()


def resume_by_case(case, *, on: date) -> None:
    event_emit(
        CaseResumed(case_id=case.pk, kind="correction", at=f"{on.isoformat()}T09:00:00+08:00")
    )
    deliver()


def user(username: str):
    return get_user_model().objects.get(username=username)
