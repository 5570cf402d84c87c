"""Registry reads: who may steward which records, conflict lists, a golden record with its
lineage, and the reconciliation report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tongban.core.identifiers import mask_phone, mask_resident_id
from tongban.core.pagination import Page, keyset_page
from tongban.org.selectors import DivisionLevel, Role
from tongban.registries.models import (
    AttributeValue,
    Conflict,
    ConflictStatus,
    Entity,
    Kind,
    LinkMethod,
    RegistrySource,
    SourceRecord,
)
from tongban.registries.normalise import MASKED, STATUS_LABELS

STEWARD_DEPARTMENT = "zsj"
SOURCE_LABELS = {"gongan": "公安户籍", "scjg": "市场监管登记", "rsj": "人社参保"}
ATTRIBUTE_LABELS = {
    "id_number": "身份证号码",
    "credit_code": "统一社会信用代码",
    "name": "名称/姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "address": "住址",
    "phone": "电话",
    "status": "状态",
    "division_code": "行政区划",
    "employer_credit_code": "参保单位信用代码",
    "legal_rep_name": "法定代表人",
    "legal_rep_id_number": "法定代表人身份证号码",
}


# --- Who may steward what ----------------------------------------------------------------


@dataclass(frozen=True)
class StewardScope:
    """Division-code prefixes a steward may see; ``unplaced`` covers records whose
    division is unknown (only province-level stewards see those)."""

    prefixes: tuple[str, ...]
    unplaced: bool

    def q(self, prefix: str = "") -> Q:
        condition = Q(pk__in=[])
        for code in self.prefixes:
            condition |= Q(**{f"{prefix}division_code__startswith": code})
        if self.unplaced:
            condition |= Q(**{f"{prefix}division_code": ""})
        return condition

    def covers(self, division_code: str) -> bool:
        if not division_code:
            return self.unplaced
        return any(division_code.startswith(code) for code in self.prefixes)


def division_prefix(code: str) -> str:
    """420000 -> 42, 420100 -> 4201, 429005 -> 429005: the codes at and below a division."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def steward_scope(user: Any) -> StewardScope:
    """Data stewards (数据管理员) of a provincial or municipal 政务服务和大数据管理局 and
    system administrators steward the records of their division and below."""
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated(_("请先登录"))
    prefixes: set[str] = set()
    unplaced = False
    for grant in staff_roles(user):
        division = grant.department.division
        steward = (
            grant.role == Role.DATA_STEWARD
            and grant.department.code == STEWARD_DEPARTMENT
            and division.level in {DivisionLevel.PROVINCE, DivisionLevel.CITY}
        )
        if steward or grant.role == Role.SYSADMIN:
            prefixes.add(division_prefix(division.code))
            unplaced = unplaced or division.level == DivisionLevel.PROVINCE
    if not prefixes:
        raise PermissionDenied(_("仅省、市政务服务和大数据管理局的数据管理员可以处理基础库数据"))
    return StewardScope(tuple(sorted(prefixes)), unplaced)


def is_steward(user: Any) -> bool:
    try:
        steward_scope(user)
    except (NotAuthenticated, PermissionDenied):
        return False
    return True


# --- Display ------------------------------------------------------------------------------


def mask_value(attribute: str, value: str) -> str:
    if attribute in MASKED:
        if attribute == "phone":
            return mask_phone(value)
        return mask_resident_id(value)
    return value


def display_value(attribute: str, value: str) -> str:
    value = mask_value(attribute, value)
    if attribute == "status":
        return f"{STATUS_LABELS.get(value, value)}（{value}）"
    if attribute == "sex":
        return {"M": "男", "F": "女"}.get(value, value)
    return value


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def attribute_label(attribute: str) -> str:
    return ATTRIBUTE_LABELS.get(attribute, attribute)


# --- Conflicts ---------------------------------------------------------------------------

CONFLICT_STATUSES = {s.value for s in ConflictStatus}


def conflict_list(
    *, user: Any, status: str = "", attribute: str = "", cursor: str | None = None, size: int = 20
) -> Page[Conflict]:
    scope = steward_scope(user)
    qs = Conflict.objects.filter(scope.q("entity__")).select_related("entity", "decided_by")
    if status:
        if status not in CONFLICT_STATUSES:
            raise ValidationFailed(_("状态只能是 open、resolved 或 superseded"), field="status")
        qs = qs.filter(status=status)
    if attribute:
        qs = qs.filter(attribute=attribute[:40])
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def conflict_get_for_steward(*, user: Any, conflict_id: int) -> Conflict:
    scope = steward_scope(user)
    conflict = (
        Conflict.objects.filter(pk=conflict_id).filter(scope.q("entity__")).select_related("entity")
    ).first()
    if conflict is None:
        raise NotFound(_("数据冲突不存在"))
    return conflict


