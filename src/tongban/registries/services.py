"""Registry writes. The registries app owns the base registries (基础库): the population
registry (人口库) and the legal-person registry (法人库) built from department sources,
the lineage of every attribute, record linkage, and the conflicts that data stewards
decide.

Flow: ``registry_sync`` reads each configured source, ``registry_ingest`` stores what
changed and links new records to golden records (exactly by a valid ID number or credit
code, otherwise probabilistically, see ``linkage``), then the golden record's values are
chosen again: where sources disagree on a conflict attribute a ``Conflict`` opens for a
steward, whose decision stays applied until a source changes that attribute again.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.crypto import lookup_hash
from tongban.core.errors import Conflict as ConflictError
from tongban.core.errors import ValidationFailed
from tongban.core.services import audit_record, event_emit
from tongban.exchange import selectors as exchange_selectors
from tongban.registries import linkage, readers, selectors
from tongban.registries.events import ConflictOpened, ConflictResolved
from tongban.registries.models import (
    AttributeValue,
    Conflict,
    ConflictStatus,
    Derive,
    Entity,
    Kind,
    LinkMethod,
    RegistrySource,
    SourceRecord,
)
from tongban.registries.normalise import (
    ATTRIBUTES,
    CONFLICT_ATTRIBUTES,
    PERSON,
    comparable,
    fold,
    identifier_valid,
    normalise,
)

logger = logging.getLogger(__name__)
Progress = Callable[[str], None] | None
CHUNK = 500
# Which source wins an attribute nobody has decided on, per kind (first listed wins;
# then the most recently seen value).
DEFAULT_PRIORITY = {
    PERSON: {"*": ["gongan", "rsj"]},
    "legal": {"*": ["scjg", "rsj"]},
}


@dataclass
class IngestResult:
    source: str
    kind: str
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    linked_exact: int = 0
    linked_probabilistic: int = 0
    new_entities: int = 0
    conflicts_opened: int = 0
    problems: list[str] = field(default_factory=list)
    # Why the source could not be read at all ("" when it was read).
    error: str = ""

    def line(self) -> str:
        return (
            f"{self.source}/{self.kind}: {self.rows} rows, {self.created} new, "
            f"{self.changed} changed, {self.unchanged} unchanged, {self.skipped} skipped; "
            f"linked {self.linked_exact} by identifier, {self.linked_probabilistic} "
            f"probabilistically, {self.new_entities} new golden records; "
            f"{self.conflicts_opened} conflicts opened"
        )


def _rules() -> dict[str, Any]:
    return dict(getattr(settings, "TONGBAN_REGISTRIES_LINKAGE", None) or linkage.DEFAULT_RULES)


def _priority(kind: str, attribute: str) -> list[str]:
    table = getattr(settings, "TONGBAN_REGISTRIES_SOURCE_PRIORITY", None) or DEFAULT_PRIORITY
    per_kind = table.get(kind, {})
    return list(per_kind.get(attribute, per_kind.get("*", [])))


def _key(kind: str) -> str:
    return "id_number" if kind == PERSON else "credit_code"


def _content_hash(source: str, kind: str, attributes: dict[str, str]) -> str:
    canonical = json.dumps([source, kind, attributes], ensure_ascii=False, sort_keys=True)
    return lookup_hash("registries:content:" + canonical)


def _hash(prefix: str, value: str) -> str:
    return lookup_hash(f"registries:{prefix}:{value}") if value else ""


def identifier_hash(value: str) -> str:
    """The keyed hash an ID number or credit code is joined on (golden-record key)."""
    return lookup_hash("registries:id:" + value) if value else ""


def _value_hash(attribute: str, value: str) -> str:
    if attribute in {"id_number", "legal_rep_id_number", "credit_code", "employer_credit_code"}:
        return identifier_hash(value)
    return lookup_hash(f"registries:value:{attribute}:{comparable(attribute, value)}")


def _blocking(kind: str, attributes: dict[str, str]) -> tuple[str, str]:
    name = _hash("name", fold(attributes.get("name", "")))
    if kind == PERSON:
        block = _hash("birth", attributes.get("birth_date", ""))
    else:
        block = _hash("rep", fold(attributes.get("legal_rep_name", "")))
    return name, block


# --- Ingest ------------------------------------------------------------------------------


def registry_ingest(
    *,
    source: str,
    kind: str,
    records: Iterable[dict[str, Any]],
    seen_at: datetime | None = None,
    progress: Progress = None,
) -> IngestResult:
    """Store one source's rows and reconcile what changed.

    Each row needs ``source_id``; other keys are canonical attribute names. Rows whose
    normalised content is unchanged only have their ``last_seen_at`` moved: ingesting the
    same content twice creates nothing.
    """
    if kind not in Kind.values:
        raise ValidationFailed(_("类别只能是 person 或 legal"), field="kind")
    if not source or len(source) > 20:
        raise ValidationFailed(_("来源代码应为1至20个字符"), field="source")
    seen_at = seen_at or timezone.now()
    result = IngestResult(source=source, kind=kind)
    batch: list[dict[str, Any]] = []
    for row in records:
        batch.append(row)
        if len(batch) >= CHUNK:
            _ingest_chunk(source, kind, batch, seen_at, result)
            batch = []
    if batch:
        _ingest_chunk(source, kind, batch, seen_at, result)
    registry_reconcile(kind=kind, result=result)
    if progress:
        progress(result.line())
    return result


@transaction.atomic
def _ingest_chunk(
    source: str, kind: str, rows: list[dict[str, Any]], seen_at: datetime, result: IngestResult
) -> None:
    prepared: dict[str, dict[str, str]] = {}
    for row in rows:
        result.rows += 1
        source_id = str(row.get("source_id") or "").strip()[:100]
        if not source_id:
            result.skipped += 1
            result.problems.append(_("第 %(n)d 行缺少来源记录号") % {"n": result.rows})
            continue
        prepared[source_id] = normalise(kind, row)
    existing = {
        r.source_id: r
        for r in SourceRecord.objects.filter(source=source, kind=kind, source_id__in=list(prepared))
    }
    unchanged: list[int] = []
    created: list[SourceRecord] = []
    touched: set[int] = set()
    for source_id, attributes in prepared.items():
        content = _content_hash(source, kind, attributes)
        record = existing.get(source_id)
        if record is not None and record.content_hash == content:
            unchanged.append(record.pk)
            result.unchanged += 1
            continue
        key = attributes.get(_key(kind), "")
        name_hash, block_hash = _blocking(kind, attributes)
        fields = {
            "attributes": attributes,
            "content_hash": content,
            "id_hash": identifier_hash(key),
            "id_valid": identifier_valid(kind, key),
            "name_hash": name_hash,
            "block_hash": block_hash,
            "seen_at": seen_at,
            "last_seen_at": seen_at,
        }
        if record is None:
            created.append(
                SourceRecord(
                    source=source, kind=kind, source_id=source_id, first_seen_at=seen_at, **fields
                )
            )
            result.created += 1
            continue
        result.changed += 1
        if record.entity_id is not None:
            touched.add(record.entity_id)
        if record.id_hash != fields["id_hash"] or record.name_hash != fields["name_hash"]:
            # Who the row is about may have changed: link it again from scratch.
            record.values.all().delete()
            fields.update(entity=None, link_method="", link_score=None)
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
        if record.entity_id is not None:
            _record_values(record)
    SourceRecord.objects.bulk_create(created)
    if unchanged:
        SourceRecord.objects.filter(pk__in=unchanged).update(last_seen_at=seen_at)
    for entity_id in touched:
        result.conflicts_opened += _entity_refresh(entity_id)


def registry_reconcile(*, kind: str, result: IngestResult | None = None) -> IngestResult:
    """Link every pending record of ``kind`` to a golden record, then choose values and
    open conflicts on the golden records that gained a record."""
    result = result or IngestResult(source="*", kind=kind)
    rules = _rules()
    pending = list(selectors.records_pending(kind).values_list("pk", flat=True))
    for start in range(0, len(pending), CHUNK):
        with transaction.atomic():
            records = list(
                SourceRecord.objects.filter(pk__in=pending[start : start + CHUNK]).order_by(
                    "-id_valid", "id"
                )
            )
            keys = {r.id_hash for r in records if r.id_valid}
            known = {e.key_hash: e for e in Entity.objects.filter(kind=kind, key_hash__in=keys)}
            for record in records:
                _link(record, rules, result, known)
            AttributeValue.objects.bulk_create(
                [value for record in records for value in _new_values(record)]
            )
            for entity_id in sorted({r.entity_id for r in records if r.entity_id}):
                result.conflicts_opened += _entity_refresh(entity_id)
    return result


def _new_entity(kind: str, key_hash: str | None, division_code: str) -> Entity:
    prefix = "RK" if kind == PERSON else "FR"
    return Entity.objects.create(
        registry_id=prefix + secrets.token_hex(6).upper(),
        kind=kind,
        key_hash=key_hash,
        division_code=division_code[:6] if division_code.isdigit() else "",
    )


def _link(
    record: SourceRecord,
    rules: dict[str, Any],
    result: IngestResult,
    known: dict[str | None, Entity],
) -> None:
    """Attach ``record`` to a golden record (the caller saves it and its values)."""
    attributes: dict[str, str] = record.attributes
    kind = record.kind
    entity: Entity | None = None
    method, probability = LinkMethod.EXACT_ID, 1.0
    if record.id_valid:
        entity = known.get(record.id_hash)
    if entity is None:
        best = _best_candidate(record, rules)
        if best is not None:
            entity, probability = best
            method = LinkMethod.PROBABILISTIC
            if record.id_valid and entity.key_hash is None:
                # A golden record built from rows without a usable identifier learns it.
                entity.key_hash = record.id_hash
                entity.division_code = (
                    entity.division_code or attributes.get("division_code", "")[:6]
                )
                entity.save(update_fields=["key_hash", "division_code", "updated_at"])
                known[record.id_hash] = entity
    if entity is None:
        key = record.id_hash if record.id_valid else None
        entity = _new_entity(kind, key, attributes.get("division_code", ""))
        method = LinkMethod.EXACT_ID if record.id_valid else LinkMethod.NEW
        result.new_entities += 1
        if key:
            known[key] = entity
    elif not entity.division_code and attributes.get("division_code", "").isdigit():
        entity.division_code = attributes["division_code"][:6]
        entity.save(update_fields=["division_code", "updated_at"])
    if method == LinkMethod.PROBABILISTIC:
        result.linked_probabilistic += 1
    elif method == LinkMethod.EXACT_ID:
        result.linked_exact += 1
    record.entity = entity
    record.link_method = method
    record.link_score = round(probability, 6)
    # Saved at once: the next record of the chunk may block on this one.
    record.save(update_fields=["entity", "link_method", "link_score"])


def _best_candidate(record: SourceRecord, rules: dict[str, Any]) -> tuple[Entity, float] | None:
    """The golden record the blocked candidates point to with the highest match
    probability, when it reaches the threshold. A candidate with a different valid
    identifier never matches a record whose own identifier is valid."""
    threshold = float(rules.get("threshold", 0.9))
    best: tuple[Entity, float] | None = None
    for candidate in selectors.records_in_block(
        kind=record.kind,
        name_hash=record.name_hash,
        block_hash=record.block_hash,
        exclude_id=record.pk,
    ):
        if candidate.entity is None:
            continue
        if record.id_valid and candidate.id_valid and candidate.id_hash != record.id_hash:
            continue
        if record.id_valid and candidate.entity.key_hash not in (None, record.id_hash):
            continue
        result = linkage.score(record.kind, record.attributes, candidate.attributes, rules)
        if result.probability >= threshold and (best is None or result.probability > best[1]):
            best = (candidate.entity, result.probability)
    return best


def _new_values(record: SourceRecord) -> list[AttributeValue]:
    """One unsaved ``AttributeValue`` per attribute of a newly linked record."""
    assert record.entity_id is not None
    attributes: dict[str, str] = record.attributes
    return [
        AttributeValue(
            entity_id=record.entity_id,
            attribute=attribute,
            value=attributes[attribute],
            value_hash=_value_hash(attribute, attributes[attribute]),
            source=record.source,
            source_record=record,
            seen_at=record.seen_at,
        )
        for attribute in ATTRIBUTES[record.kind]
        if attributes.get(attribute)
    ]


def _record_values(record: SourceRecord) -> None:
    """Bring the ``AttributeValue`` rows of a changed record in line with its content; an
    attribute whose value did not change keeps the time it was first seen."""
    assert record.entity_id is not None
    previous = {
        (v.attribute, v.value_hash): v.seen_at
        for v in record.values.only("attribute", "value_hash", "seen_at")
    }
    record.values.all().delete()
    values = _new_values(record)
    for value in values:
        value.seen_at = previous.get((value.attribute, value.value_hash), value.seen_at)
    AttributeValue.objects.bulk_create(values)


# --- Choosing values and conflicts -------------------------------------------------------


def _fingerprint(values: list[AttributeValue]) -> str:
    parts = sorted(f"{v.source_record_id}:{v.value_hash}" for v in values)
    return lookup_hash("registries:conflict:" + "|".join(parts))


def _entity_refresh(entity_id: int) -> int:
    """Choose each attribute's value for the golden record; open, keep or supersede
    conflicts. Returns the number of conflicts opened."""
    values = selectors.entity_values_light(entity_id)
    if not values:
        return 0
    kind = values[0].entity.kind
    by_attribute: dict[str, list[AttributeValue]] = {}
    for value in values:
        by_attribute.setdefault(value.attribute, []).append(value)
    open_conflicts, decided_conflicts = selectors.entity_conflicts(entity_id)
    opened = 0
    chosen_ids: set[int] = set()
    for attribute, group in by_attribute.items():
        chosen: AttributeValue | None = None
        open_conflict = open_conflicts.get(attribute)
        if attribute in CONFLICT_ATTRIBUTES[kind] and len({v.value_hash for v in group}) > 1:
            fingerprint = _fingerprint(group)
            decided = decided_conflicts.get(attribute)
            if decided is not None and decided.fingerprint == fingerprint:
                chosen = _decided_value(group, decided)
            if open_conflict is not None and open_conflict.fingerprint != fingerprint:
                _supersede(open_conflict)
                open_conflict = None
            if chosen is None and open_conflict is None:
                _conflict_open(entity_id, attribute, group, fingerprint)
                opened += 1
        elif open_conflict is not None:
            # The sources agree again (or the attribute is no longer disputed).
            _supersede(open_conflict)
        if chosen is None:
            chosen = _by_priority(kind, attribute, group)
        chosen_ids.add(chosen.pk)
    wrong_on = [v.pk for v in values if v.chosen and v.pk not in chosen_ids]
    wrong_off = [v.pk for v in values if not v.chosen and v.pk in chosen_ids]
    if wrong_on:
        AttributeValue.objects.filter(pk__in=wrong_on).update(chosen=False)
    if wrong_off:
        AttributeValue.objects.filter(pk__in=wrong_off).update(chosen=True)
    return opened


def _supersede(conflict: Conflict) -> None:
    conflict.status = ConflictStatus.SUPERSEDED
    conflict.save(update_fields=["status"])


def _conflict_open(
    entity_id: int, attribute: str, group: list[AttributeValue], fingerprint: str
) -> Conflict:
    # Any: the encrypted JSON field is typed as the text column it is stored in.
    values: Any = [
        _conflict_value(v) for v in selectors.values_with_plaintext([v.pk for v in group])
    ]
    conflict = Conflict.objects.create(
        entity_id=entity_id,
        attribute=attribute,
        values=values,
        fingerprint=fingerprint,
    )
    event_emit(ConflictOpened(conflict_id=conflict.pk, attribute=attribute))
    return conflict


def _decided_value(values: list[AttributeValue], decided: Conflict) -> AttributeValue | None:
    same = [v for v in values if v.value_hash == decided.chosen_hash]
    preferred = [v for v in same if v.source == decided.chosen_source]
    candidates = preferred or same
    return candidates[0] if candidates else None


def _by_priority(kind: str, attribute: str, values: list[AttributeValue]) -> AttributeValue:
    order = _priority(kind, attribute)

    def rank(v: AttributeValue) -> tuple[int, float, int]:
        position = order.index(v.source) if v.source in order else len(order)
        # Valid-identifier rows before rows that were linked by probability.
        linked = 0 if v.source_record.link_method != LinkMethod.PROBABILISTIC else 1
        return (position + linked, -v.seen_at.timestamp(), v.pk)

    return min(values, key=rank)


def _conflict_value(value: AttributeValue) -> dict[str, Any]:
    return {
        "value": value.value,
        "hash": value.value_hash,
        "source": value.source,
        "source_id": value.source_record.source_id,
        "record_id": value.source_record_id,
        "seen_at": value.seen_at.isoformat(),
    }


# --- Steward decisions -------------------------------------------------------------------


@transaction.atomic
def conflict_resolve(*, user: Any, conflict_id: int, value_source: str, note: str = "") -> Conflict:
    """A data steward picks the value one source gives; the golden record shows it from
    now on, until a source changes the attribute again."""
    conflict = selectors.conflict_get_for_steward(user=user, conflict_id=conflict_id)
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != ConflictStatus.OPEN:
        raise ConflictError(_("该数据冲突已处理或来源数据已变化，请刷新后查看"))
    value_source = (value_source or "").strip()
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationFailed(_("处理意见不能超过2000字"), field="note")
    # "source" or "source:source_id" when one source has several rows.
    options = [v for v in conflict.values if value_source in (v["source"], _option_key(v))]
    if not options:
        raise ValidationFailed(_("请选择冲突中某一来源的值"), field="value_source")
    picked = options[0]
    conflict.status = ConflictStatus.RESOLVED
    conflict.chosen_value = picked["value"]
    conflict.chosen_hash = picked["hash"]
    conflict.chosen_source = picked["source"]
    conflict.note = note
    conflict.decided_by = user
    conflict.decided_at = timezone.now()
    conflict.save()
    _entity_refresh(conflict.entity_id)
    audit_record(
        action="registries.conflict_resolved",
        actor=user,
        object_type="registries.conflict",
        object_id=conflict.pk,
        detail={
            "registry_id": conflict.entity.registry_id,
            "attribute": conflict.attribute,
            "source": picked["source"],
            "source_id": picked["source_id"],
            # Never the value itself: addresses are personal data too.
            "value_hash": picked["hash"][:16],
        },
    )
    event_emit(ConflictResolved(conflict_id=conflict.pk, attribute=conflict.attribute))
    return conflict


def _option_key(value: dict[str, Any]) -> str:
    return f"{value['source']}:{value['source_id']}"


# --- Sync --------------------------------------------------------------------------------


SOURCE_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
EMPLOYER_ATTRIBUTES = frozenset({"employer_credit_code", "employer_name", "status"})
MAX_PAGE = 100


def _attribute_spec_check(attribute: str, spec: Any) -> str:
    """The item key an attribute map entry reads; ``ValidationFailed`` otherwise."""
    field_name = f"attribute_map.{attribute}"
    item: Any
    if isinstance(spec, str):
        item = spec
    elif isinstance(spec, dict) and set(spec) <= {"item", "values", "default"}:
        item = spec.get("item")
        values = spec.get("values", {})
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise ValidationFailed(
                _("属性 %(a)s 的取值对照（values）应为“来源值: 基础库值”形式的文本对象")
                % {"a": attribute},
                field=field_name,
            )
        if "default" in spec and not isinstance(spec["default"], str):
            raise ValidationFailed(
                _("属性 %(a)s 的默认值（default）应为文本") % {"a": attribute}, field=field_name
            )
    else:
        raise ValidationFailed(
            _('属性 %(a)s 应映射到一个信息项标识，或 {"item", "values", "default"}')
            % {"a": attribute},
            field=field_name,
        )
    if not isinstance(item, str) or not item:
        raise ValidationFailed(
            _("属性 %(a)s 未指定信息项（item）") % {"a": attribute}, field=field_name
        )
    return item


def registry_source_validate(
    *,
    source: str,
    kind: str,
    label: str,
    resource_code: str,
    client_id: str,
    attribute_map: Any,
    derive: str = "",
    page_size: int = MAX_PAGE,
) -> None:
    """The checks made on a registry source's configuration (service and admin form)."""
    if not SOURCE_CODE.match(source or ""):
        raise ValidationFailed(
            _("来源代码应为小写字母开头的1至20位小写字母、数字、下划线或连字符"), field="source"
        )
    if kind not in Kind.values:
        raise ValidationFailed(_("类别只能是 person 或 legal"), field="kind")
    if not (label or "").strip():
        raise ValidationFailed(_("请填写来源名称"), field="label")
    if derive not in Derive.values:
        raise ValidationFailed(_("读取方式不存在"), field="derive")
    if derive == Derive.EMPLOYERS and kind != Kind.LEGAL:
        raise ValidationFailed(_("由参保人员推出参保单位只适用于法人类别"), field="derive")
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE:
        raise ValidationFailed(
            _("每页条数应在 1 到 %(max)s 之间") % {"max": MAX_PAGE}, field="page_size"
        )
    if exchange_selectors.exchange_client_get(client_id) is None:
        raise ValidationFailed(_("交换客户端 %(c)s 未登记") % {"c": client_id}, field="client_id")
    resource = exchange_selectors.Resource.objects.filter(code=resource_code).first()
    if resource is None:
        raise ValidationFailed(
            _("信息资源 %(r)s 不存在") % {"r": resource_code}, field="resource_code"
        )
    if not isinstance(attribute_map, dict) or not attribute_map:
        raise ValidationFailed(
            _("属性映射应为“基础库属性: 信息项”形式的对象"), field="attribute_map"
        )
    if derive == Derive.EMPLOYERS:
        allowed, required = EMPLOYER_ATTRIBUTES, EMPLOYER_ATTRIBUTES
    else:
        allowed, required = frozenset({"source_id", *ATTRIBUTES[kind]}), frozenset({"source_id"})
    items = {item.key for item in exchange_selectors.resource_items(resource)}
    for attribute, spec in attribute_map.items():
        if attribute not in allowed:
            raise ValidationFailed(
                _("基础库没有属性 %(a)s（可用：%(allowed)s）")
                % {"a": attribute, "allowed": "、".join(sorted(allowed))},
                field=f"attribute_map.{attribute}",
            )
        item = _attribute_spec_check(attribute, spec)
        if item not in items:
            raise ValidationFailed(
                _("信息资源 %(r)s 没有信息项 %(i)s") % {"r": resource_code, "i": item},
                field=f"attribute_map.{attribute}",
            )
    missing = sorted(required - set(attribute_map))
    if missing:
        raise ValidationFailed(
            _("属性映射缺少 %(m)s") % {"m": "、".join(missing)}, field="attribute_map"
        )


