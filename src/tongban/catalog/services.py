"""Catalog writes. The catalog app owns the service items (政务服务事项), their implementation
per division (实施清单), required materials and blank forms, application form schemas, the
life-event bundles (一件事一次办) and the search index over all of them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import ValidationError as SchemaValidationError
from jsonschema.exceptions import SchemaError

from tongban.catalog.models import (
    Audience,
    HandlingType,
    ItemImplementation,
    ItemType,
    LifeEventBundle,
    Material,
    MaterialSource,
    SearchTerm,
    ServiceItem,
)
from tongban.catalog.segmentation import weighted_terms
from tongban.core.errors import ValidationFailed
from tongban.core.services import audit_record
from tongban.core.upsert import Outcome, upsert
from tongban.org.selectors import department_list, division_get

# Weights of the searchable texts: a hit in the name counts most.
WEIGHT_NAME = 10
WEIGHT_KEYWORD = 8
WEIGHT_EVENT = 5
WEIGHT_DEPARTMENT = 3
WEIGHT_TEXT = 1


# ---------------------------------------------------------------------------- form schemas


@lru_cache(maxsize=256)
def _schema_problem(text: str) -> SchemaError | None:
    try:
        Draft202012Validator.check_schema(json.loads(text))
    except SchemaError as exc:
        return exc
    return None


def form_schema_check(schema: Any, *, field: str = "form_schema") -> dict[str, Any]:
    """Refuse anything that is not a JSON Schema (Draft 2020-12) describing an object."""
    if not isinstance(schema, dict):
        raise ValidationFailed(_("申请表必须是 JSON 对象形式的 JSON Schema"), field=field)
    if not schema:
        return schema
    exc = _schema_problem(json.dumps(schema, sort_keys=True, ensure_ascii=False))
    if exc is not None:
        where = "/".join(str(p) for p in exc.absolute_path) or "（根）"
        raise ValidationFailed(
            _("申请表不是有效的 JSON Schema：%(where)s 处 %(reason)s")
            % {"where": where, "reason": exc.message},
            field=field,
        ) from None
    if schema.get("type", "object") != "object":
        raise ValidationFailed(_("申请表的根类型必须是 object"), field=field)
    return form_schema_ordered(schema)


ORDER_KEY = "x-order"


def form_schema_ordered(schema: dict[str, Any]) -> dict[str, Any]:
    """Record the author's field order in ``x-order``: PostgreSQL's jsonb keeps object keys
    in its own order, and a form must not come back with its fields shuffled."""
    properties = schema.get("properties")
    if not isinstance(properties, dict) or ORDER_KEY in schema:
        return schema
    return {**schema, ORDER_KEY: list(properties)}


def form_fields_in_order(schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key, property schema) of a form in the order its author wrote them."""
    properties = schema.get("properties") or {}
    order = [k for k in schema.get(ORDER_KEY) or [] if k in properties]
    return [(k, properties[k]) for k in order] + [
        (k, v) for k, v in properties.items() if k not in order
    ]


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


TYPE_NAMES = {
    "string": gettext_lazy("文本"),
    "integer": gettext_lazy("整数"),
    "number": gettext_lazy("数字"),
    "boolean": gettext_lazy("是或否"),
    "object": gettext_lazy("对象"),
    "array": gettext_lazy("列表"),
    "null": gettext_lazy("空值"),
}


def _title(schema: dict[str, Any], path: list[str]) -> str:
    node: Any = schema
    for part in path:
        if not isinstance(node, dict):
            break
        if part.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            node = (node.get("properties") or {}).get(part, {})
    title = node.get("title") if isinstance(node, dict) else None
    return str(title or (path[-1] if path else _("表单")))


def _message(error: SchemaValidationError, schema: dict[str, Any], path: list[str]) -> str:
    title = _title(schema, path)
    kind, value = error.validator, error.validator_value
    if kind == "required":
        return _("请填写%(title)s") % {"title": title}
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        names = str(_("或")).join(str(TYPE_NAMES.get(str(t), str(t))) for t in types)
        return _("%(title)s应为%(type)s") % {"title": title, "type": names}
    if kind == "minLength":
        return _("%(title)s至少%(n)s个字符") % {"title": title, "n": value}
    if kind == "maxLength":
        return _("%(title)s不能超过%(n)s个字符") % {"title": title, "n": value}
    if kind == "pattern":
        return _("%(title)s格式不正确") % {"title": title}
    if kind == "format":
        return _("%(title)s格式不正确（应为 %(format)s）") % {"title": title, "format": value}
    if kind in ("enum", "const"):
        return _("%(title)s的取值不在允许范围内") % {"title": title}
    if kind in ("minimum", "exclusiveMinimum"):
        return _("%(title)s不能小于%(n)s") % {"title": title, "n": value}
    if kind in ("maximum", "exclusiveMaximum"):
        return _("%(title)s不能大于%(n)s") % {"title": title, "n": value}
    if kind == "minItems":
        return _("%(title)s至少填写%(n)s项") % {"title": title, "n": value}
    if kind == "additionalProperties":
        return _("表单含有未定义的字段")
    return _("%(title)s填写不正确") % {"title": title}


