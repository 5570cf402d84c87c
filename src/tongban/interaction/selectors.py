"""Reads of appeals: the submitter's own, the department inbox, the dispatcher's queue,
the supervisor's overdue list, the public mailbox; routing-rule matching and redaction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.core.crypto import lookup_hash
from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.pagination import Page, keyset_page
from tongban.interaction import classifier
from tongban.interaction.models import (
    Appeal,
    AppealStatus,
    AppealType,
    Assignment,
    RoutingRule,
    Step,
    TimeLimit,
)
from tongban.org.selectors import (
    department_by_code,
    departments_grouped,
    division_ancestors,
    division_get,
)

HANDLER_ROLES = frozenset({"reviewer", "head"})
PAGE_ORDER = ("-submitted_at", "-id")
# Reply limits in working days (DOMAIN.md, 12345): used when no TimeLimit row exists.
DEFAULT_REPLY_DAYS = {
    AppealType.CONSULTATION: 3,
    AppealType.HELP: 3,
    AppealType.SUGGESTION: 13,
    AppealType.COMPLAINT: 13,
    AppealType.REPORT: 13,
}
DEFAULT_SIGN_DAYS = 1
DEFAULT_WARN_DAYS = 1

ACTION_LABELS = {
    "submit": gettext_lazy("提交诉求"),
    "route": gettext_lazy("智能分拨"),
    "dispatch": gettext_lazy("派单"),
    "sign": gettext_lazy("签收"),
    "return": gettext_lazy("退单"),
    "transfer": gettext_lazy("转办"),
    "extend_request": gettext_lazy("申请延期"),
    "extend_approve": gettext_lazy("批准延期"),
    "extend_reject": gettext_lazy("驳回延期"),
    "opinion": gettext_lazy("协办意见"),
    "reply": gettext_lazy("答复"),
    "follow_up": gettext_lazy("回访"),
    "reopen": gettext_lazy("重新办理"),
    "close": gettext_lazy("办结"),
    "publish": gettext_lazy("公开"),
    "extend": gettext_lazy("申请延期"),
    "decide": gettext_lazy("审批延期"),
}


# ---------------------------------------------------------------------------- redaction

_PATTERNS = [
    # Resident ID numbers (18 characters) before phones, which would match inside them.
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "[身份证号已隐去]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱已隐去]"),
    (re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), "[电话已隐去]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话已隐去]"),
    # "我叫张三" / "联系人：李四" / "王先生": the name part of a self-introduction.
    (
        re.compile(r"(我叫|我是|本人|姓名[:：]?|联系人[:：]?)\s*[\u4e00-\u9fff]{2,3}"),
        r"\1[姓名已隐去]",
    ),
    (re.compile(r"[\u4e00-\u9fff](先生|女士|师傅|阿姨|老师)"), r"某\1"),
]


def redact(text: str) -> str:
    """``text`` with phone numbers, ID numbers, emails and name-like phrases masked, for
    the public mailbox."""
    result = text or ""
    for pattern, replacement in _PATTERNS:
        result = pattern.sub(replacement, result)
    return result


# ---------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Limits:
    sign_days: int
    reply_days: int
    warn_days: int


def time_limits(appeal_type: str) -> Limits:
    """The working-day limits of a type: the admin's row, else the DOMAIN.md defaults."""
    row = TimeLimit.objects.filter(appeal_type=appeal_type).first()
    if row is not None:
        return Limits(row.sign_days, row.reply_days, row.warn_days)
    return Limits(DEFAULT_SIGN_DAYS, DEFAULT_REPLY_DAYS[AppealType(appeal_type)], DEFAULT_WARN_DAYS)


def routing_threshold() -> float:
    return float(settings.TONGBAN_APPEAL_ROUTING_THRESHOLD)


def _keywords(rule: RoutingRule) -> list[str]:
    return [k for k in re.split(r"[\s,，、;；]+", rule.keywords) if k]


def routing_rule_match(*, text: str, appeal_type: str, division_path: str) -> RoutingRule | None:
    """The first active rule (by order) matching the text, type and division subtree."""
    for rule in RoutingRule.objects.filter(active=True).select_related("division")[:500]:
        if rule.appeal_type and rule.appeal_type != appeal_type:
            continue
        if rule.division is not None and not (
            division_path == rule.division.path
            or division_path.startswith(rule.division.path + "/")
        ):
            continue
        if any(k in text for k in _keywords(rule)):
            return rule
    return None