# --- Golden records ----------------------------------------------------------------------


@dataclass
class Lineage:
    entity: Entity
    values: list[AttributeValue]
    records: list[SourceRecord]


def entity_get_for_steward(*, user: Any, registry_id: str, kind: str | None = None) -> Lineage:
    scope = steward_scope(user)
    qs = Entity.objects.filter(registry_id=registry_id).filter(scope.q())
    if kind:
        qs = qs.filter(kind=kind)
    entity = qs.first()
    if entity is None:
        raise NotFound(_("基础库记录不存在"))
    values = list(entity.values.order_by("attribute", "-chosen", "source", "id"))
    records = list(entity.records.order_by("source", "source_id"))
    return Lineage(entity, values, records)


def entity_by_key(kind: str, key_hash: str) -> Entity | None:
    return Entity.objects.filter(kind=kind, key_hash=key_hash).first()


def records_pending(kind: str) -> QuerySet[SourceRecord]:
    """Records not linked to a golden record yet, those with a valid identifier first."""
    return SourceRecord.objects.filter(kind=kind, entity__isnull=True).order_by("-id_valid", "id")


def records_in_block(
    *, kind: str, name_hash: str, block_hash: str, exclude_id: int
) -> list[SourceRecord]:
    """Linked records sharing a blocking key (name, or birth date / representative)."""
    condition = Q(pk__in=[])
    if name_hash:
        condition |= Q(name_hash=name_hash)
    if block_hash:
        condition |= Q(block_hash=block_hash)
    return list(
        SourceRecord.objects.filter(condition, kind=kind, entity__isnull=False)
        .exclude(pk=exclude_id)
        .select_related("entity")[:500]
    )


def entity_values_light(entity_id: int) -> list[AttributeValue]:
    """A golden record's values without decrypting them (hashes, sources, times)."""
    return list(
        AttributeValue.objects.filter(entity_id=entity_id)
        .select_related("source_record", "entity")
        .only(
            "attribute",
            "value_hash",
            "source",
            "seen_at",
            "chosen",
            "entity__kind",
            "source_record__link_method",
            "source_record__source_id",
        )
        .order_by("id")
    )


def values_with_plaintext(ids: list[int]) -> list[AttributeValue]:
    return list(
        AttributeValue.objects.filter(pk__in=ids)
        .select_related("source_record")
        .only("attribute", "value", "value_hash", "source", "seen_at", "source_record__source_id")
        .order_by("id")
    )


def entity_conflicts(entity_id: int) -> tuple[dict[str, Conflict], dict[str, Conflict]]:
    """A golden record's open conflicts and its latest decided one, per attribute."""
    open_conflicts: dict[str, Conflict] = {}
    decided: dict[str, Conflict] = {}
    rows = (
        Conflict.objects.filter(
            entity_id=entity_id, status__in=[ConflictStatus.OPEN, ConflictStatus.RESOLVED]
        )
        .defer("values", "note")
        .order_by("decided_at", "id")
    )
    for conflict in rows:
        if conflict.status == ConflictStatus.OPEN:
            open_conflicts[conflict.attribute] = conflict
        else:
            decided[conflict.attribute] = conflict
    return open_conflicts, decided


# --- Report ------------------------------------------------------------------------------


@dataclass
class Report:
    """Counts of what reconciliation found (对账报告), plus the records behind them so
    that a planted-inconsistency manifest can be checked item by item."""

    records: dict[str, int] = field(default_factory=dict)  # "gongan/person" -> n
    entities: dict[str, int] = field(default_factory=dict)  # kind -> n
    links: dict[str, int] = field(default_factory=dict)  # method -> n
    duplicates: int = 0  # records beyond the first of one source for one golden record
    duplicate_groups: int = 0
    conflicts: dict[str, dict[str, int]] = field(default_factory=dict)  # attribute -> status
    stale: int = 0  # status conflicts: cancelled / deregistered in one source, active in another
    legal_rep_persons: int = 0
    # Details, for checking a manifest record by record (``details=True``):
    # (source, source_id) -> golden record id, and golden record id -> kind.
    entity_of: dict[tuple[str, str], int] = field(default_factory=dict)
    kind_of: dict[int, str] = field(default_factory=dict)
    probabilistic_records: set[tuple[str, str]] = field(default_factory=set)
    duplicate_records: set[tuple[str, str]] = field(default_factory=set)
    # (attribute, golden record id, records whose values disagree), for each conflict.
    conflict_groups: list[tuple[str, int, set[tuple[str, str]]]] = field(default_factory=list)
    # legal golden record id -> the person golden record of its representative.
    legal_rep_of: dict[int, int] = field(default_factory=dict)

    def total_conflicts(self) -> int:
        return sum(sum(v.values()) for v in self.conflicts.values())