def schema_errors(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """Chinese messages for every way ``data`` breaks ``schema``, with dotted field paths."""
    if not schema:
        return []
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found: list[FieldError] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in error.message else ""
            path = [*path, missing] if missing else path
        found.append(FieldError(field=".".join(path), message=_message(error, schema, path)))
    return found


def form_validate(implementation: ItemImplementation, data: Any) -> list[FieldError]:
    """Check application form data against the implementation's form; [] when valid."""
    return schema_errors(implementation.form_schema, data)


def form_check(implementation: ItemImplementation, data: Any) -> None:
    """Like ``form_validate`` but raises the first problem as ``ValidationFailed``."""
    problems = form_validate(implementation, data)
    if problems:
        first = problems[0]
        raise ValidationFailed(first.message, field=f"form.{first.field}".rstrip("."))


# ---------------------------------------------------------------------------- search index


def implementation_reindex(implementation: ItemImplementation) -> int:
    """Rebuild the search terms of one implementation; returns the number of terms."""
    item = implementation.item
    material_names = " ".join(implementation.materials.values_list("name", flat=True))
    bundle_names = " ".join(implementation.bundles.values_list("name", flat=True))
    weights = weighted_terms(
        [
            (item.name, WEIGHT_NAME),
            (item.keywords, WEIGHT_KEYWORD),
            (" ".join(item.life_events), WEIGHT_EVENT),
            (bundle_names, WEIGHT_EVENT),
            (implementation.department.name, WEIGHT_DEPARTMENT),
            (item.description, WEIGHT_TEXT),
            (item.conditions, WEIGHT_TEXT),
            (implementation.guide, WEIGHT_TEXT),
            (material_names, WEIGHT_TEXT),
        ]
    )
    existing = dict(
        SearchTerm.objects.filter(implementation=implementation).values_list("term", "weight")
    )
    stale = [t for t, w in existing.items() if weights.get(t) != w]
    if stale:
        SearchTerm.objects.filter(implementation=implementation, term__in=stale).delete()
    SearchTerm.objects.bulk_create(
        [
            SearchTerm(implementation=implementation, term=t, weight=w)
            for t, w in weights.items()
            if existing.get(t) != w
        ]
    )
    return len(weights)


@transaction.atomic
def item_reindex(item: ServiceItem) -> None:
    """Rebuild the search terms of every implementation of ``item`` (after an edit)."""
    for implementation in item.implementations.select_related("item", "department"):
        implementation_reindex(implementation)


@transaction.atomic
def implementation_reindex_by_id(implementation_id: int) -> None:
    implementation = (
        ItemImplementation.objects.select_related("item", "department")
        .filter(pk=implementation_id)
        .first()
    )
    if implementation is not None:
        implementation_reindex(implementation)


@transaction.atomic
def bundle_reindex_by_id(bundle_id: int) -> None:
    """Reindex a bundle's implementations (their terms include the bundle's name)."""
    for implementation in ItemImplementation.objects.filter(bundles__pk=bundle_id).select_related(
        "item", "department"
    ):
        implementation_reindex(implementation)


# ---------------------------------------------------------------------------- writes


def _choice(value: str, choices: Any, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, field=field)
    return value


def _limits(statutory: int, promised: int) -> None:
    if statutory < 0 or promised < 0:
        raise ValidationFailed(_("办结时限不能为负数"), field="promised_limit")
    if promised > statutory:
        raise ValidationFailed(_("承诺办结时限不能超过法定办结时限"), field="promised_limit")


def item_validate(values: dict[str, Any]) -> None:
    """Rules every service item obeys, whether written by a loader or in the admin."""
    if not str(values.get("code") or "").strip():
        raise ValidationFailed(_("请填写事项编码"), field="code")
    if not str(values.get("name") or "").strip():
        raise ValidationFailed(_("请填写事项名称"), field="name")
    _choice(values["item_type"], ItemType, "item_type", _("事项类型不正确"))
    _choice(values["audience"], Audience, "audience", _("服务对象不正确"))
    _choice(values["handling_type"], HandlingType, "handling_type", _("办件类型不正确"))
    _limits(values["statutory_limit"], values["promised_limit"])
    if values["max_visits"] not in (0, 1):
        raise ValidationFailed(_("到办事现场次数只能是0次或1次（最多跑一次）"), field="max_visits")
    if not values["fee_free"] and not str(values.get("fees") or "").strip():
        raise ValidationFailed(_("收费事项须写明收费标准"), field="fees")
    for entry in values.get("faq") or []:
        if not isinstance(entry, dict) or not entry.get("q") or not entry.get("a"):
            raise ValidationFailed(_("常见问题每条须包含问题(q)和解答(a)"), field="faq")


@transaction.atomic
def item_upsert(
    *,
    code: str,
    name: str,
    item_type: str,
    audience: str,
    statutory_limit: int,
    promised_limit: int,
    handling_type: str,
    max_visits: int = 0,
    legal_basis: str = "",
    fee_free: bool = True,
    fees: str = "",
    channels: list[str] | None = None,
    life_events: list[str] | None = None,
    keywords: str = "",
    description: str = "",
    conditions: str = "",
    faq: list[dict[str, str]] | None = None,
    result_name: str = "",
    actor: Any = None,
) -> ServiceItem:
    """Create or update a service item identified by its code, and reindex it if it changed."""
    values: dict[str, Any] = {
        "name": (name or "").strip(),
        "item_type": item_type,
        "audience": audience,
        "statutory_limit": statutory_limit,
        "promised_limit": promised_limit,
        "handling_type": handling_type,
        "max_visits": max_visits,
        "legal_basis": legal_basis,
        "fee_free": fee_free,
        "fees": fees,
        "channels": list(channels or []),
        "life_events": list(life_events or []),
        "keywords": keywords,
        "description": description,
        "conditions": conditions,
        "faq": list(faq or []),
        "result_name": (result_name or "").strip(),
    }
    code = (code or "").strip()
    item_validate({"code": code, **values})
    item, outcome = upsert(ServiceItem, lookup={"code": code}, values=values)
    if outcome is Outcome.UNCHANGED:
        return item
    item_reindex(item)
    audit_record(
        action=f"service_item.{outcome.value}",
        actor=actor,
        object_type="service_item",
        object_id=code,
        detail={"name": item.name},
    )
    return item


@transaction.atomic
def implementation_upsert(
    *,
    item_code: str,
    division_code: str,
    department_code: str,
    statutory_limit: int | None = None,
    promised_limit: int | None = None,
    fees: str | None = None,
    window_address: str = "",
    phone: str = "",
    guide: str = "",
    process_key: str = "",
    form_schema: dict[str, Any] | None = None,
    actor: Any = None,
) -> ItemImplementation:
    """Create or update an item's implementation in a division; limits and fees default to
    the item's."""
    item = ServiceItem.objects.filter(code=item_code).first()
    if item is None:
        raise ValidationFailed(_("服务事项不存在"), field="item_code")
    division = division_get(division_code)
    department = division_department(division.code, department_code)
    statutory = item.statutory_limit if statutory_limit is None else statutory_limit
    promised = item.promised_limit if promised_limit is None else promised_limit
    _limits(statutory, promised)
    values = {
        "statutory_limit": statutory,
        "promised_limit": promised,
        "fees": item.fees if fees is None else fees,
        "window_address": window_address,
        "phone": phone,
        "guide": guide,
        "process_key": (process_key or "").strip(),
        "form_schema": form_schema_check(form_schema or {}),
    }
    implementation, outcome = upsert(
        ItemImplementation,
        lookup={"item": item, "division": division, "department": department},
        values=values,
    )
    if outcome is Outcome.UNCHANGED:
        return implementation
    implementation_reindex(implementation)
    audit_record(
        action=f"implementation.{outcome.value}",
        actor=actor,
        object_type="implementation",
        object_id=implementation.pk,
        detail={"item": item.code, "division": division.code, "department": department_code},
    )
    return implementation


def division_department(division_code: str, department_code: str) -> Any:
    """The department of a division with the given short code."""
    cursor: str | None = None
    while True:
        page = department_list(division_code=division_code, cursor=cursor, size=100)
        for department in page.items:
            if department.code == department_code:
                return department
        if page.next_cursor is None:
            raise ValidationFailed(_("实施部门不存在"), field="department_code")
        cursor = page.next_cursor


def _store_blank_form(path: str, content: bytes) -> str:
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as handle:
            if handle.read() == content:
                return path
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(content))


