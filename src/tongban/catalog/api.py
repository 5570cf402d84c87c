"""Service catalog (政务服务事项): items, implementation per division, materials, forms, guides,
life-event bundles. Public reads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from tongban.catalog import selectors
from tongban.catalog.selectors import ItemImplementation, Material, ServiceFilter
from tongban.core.pagination import next_url
from tongban.core.schemas import errors

router = Router(tags=["服务事项"])


class ServiceOut(Schema):
    code: str
    name: str
    item_type: str
    item_type_label: str
    audience: str
    division_code: str
    division_name: str
    department_code: str
    department_name: str
    handling_type: str
    handling_type_label: str
    statutory_limit: int
    promised_limit: int
    max_visits: int
    url: str


class ServicePageOut(Schema):
    items: list[ServiceOut]
    next: str | None


class ServiceMaterialOut(Schema):
    id: int
    name: str
    required: bool
    source: str
    source_label: str
    notes: str
    blank_form_url: str | None


class FaqOut(Schema):
    q: str
    a: str


class ServiceDetailOut(ServiceOut):
    legal_basis: str
    fee_free: bool
    fees: str
    channels: list[str]
    life_events: list[str]
    description: str
    conditions: str
    guide: str
    window_address: str
    phone: str
    process_key: str
    form_schema: dict[str, Any]
    materials: list[ServiceMaterialOut]
    faq: list[FaqOut]


def _service(request: HttpRequest, i: ItemImplementation) -> dict[str, Any]:
    item = i.item
    path = reverse("catalog:guide", args=[item.code]) + f"?division={i.division_id}"
    return {
        "code": item.code,
        "name": item.name,
        "item_type": item.item_type,
        "item_type_label": item.get_item_type_display(),
        "audience": item.audience,
        "division_code": i.division_id,
        "division_name": i.division.name,
        "department_code": i.department.code,
        "department_name": i.department.name,
        "handling_type": item.handling_type,
        "handling_type_label": item.get_handling_type_display(),
        "statutory_limit": i.statutory_limit,
        "promised_limit": i.promised_limit,
        "max_visits": item.max_visits,
        "url": request.build_absolute_uri(path),
    }


def _material(request: HttpRequest, m: Material, code: str) -> ServiceMaterialOut:
    url = None
    if m.blank_form:
        url = request.build_absolute_uri(reverse("catalog:form", args=[code, m.pk]))
    return ServiceMaterialOut(
        id=m.pk,
        name=m.name,
        required=m.required,
        source=m.source,
        source_label=m.get_source_display(),
        notes=m.notes,
        blank_form_url=url,
    )


@router.get("/services", response={200: ServicePageOut, **errors(404, 422)}, summary="服务事项检索")
def service_list(
    request: HttpRequest,
    q: str = "",
    division: str = "",
    department: str = "",
    audience: str = "",
    event: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> ServicePageOut:
    """Search with Chinese word segmentation (e.g. 开饭店, 营业执照, 食品); filter by division
    (its own and higher divisions' items), department (code or id), audience (person/legal)
    and life event (bundle slug)."""
    found = ServiceFilter(
        q=q[:100], division=division, department=department, audience=audience, event=event
    )
    page = selectors.service_search(found, cursor=cursor, size=size)
    return ServicePageOut(
        items=[ServiceOut(**_service(request, i)) for i in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/services/{code}",
    response={200: ServiceDetailOut, **errors(404, 422)},
    summary="服务事项办事指南",
)
def service_detail(request: HttpRequest, code: str, division: str = "") -> ServiceDetailOut:
    """The guide of one item as implemented in ``division`` (or the nearest division above)."""
    i = selectors.implementation_for(code, division_code=division or None)
    item = i.item
    return ServiceDetailOut(
        **_service(request, i),
        legal_basis=item.legal_basis,
        fee_free=item.fee_free,
        fees=i.fees,
        channels=list(item.channels),
        life_events=list(item.life_events),
        description=item.description,
        conditions=item.conditions,
        guide=i.guide,
        window_address=i.window_address,
        phone=i.phone,
        process_key=i.process_key,
        form_schema=i.form_schema,
        materials=[_material(request, m, item.code) for m in selectors.materials_of(i)],
        faq=[FaqOut(q=str(e.get("q", "")), a=str(e.get("a", ""))) for e in item.faq],
    )