def department_resolve(*, division_code: str, department_code: str) -> Any:
    """The department with ``department_code`` in the division or its nearest ancestor."""
    for division in reversed(division_ancestors(division_get(division_code))):
        found = department_by_code(division_code=division.code, code=department_code)
        if found is not None:
            return found
    return None


def proposed_department(appeal: Appeal) -> Any:
    """The department the routing proposed for ``appeal`` (None without a proposal)."""
    if not appeal.proposed_department_code:
        return None
    return department_resolve(
        division_code=appeal.division_id, department_code=appeal.proposed_department_code
    )


# ---------------------------------------------------------------------------- access


def is_dispatcher(user: Any, appeal: Appeal) -> bool:
    return staff_has_role(user, "dispatcher", division_code=appeal.division_id)


def is_handler(user: Any, department_id: int | None) -> bool:
    return department_id is not None and staff_has_role(
        user, roles=HANDLER_ROLES, department_id=department_id
    )


def staff_may_view(user: Any, appeal: Appeal) -> bool:
    if is_dispatcher(user, appeal) or staff_has_role(
        user, "supervisor", division_code=appeal.division_id
    ):
        return True
    return any(is_handler(user, a.department_id) for a in appeal.assignments.all())


def appeal_by_number(number: str) -> Appeal:
    appeal = (
        Appeal.objects.select_related("division", "department", "department__division")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if appeal is None:
        raise NotFound(_("诉求不存在"), field="number")
    return appeal


def appeal_for_submitter(*, user: Any, number: str, code: str = "") -> Appeal:
    """The appeal, for its submitter or whoever holds its query code."""
    appeal = appeal_by_number(number)
    if code and appeal.query_code_hash and lookup_hash(code.strip()) == appeal.query_code_hash:
        return appeal
    if user is not None and user.is_authenticated and appeal.submitter_id == user.pk:
        return appeal
    if not code and (user is None or not user.is_authenticated):
        raise NotFound(_("诉求编号或查询码不正确"), field="code")
    raise PermissionDenied(_("只能查看本人提交的诉求"))


def appeal_for_staff(*, user: Any, number: str) -> Appeal:
    appeal = appeal_by_number(number)
    if not staff_may_view(user, appeal):
        raise PermissionDenied(_("您无权查看该诉求"))
    return appeal


def appeal_steps(appeal: Appeal) -> list[Step]:
    return list(appeal.steps.select_related("department")[:200])


def appeal_assignments(appeal: Appeal) -> list[Assignment]:
    return list(appeal.assignments.select_related("department__division"))


# ---------------------------------------------------------------------------- lists


def mine_page(user: Any, *, cursor: str | None, size: int = 20) -> Page[Appeal]:
    qs = Appeal.objects.filter(submitter_id=user.pk).select_related("department")
    return keyset_page(qs, order=PAGE_ORDER, cursor=cursor, size=size)


def _handler_department_ids(user: Any) -> list[int]:
    return [g.department_id for g in staff_roles(user) if g.role in HANDLER_ROLES]


def _dispatcher_paths(user: Any) -> list[str]:
    return [g.department.division.path for g in staff_roles(user) if g.role == "dispatcher"]


def _subtree(paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(division__path=path) | Q(division__path__startswith=path + "/")
    return condition


def inbox_page(user: Any, *, box: str, cursor: str | None, size: int = 20) -> Page[Appeal]:
    """A staff box: ``sign`` (to sign off), ``handle`` (signed, to reply), ``dispatch``
    (the dispatcher's queue: awaiting dispatch, returned, extension requests)."""
    qs: QuerySet[Appeal] = Appeal.objects.select_related("department", "division")
    if box == "dispatch":
        qs = qs.filter(_subtree(_dispatcher_paths(user))).filter(
            Q(status__in=[AppealStatus.AWAITING_DISPATCH, AppealStatus.RETURNED])
            | Q(status=AppealStatus.HANDLING, extension_days__gt=0)
        )
    else:
        status = AppealStatus.DISPATCHED if box == "sign" else AppealStatus.HANDLING
        departments = _handler_department_ids(user)
        qs = (
            qs.filter(status=status)
            .filter(
                Q(department_id__in=departments)
                | Q(assignments__department_id__in=departments, assignments__lead=False)
            )
            .distinct()
        )
    return keyset_page(qs, order=PAGE_ORDER, cursor=cursor, size=size)


def supervisor_paths(user: Any) -> list[str]:
    return [g.department.division.path for g in staff_roles(user) if g.role == "supervisor"]


def overdue_page(user: Any, *, cursor: str | None, size: int = 50) -> Page[Appeal]:
    """Overdue sign-offs and replies in the supervisor's division subtree."""
    paths = supervisor_paths(user)
    if not paths:
        raise PermissionDenied(_("该页面仅供监察人员使用"))
    qs = Appeal.objects.filter(_subtree(paths)).filter(
        Q(status=AppealStatus.DISPATCHED, sign_overdue=True)
        | Q(status=AppealStatus.HANDLING, reply_overdue=True)
    )
    return keyset_page(
        qs.select_related("department", "division"), order=PAGE_ORDER, cursor=cursor, size=size
    )


def mailbox_page(*, cursor: str | None, size: int = 20) -> Page[Appeal]:
    qs = Appeal.objects.filter(published=True, allow_publication=True).select_related(
        "department__division"
    )
    return keyset_page(qs, order=("-published_at", "-id"), cursor=cursor, size=size)


def mailbox_get(number: str) -> Appeal:
    appeal = appeal_by_number(number)
    if not (appeal.published and appeal.allow_publication):
        raise NotFound(_("该信件不存在或未公开"), field="number")
    return appeal


@dataclass(frozen=True)
class PublicLetter:
    """An appeal as the public mailbox shows it: no submitter, personal data masked."""

    number: str
    type_label: str
    title: str
    content: str
    reply: str
    department: str
    submitted_on: str
    replied_on: str


def public_letter(appeal: Appeal) -> PublicLetter:
    department = appeal.department
    return PublicLetter(
        number=appeal.number,
        type_label=str(appeal.get_appeal_type_display()),
        title=redact(appeal.title),
        content=redact(appeal.content),
        reply=redact(appeal.reply),
        department=(
            f"{department.division.name}{department.name}" if department is not None else ""
        ),
        submitted_on=appeal.submitted_at.date().isoformat(),
        replied_on=appeal.replied_at.date().isoformat() if appeal.replied_at else "",
    )


def appeals_due_for_sweep() -> QuerySet[Appeal]:
    """Open appeals whose clocks the periodic job looks at."""
    return Appeal.objects.filter(status__in=[AppealStatus.DISPATCHED, AppealStatus.HANDLING]).only(
        "id",
        "status",
        "sign_deadline",
        "reply_deadline",
        "appeal_type",
        "sign_overdue",
        "reply_overdue",
        "reply_warned",
        "number",
    )


def dispatch_targets(user: Any) -> list[Any]:
    """Departments a dispatcher may send appeals to: those in their division subtree."""
    paths = _dispatcher_paths(user)
    return [
        d
        for d in departments_grouped()
        if any(d.division.path == p or d.division.path.startswith(p + "/") for p in paths)
    ]


def appeals_exist() -> bool:
    return Appeal.objects.exists()


def corpus_records() -> list[dict[str, Any]]:
    """The routing corpus, held-out records first (the demo draws realistic texts)."""
    records = classifier.read_corpus()
    return sorted(records, key=lambda r: r.get("split") != "heldout")


# --- Daily figures for decision support (决策支持) ---------------------------------------


def appeal_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Appeals submitted and replied in [start, end) per division (where the matter is),
    handling department (its division and code; empty while undispatched) and type."""
    keys = ("division_id", "department__division_id", "department__code", "appeal_type")
    received = (
        Appeal.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values(*keys)
        .annotate(count=Count("id"))
        .order_by()
    )
    replied = (
        Appeal.objects.filter(replied_at__gte=start, replied_at__lt=end)
        .values(*keys)
        .annotate(count=Count("id"))
        .order_by()
    )
    return [
        {
            "metric": metric,
            "division_code": row["division_id"],
            "department_division_code": row["department__division_id"] or "",
            "department_code": row["department__code"] or "",
            "appeal_type": row["appeal_type"],
            "count": row["count"],
        }
        for metric, rows in (("received", received), ("replied", replied))
        for row in rows
    ]


def appeal_texts(start: datetime, end: datetime) -> Iterator[tuple[str, str]]:
    """(division code, title and content) of the appeals submitted in [start, end),
    decrypted one chunk at a time, for the hot-topic keywords."""
    qs = Appeal.objects.filter(submitted_at__gte=start, submitted_at__lt=end).only(
        "division_id", "title", "content"
    )
    for appeal in qs.order_by("id").iterator(chunk_size=500):
        yield appeal.division_id, f"{appeal.title}\n{appeal.content}"


def appeal_type_choices() -> list[tuple[str, str]]:
    """(value, label) of every appeal type, in their order."""
    return [(value, str(label)) for value, label in AppealType.choices]