def _material_write(
    *,
    implementation: ItemImplementation,
    name: str,
    required: bool = True,
    source: str = MaterialSource.UPLOAD,
    position: int = 0,
    example: str = "",
    notes: str = "",
    resource_code: str = "",
    blank_form: tuple[str, bytes] | None = None,
) -> tuple[Material, Outcome]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写材料名称"), field="name")
    _choice(source, MaterialSource, "source", _("材料来源渠道不正确"))
    values: dict[str, Any] = {
        "required": required,
        "source": source,
        "position": position,
        "example": example,
        "notes": notes,
        "resource_code": (resource_code or "").strip(),
    }
    if blank_form is not None:
        values["blank_form"] = _store_blank_form(*blank_form)
    return upsert(Material, lookup={"implementation": implementation, "name": name}, values=values)


@transaction.atomic
def material_upsert(
    *,
    implementation: ItemImplementation,
    name: str,
    required: bool = True,
    source: str = MaterialSource.UPLOAD,
    position: int = 0,
    example: str = "",
    notes: str = "",
    blank_form: tuple[str, bytes] | None = None,
    actor: Any = None,
) -> Material:
    """Create or update a material of an implementation, identified by its name.

    ``blank_form`` is ``(storage path, content)`` of the downloadable blank form, if any.
    """
    material, outcome = _material_write(
        implementation=implementation,
        name=name,
        required=required,
        source=source,
        position=position,
        example=example,
        notes=notes,
        blank_form=blank_form,
    )
    if outcome is Outcome.UNCHANGED:
        return material
    if outcome is Outcome.CREATED:
        implementation_reindex(implementation)
    audit_record(
        action=f"material.{outcome.value}",
        actor=actor,
        object_type="material",
        object_id=material.pk,
        detail={"implementation": implementation.pk, "name": material.name},
    )
    return material


