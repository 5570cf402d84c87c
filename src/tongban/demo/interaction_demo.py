"""Demo appeals (诉求): realistic texts from the routing corpus, submitted and handled
through the real services, so routing, deadlines, the overdue list and the public mailbox
all have something to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongban.accounts.selectors import user_by_username
from tongban.interaction import selectors, services
from tongban.org.selectors import division_get

DEMO_APPEALS = 220
HANDLED_APPEALS = 100
DIVISIONS = ("420100", "420102", "420106", "420900", "420902", "429005")
# Demo staff who sign and reply for a department: (division, department code) -> username.
HANDLERS = {
    ("420100", "scjg"): "scjg",
    ("420100", "xfzd"): "xiaofang",
    ("420100", "sthjj"): "huanbao",
    ("420900", "scjg"): "xg-scjg",
}
CITY_DISPATCHER = ("paidan", "420100")
SUBMITTERS = ("zhangsan", "lisi", "hbcanyin")
# The fate of the i-th handled appeal (i % 10) and how many days ago it was submitted.
STAGES = [
    ("dispatched", 0),
    ("signed", 1),
    ("returned", 1),
    ("replied", 2),
    ("closed", 8),
    ("closed", 9),
    ("published", 10),
    ("replied_published", 5),
    ("late", 25),
    ("reopened", 12),
]


@dataclass
class Plan:
    """One demo appeal: its record, who submits it, and how far it gets."""

    record: dict[str, Any]
    username: str | None
    stage: str
    days_ago: int


def _user(username: str | None) -> Any:
    return user_by_username(username) if username else None


def _reply_text(title: str) -> str:
    return (
        f"您反映的“{title}”问题已收悉。经核查，情况基本属实，我单位已责令相关单位限期整改，"
        "并将在整改期限届满后复查，持续跟踪处理结果。感谢您对我们工作的监督。"
    )


def _predicted_handler(record: dict[str, Any], appeal_type: str) -> str | None:
    """Who will handle the appeal, from the same routing the submission runs."""
    division = record["division"]
    route = services.appeal_route(
        title=record["title"],
        content=record["content"],
        appeal_type=appeal_type,
        division_path=_path(division),
    )
    confident = route.confidence >= selectors.routing_threshold()
    if not confident and not _dispatchable(division):
        return None
    department = (
        selectors.department_resolve(division_code=division, department_code=route.department_code)
        if route.department_code
        else None
    )
    return None if department is None else HANDLERS.get((department.division_id, department.code))


def _path(division_code: str) -> str:
    return division_get(division_code).path


def _dispatchable(division_code: str) -> bool:
    return division_code.startswith(CITY_DISPATCHER[1][:4])


def _fits_form(record: dict[str, Any]) -> bool:
    """Whether the form would take the record's text (some corpus titles are 2-3 words)."""
    return 4 <= len(record["title"].strip()) <= 100 and len(record["content"].strip()) >= 10


def _plans() -> list[Plan]:
    """Up to HANDLED_APPEALS appeals go to departments with demo staff (so they move on),
    the rest wait where they were routed; records in corpus order, held-out first."""
    usable = [
        (record, bool(_predicted_handler(record, record.get("type", "complaint"))))
        for record in selectors.corpus_records()
        if record.get("division") in DIVISIONS and _fits_form(record)
    ]
    handled = [r for r, moves in usable if moves][:HANDLED_APPEALS]
    waiting = [r for r, moves in usable if not moves][: DEMO_APPEALS - len(handled)]
    plans: list[Plan] = []
    for i, record in enumerate(handled):
        stage, days_ago = STAGES[i % len(STAGES)]
        plans.append(Plan(record, _submitter(record, i), stage, days_ago))
    for i, record in enumerate(waiting):
        # Waiting for departments without demo staff: a few are late to sign.
        days_ago = 4 if i % 6 == 0 else 0
        plans.append(Plan(record, _submitter(record, i), "as_routed", days_ago))
    return plans


def _submitter(record: dict[str, Any], i: int) -> str | None:
    """A demo applicant; every third suggestion or report is anonymous."""
    if record.get("type") in ("suggestion", "report") and i % 3 == 0:
        return None
    return SUBMITTERS[i % len(SUBMITTERS)]


def _dispatch_if_waiting(number: str, when: datetime) -> None:
    appeal = selectors.appeal_by_number(number)
    if appeal.status != "awaiting_dispatch" or not _dispatchable(appeal.division_id):
        return
    department = selectors.department_resolve(
        division_code=appeal.division_id,
        department_code=appeal.proposed_department_code or "zsj",
    ) or selectors.department_resolve(division_code=appeal.division_id, department_code="zsj")
    if department is None:
        return
    services.appeal_dispatch(
        actor=_user(CITY_DISPATCHER[0]),
        number=number,
        department_ids=[department.pk],
        today=timezone.localdate(when),
    )


def _advance(plan: Plan, number: str, code: str) -> None:
    appeal = selectors.appeal_by_number(number)
    handler = (
        HANDLERS.get((appeal.department.division_id, appeal.department.code))
        if (appeal.department)
        else None
    )
    if handler is None or plan.stage in ("as_routed", "dispatched"):
        return
    staff = _user(handler)
    if plan.stage == "returned":
        services.appeal_return(
            actor=staff, number=number, reason="该事项不属于本部门职责，请重新派单"
        )
        return
    services.appeal_sign(actor=staff, number=number)
    if plan.stage in ("signed", "late"):
        return
    services.appeal_reply(actor=staff, number=number, reply=_reply_text(plan.record["title"]))
    submitter = _user(plan.username)
    follow_up = {"actor": submitter, "number": number, "code": code}
    if plan.stage == "reopened":
        services.appeal_follow_up(**follow_up, satisfaction="unsatisfied", comment="问题仍未解决")
        services.appeal_reply(
            actor=staff, number=number, reply=_reply_text(plan.record["title"]) + "已再次现场复查。"
        )
    if plan.stage in ("closed", "published", "reopened"):
        services.appeal_follow_up(**follow_up, satisfaction="satisfied", comment="处理及时，谢谢")
    if plan.stage in ("published", "replied_published"):
        services.appeal_publish(actor=staff, number=number)


def load_appeals(progress: Callable[[str], None]) -> int:
    """Submit and handle the demo appeals; nothing happens when appeals already exist."""
    if selectors.appeals_exist():
        progress("  appeals: already loaded")
        return 0
    now = timezone.now()
    created = 0
    for plan in _plans():
        when = now - timedelta(days=plan.days_ago)
        record = plan.record
        # Every seventh applicant refuses publication, never one whose reply is published.
        refuses = created % 7 == 0 and plan.stage not in ("published", "replied_published")
        submitted = services.appeal_submit(
            user=_user(plan.username),
            appeal_type=record.get("type", "complaint"),
            title=record["title"],
            content=record["content"],
            division_code=record["division"],
            allow_publication=not refuses,
            now=when,
        )
        number = submitted.appeal.number
        _dispatch_if_waiting(number, when)
        _advance(plan, number, submitted.query_code)
        created += 1
    marked = services.appeal_sweep()
    progress(f"  appeals: {created} (overdue marked: {marked})")
    return created
