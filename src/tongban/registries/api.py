"""Base registries over HTTP: the data stewards' conflict queue and a golden record's
lineage."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.registries import selectors, services
from tongban.registries.models import Conflict, Kind

router = Router(tags=["基础库"], auth=API_AUTH)


class ConflictValueOut(Schema):
    value: str
    source: str
    source_label: str
    source_id: str
    seen_at: datetime


class ConflictOut(Schema):
    id: int
    registry_id: str
    kind: str
    attribute: str
    attribute_label: str
    status: str
    status_label: str
    values: list[ConflictValueOut]
    opened_at: datetime
    chosen_value: str | None
    chosen_source: str | None
    note: str
    decided_at: datetime | None


class ConflictPageOut(Schema):
    items: list[ConflictOut]
    next: str | None


def conflict_out(conflict: Conflict) -> ConflictOut:
    attribute = conflict.attribute
    return ConflictOut(
        id=conflict.pk,
        registry_id=conflict.entity.registry_id,
        kind=conflict.entity.kind,
        attribute=attribute,
        attribute_label=selectors.attribute_label(attribute),
        status=conflict.status,
        status_label=str(conflict.get_status_display()),
        values=[
            ConflictValueOut(
                value=selectors.mask_value(attribute, v["value"]),
                source=v["source"],
                source_label=selectors.source_label(v["source"]),
                source_id=v["source_id"],
                seen_at=datetime.fromisoformat(v["seen_at"]),
            )
            for v in conflict.values
        ],
        opened_at=conflict.opened_at,
        chosen_value=(
            selectors.mask_value(attribute, conflict.chosen_value)
            if conflict.chosen_value
            else None
        ),
        chosen_source=conflict.chosen_source or None,
        note=conflict.note,
        decided_at=conflict.decided_at,
    )


@router.get(
    "/registries/conflicts",
    response={200: ConflictPageOut, **errors(401, 403, 422)},
    summary="基础库数据冲突（数据管理员）：status=open/resolved/superseded，attribute=name/address/status…",
)
def conflict_list(
    request: HttpRequest,
    status: str = "",
    attribute: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> ConflictPageOut:
    page = selectors.conflict_list(
        user=caller(request), status=status, attribute=attribute, cursor=cursor, size=size
    )
    return ConflictPageOut(
        items=[conflict_out(c) for c in page.items], next=next_url(request, page.next_cursor)
    )


class ResolveIn(Schema):
    value_source: str
    note: str = ""


@router.post(
    "/registries/conflicts/{conflict_id}/resolve",
    response={200: ConflictOut, **errors(401, 403, 404, 409, 422)},
    summary="处理数据冲突：采用某一来源的值（value_source 为来源代码，或“来源:记录号”）",
)
def conflict_resolve(request: HttpRequest, conflict_id: int, payload: ResolveIn) -> ConflictOut:
    conflict = services.conflict_resolve(
        user=caller(request),
        conflict_id=conflict_id,
        value_source=payload.value_source,
        note=payload.note,
    )
    return conflict_out(conflict)


class AttributeOut(Schema):
    attribute: str
    attribute_label: str
    value: str
    source: str
    source_label: str
    source_id: str
    seen_at: datetime
    chosen: bool


class RecordOut(Schema):
    source: str
    source_id: str
    link_method: str
    link_score: float | None
    first_seen_at: datetime
    last_seen_at: datetime


class EntityOut(Schema):
    registry_id: str
    kind: str
    division_code: str
    attributes: list[AttributeOut]
    records: list[RecordOut]


@router.get(
    "/registries/persons/{registry_id}",
    response={200: EntityOut, **errors(401, 403, 404)},
    summary="人口库记录及其数据来源（每个属性的来源与获取时间）",
)
def person_get(request: HttpRequest, registry_id: str) -> EntityOut:
    return _entity_out(
        selectors.entity_get_for_steward(
            user=caller(request), registry_id=registry_id, kind=Kind.PERSON
        )
    )


@router.get(
    "/registries/legal-persons/{registry_id}",
    response={200: EntityOut, **errors(401, 403, 404)},
    summary="法人库记录及其数据来源（每个属性的来源与获取时间）",
)
def legal_person_get(request: HttpRequest, registry_id: str) -> EntityOut:
    return _entity_out(
        selectors.entity_get_for_steward(
            user=caller(request), registry_id=registry_id, kind=Kind.LEGAL
        )
    )


def _entity_out(lineage: selectors.Lineage) -> EntityOut:
    source_ids = {r.pk: r.source_id for r in lineage.records}
    return EntityOut(
        registry_id=lineage.entity.registry_id,
        kind=lineage.entity.kind,
        division_code=lineage.entity.division_code,
        attributes=[
            AttributeOut(
                attribute=v.attribute,
                attribute_label=selectors.attribute_label(v.attribute),
                value=selectors.mask_value(v.attribute, v.value),
                source=v.source,
                source_label=selectors.source_label(v.source),
                source_id=source_ids.get(v.source_record_id, ""),
                seen_at=v.seen_at,
                chosen=v.chosen,
            )
            for v in lineage.values
        ],
        records=[
            RecordOut(
                source=r.source,
                source_id=r.source_id,
                link_method=r.link_method,
                link_score=r.link_score,
                first_seen_at=r.first_seen_at,
                last_seen_at=r.last_seen_at,
            )
            for r in lineage.records
        ],
    )