@transaction.atomic
def registry_source_upsert(
    *,
    source: str,
    kind: str,
    label: str,
    resource_code: str,
    client_id: str,
    attribute_map: dict[str, Any],
    derive: str = "",
    page_size: int = MAX_PAGE,
    enabled: bool = True,
    actor: Any = None,
) -> RegistrySource:
    """Configure where one source of one kind is read from (identified by source, kind)."""
    source, label = (source or "").strip(), (label or "").strip()
    registry_source_validate(
        source=source,
        kind=kind,
        label=label,
        resource_code=resource_code,
        client_id=client_id,
        attribute_map=attribute_map,
        derive=derive,
        page_size=page_size,
    )
    row = RegistrySource.objects.filter(source=source, kind=kind).first() or RegistrySource(
        source=source, kind=kind
    )
    row.label, row.resource_code, row.client_id = label[:100], resource_code, client_id
    row.attribute_map, row.derive, row.page_size = attribute_map, derive, page_size
    row.enabled = enabled
    row.save()
    registry_source_changed(actor=actor, row=row)
    return row


def registry_source_changed(*, actor: Any, row: RegistrySource) -> None:
    """Audit a change of a registry source's configuration (service or admin)."""
    audit_record(
        action="registries.source_configured",
        actor=actor,
        object_type="registries.source",
        object_id=f"{row.source}/{row.kind}",
        detail={
            "resource": row.resource_code,
            "client": row.client_id,
            "attributes": sorted(row.attribute_map),
            "enabled": row.enabled,
        },
    )