def reconcile_report(*, details: bool = False) -> Report:
    report = Report()
    for row in SourceRecord.objects.values("source", "kind").annotate(n=Count("id")):
        report.records[f"{row['source']}/{row['kind']}"] = row["n"]
    for row in Entity.objects.values("kind").annotate(n=Count("id")):
        report.entities[row["kind"]] = row["n"]
    for method in LinkMethod:
        report.links[method.value] = 0
    for row in (
        SourceRecord.objects.exclude(link_method="").values("link_method").annotate(n=Count("id"))
    ):
        report.links[row["link_method"]] = row["n"]
    groups = (
        SourceRecord.objects.filter(entity__isnull=False)
        .values("entity_id", "source")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for row in groups:
        report.duplicate_groups += 1
        report.duplicates += row["n"] - 1
    for row in Conflict.objects.values("attribute", "status").annotate(n=Count("id")):
        report.conflicts.setdefault(row["attribute"], {})[row["status"]] = row["n"]
    stale_words = {"cancelled", "deregistered", "revoked"}
    for conflict in Conflict.objects.filter(attribute="status").exclude(
        status=ConflictStatus.SUPERSEDED
    ):
        statuses = {v["value"] for v in conflict.values}
        if statuses & stale_words and "active" in statuses:
            report.stale += 1
    person_keys = Entity.objects.filter(kind=Kind.PERSON, key_hash__isnull=False).values("key_hash")
    report.legal_rep_persons = (
        AttributeValue.objects.filter(
            attribute="legal_rep_id_number", chosen=True, value_hash__in=person_keys
        )
        .values("entity_id")
        .distinct()
        .count()
    )
    if details:
        _report_details(report)
    return report


def _report_details(report: Report) -> None:
    per_source: Counter[tuple[int, str]] = Counter()
    rows = SourceRecord.objects.filter(entity__isnull=False).values_list(
        "entity_id", "entity__kind", "source", "source_id", "link_method"
    )
    linked: list[tuple[int, str, str]] = []
    for entity_id, kind, source, source_id, method in rows:
        assert entity_id is not None
        report.entity_of[(source, source_id)] = entity_id
        report.kind_of[entity_id] = kind
        per_source[(entity_id, source)] += 1
        linked.append((entity_id, source, source_id))
        if method == LinkMethod.PROBABILISTIC:
            report.probabilistic_records.add((source, source_id))
    for entity_id, source, source_id in linked:
        if per_source[(entity_id, source)] > 1:
            report.duplicate_records.add((source, source_id))
    for conflict in Conflict.objects.exclude(status=ConflictStatus.SUPERSEDED):
        refs = {(v["source"], v["source_id"]) for v in conflict.values}
        report.conflict_groups.append((conflict.attribute, conflict.entity_id, refs))
    persons = dict(
        Entity.objects.filter(kind=Kind.PERSON, key_hash__isnull=False).values_list(
            "key_hash", "id"
        )
    )
    for entity_id, value_hash in AttributeValue.objects.filter(
        attribute="legal_rep_id_number", chosen=True
    ).values_list("entity_id", "value_hash"):
        if value_hash in persons:
            report.legal_rep_of[entity_id] = persons[value_hash]


def registry_sources(source: str | None = None, *, enabled: bool = True) -> list[RegistrySource]:
    """The configured registry sources (enabled ones by default), optionally of one code."""
    found = RegistrySource.objects.all()
    if enabled:
        found = found.filter(enabled=True)
    if source:
        found = found.filter(source=source)
    return list(found.order_by("source", "kind"))


def conflict_counts() -> dict[str, int]:
    """Conflicts between sources (数据冲突) now open and those a steward resolved."""
    counts = dict(
        Conflict.objects.filter(status__in=[ConflictStatus.OPEN, ConflictStatus.RESOLVED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "open": counts.get(ConflictStatus.OPEN, 0),
        "resolved": counts.get(ConflictStatus.RESOLVED, 0),
    }
