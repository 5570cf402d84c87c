"""Writes of the knowledge base: entries by department staff, the search index, feedback."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_has_role
from tongban.catalog.selectors import item_get
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record
from tongban.knowledge.models import Entry, EntryStatus, EntryTerm
from tongban.knowledge.selectors import term_weights
from tongban.org.selectors import department_by_code, division_get

# Department heads and reviewers keep their department's entries; sysadmins any entry.
EDITOR_ROLES = frozenset({"head", "reviewer", "sysadmin"})
WEIGHT_QUESTION = 3
WEIGHT_KEYWORDS = 2
WEIGHT_ANSWER = 1
MAX_WEIGHT = 255
MAX_ITEM_CODES = 10


@dataclass
class EntryInput:
    """The editable fields of an entry; the department as DIVISION/CODE (e.g. 420100/scjg)."""

    question: str
    answer: str
    category: str
    keywords: str = ""
    department: str = ""
    division: str = ""
    item_codes: list[str] = field(default_factory=list)
    status: str = EntryStatus.DRAFT


def _required(value: str, name: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, field=name)
    if len(value) > limit:
        raise ValidationFailed(
            _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": limit}, field=name
        )
    return value


def _department_id(spec: str) -> int | None:
    if not spec.strip():
        return None
    division, _sep, code = spec.strip().partition("/")
    found = department_by_code(division_code=division, code=code) if code else None
    if found is None:
        raise ValidationFailed(
            _("部门不存在，格式为 地区代码/部门代码，如 420100/scjg"), field="department"
        )
    return found.pk


def _item_codes(codes: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if len(cleaned) > MAX_ITEM_CODES:
        raise ValidationFailed(_("关联服务事项最多 10 个"), field="item_codes")
    for code in cleaned:
        try:
            item_get(code)
        except NotFound:
            raise ValidationFailed(
                _("服务事项 %(code)s 不存在") % {"code": code}, field="item_codes"
            ) from None
    return cleaned


def _validated(data: EntryInput) -> dict[str, Any]:
    if data.status not in EntryStatus.values:
        raise ValidationFailed(_("状态只能是 draft（草稿）或 published（已发布）"), field="status")
    division_id = None
    if data.division.strip():
        try:
            division_id = division_get(data.division.strip()).pk
        except NotFound:
            raise ValidationFailed(_("地区代码不存在"), field="division") from None
    return {
        "question": _required(data.question, "question", _("问题"), 200),
        "answer": _required(data.answer, "answer", _("答案"), 5000),
        "category": _required(data.category, "category", _("分类"), 40),
        "keywords": (data.keywords or "").strip()[:300],
        "department_id": _department_id(data.department),
        "division_id": division_id,
        "item_codes": _item_codes(data.item_codes),
        "status": data.status,
    }


def _check_editor(actor: Any, department_id: int | None) -> None:
    """Department staff edit their own department's entries; entries without a department
    (general questions) are the system administrator's."""
    if staff_has_role(actor, "sysadmin"):
        return
    if department_id is not None and staff_has_role(
        actor, roles=EDITOR_ROLES, department_id=department_id
    ):
        return
    raise PermissionDenied(_("只能编辑本部门的知识条目"))


def entry_reindex(entry: Entry) -> int:
    """Rebuild the entry's search terms (field-weighted frequencies); returns their count."""
    weights: Counter[str] = Counter()
    for text, weight in (
        (entry.question, WEIGHT_QUESTION),
        (entry.keywords, WEIGHT_KEYWORDS),
        (entry.answer, WEIGHT_ANSWER),
    ):
        for term, count in term_weights(text).items():
            weights[term] += weight * count
    EntryTerm.objects.filter(entry=entry).delete()
    EntryTerm.objects.bulk_create(
        [EntryTerm(entry=entry, term=t, weight=min(w, MAX_WEIGHT)) for t, w in weights.items()]
    )
    Entry.objects.filter(pk=entry.pk).update(index_length=sum(weights.values()))
    entry.index_length = sum(weights.values())
    return len(weights)


@transaction.atomic
def entry_create(actor: Any, data: EntryInput) -> Entry:
    """Create an entry (知识条目) for the actor's department."""
    values = _validated(data)
    _check_editor(actor, values["department_id"])
    entry = Entry.objects.create(**values)
    entry_reindex(entry)
    audit_record(
        action="knowledge.entry_create",
        actor=actor,
        object_type="knowledge.Entry",
        object_id=entry.pk,
        detail={"status": entry.status, "department_id": entry.department_id},
    )
    return entry


@transaction.atomic
def entry_update(actor: Any, entry_id: int, data: EntryInput) -> Entry:
    """Change an entry; both the old and the new department must be the actor's."""
    entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("知识条目不存在"), field="id")
    _check_editor(actor, entry.department_id)
    values = _validated(data)
    _check_editor(actor, values["department_id"])
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    entry_reindex(entry)
    audit_record(
        action="knowledge.entry_update",
        actor=actor,
        object_type="knowledge.Entry",
        object_id=entry.pk,
        detail={"status": entry.status, "department_id": entry.department_id},
    )
    return entry


def entry_viewed(entry: Entry) -> None:
    """Count a view. Not audited: a statistic, not a decision, and it happens on every
    public page view."""
    Entry.objects.filter(pk=entry.pk).update(views=F("views") + 1)


@transaction.atomic
def entry_feedback(entry_id: int, *, helpful: bool, actor: Any = None) -> None:
    """Record a 有帮助/没帮助 vote on a published entry."""
    qs = Entry.objects.filter(pk=entry_id, status=EntryStatus.PUBLISHED)
    counter = "helpful" if helpful else "unhelpful"
    if not qs.update(**{counter: F(counter) + 1}):
        raise NotFound(_("知识条目不存在"), field="id")
    audit_record(
        action="knowledge.feedback",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        object_type="knowledge.Entry",
        object_id=entry_id,
        detail={"helpful": helpful},
    )