@transaction.atomic
def materials_upsert(
    *, implementation: ItemImplementation, materials: list[dict[str, Any]], actor: Any = None
) -> list[Material]:
    """Upsert the listed materials of an implementation (each a dict of ``material_upsert``
    arguments) with one audit entry and one reindex for the whole list."""
    saved, changed, created = [], [], False
    for spec in materials:
        material, outcome = _material_write(implementation=implementation, **spec)
        saved.append(material)
        if outcome is not Outcome.UNCHANGED:
            changed.append(material.name)
            created = created or outcome is Outcome.CREATED
    if created:
        implementation_reindex(implementation)
    if changed:
        audit_record(
            action="materials.upsert",
            actor=actor,
            object_type="implementation",
            object_id=implementation.pk,
            detail={"materials": changed},
        )
    return saved


@transaction.atomic
def bundle_upsert(
    *,
    slug: str,
    name: str,
    division_code: str,
    implementations: list[ItemImplementation],
    description: str = "",
    process_key: str = "",
    form_schema: dict[str, Any] | None = None,
    lead_department_code: str = "",
    actor: Any = None,
) -> LifeEventBundle:
    """Create or update a life-event bundle (一件事) joining implementations of one division."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写一件事名称"), field="name")
    division = division_get(division_code)
    if len(implementations) < 2:
        raise ValidationFailed(_("一件事至少包含两个事项"), field="implementations")
    for implementation in implementations:
        if not division.path.startswith(_path_of(implementation)):
            raise ValidationFailed(
                _("一件事所含事项须在本地区或上级地区实施"), field="implementations"
            )
    lead = (
        division_department(division_code, lead_department_code) if lead_department_code else None
    )
    values = {
        "name": name,
        "division": division,
        "lead_department": lead,
        "description": description,
        "process_key": (process_key or "").strip(),
        "form_schema": form_schema_check(form_schema or {}),
    }
    bundle, outcome = upsert(LifeEventBundle, lookup={"slug": slug}, values=values)
    wanted = {i.pk for i in implementations}
    current = set(bundle.implementations.values_list("pk", flat=True))
    if wanted != current:
        bundle.implementations.set(implementations)
        if outcome is Outcome.UNCHANGED:
            outcome = Outcome.UPDATED
        for implementation in ItemImplementation.objects.filter(
            pk__in=wanted | current
        ).select_related("item", "department"):
            implementation_reindex(implementation)
    if outcome is Outcome.UNCHANGED:
        return bundle
    audit_record(
        action=f"life_event.{outcome.value}",
        actor=actor,
        object_type="life_event",
        object_id=slug,
        detail={"name": name, "items": sorted(wanted)},
    )
    return bundle


def _path_of(implementation: ItemImplementation) -> str:
    return division_get(implementation.division_id).path