def _configured_readers(source: str | None, progress: Progress) -> list[readers.SourceReader]:
    """Readers of the enabled ``RegistrySource`` rows, then the registered readers (tests,
    loader scripts); a registered reader replaces a configured one of the same key."""
    by_key: dict[tuple[str, str], readers.SourceReader] = {
        (row.source, row.kind): readers.GatewayReader(
            source=row.source,
            kind=row.kind,
            label=row.label,
            client_id=row.client_id,
            resource_code=row.resource_code,
            attribute_map=dict(row.attribute_map),
            derive=row.derive,
            page_size=row.page_size,
            progress=progress,
        )
        for row in selectors.registry_sources(source)
    }
    for reader in readers.readers(source):
        by_key[(reader.source, reader.kind)] = reader
    return [by_key[key] for key in sorted(by_key)]


def registry_sync(*, source: str | None = None, progress: Progress = None) -> list[IngestResult]:
    """Read each configured source (or one) and ingest its rows.

    Sources configured as ``RegistrySource`` are read through the exchange gateway page by
    page. A source that fails (gateway refusal, adapter down) ingests nothing, is reported
    with the reason, and the other sources go on.
    """
    configured = _configured_readers(source, progress)
    if source and not configured:
        raise ValidationFailed(_("未配置来源 %(source)s") % {"source": source}, field="source")
    results = []
    for reader in configured:
        if progress:
            progress(f"{reader.source}/{reader.kind} ({reader.label}): reading ...")
        started = time.monotonic()
        try:
            rows = list(reader.rows())
        except Exception as exc:
            if isinstance(exc, readers.SourceUnavailable):
                logger.warning("registry source %s/%s failed: %s", reader.source, reader.kind, exc)
            else:
                logger.exception("registry source %s/%s failed", reader.source, reader.kind)
            failed = IngestResult(source=reader.source, kind=reader.kind)
            failed.error = str(exc)[:300]
            failed.problems.append(failed.error)
            results.append(failed)
            if progress:
                progress(f"{reader.source}/{reader.kind}: failed: {str(exc)[:300]}")
            continue
        if progress:
            progress(
                f"{reader.source}/{reader.kind}: read {len(rows)} rows in "
                f"{time.monotonic() - started:.1f}s"
            )
        results.append(
            registry_ingest(source=reader.source, kind=reader.kind, records=rows, progress=progress)
        )
    if results:
        audit_record(
            action="registries.synced",
            object_type="registries.source",
            object_id=source or "*",
            detail={r.source + "/" + r.kind: [r.rows, r.created, r.changed] for r in results},
        )
    return results


def registry_sync_job() -> object:
    """The worker's periodic job: sync every configured source."""
    return registry_sync()
