"""Reads of the service catalog: search, guides, materials and life-event bundles."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tongban.catalog.models import Audience as Audience
from tongban.catalog.models import ItemImplementation as ItemImplementation
from tongban.catalog.models import LifeEventBundle as LifeEventBundle
from tongban.catalog.models import Material as Material
from tongban.catalog.models import SearchTerm, ServiceItem
from tongban.catalog.segmentation import terms as segment
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.pagination import MAX_PAGE_SIZE, Page, keyset_page
from tongban.org.selectors import division_get

MAX_QUERY_TERMS = 20
# Material lists are read on every material upload and submission and change only when an
# administrator edits the catalog; they are cached under the catalog's version, which every
# catalog write moves on (``tongban.catalog.signals``). The expiry bounds how long another
# process keeps an old list when the cache is per process (no REDIS_URL).
CATALOG_VERSION_KEY = "catalog:version"
MATERIALS_CACHE_SECONDS = 60


def catalog_version() -> int:
    """The current catalog version (any catalog write changes it)."""
    return int(cache.get_or_set(CATALOG_VERSION_KEY, 1, None) or 1)


def catalog_changed() -> None:
    """Make every cached read of the catalog stale."""
    try:
        cache.incr(CATALOG_VERSION_KEY)
    except ValueError:  # the key expired or was never set
        cache.set(CATALOG_VERSION_KEY, 2, None)


def _cached(kind: str, pk: int, compute: Any) -> Any:
    key = f"catalog:{kind}:{pk}:{catalog_version()}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, MATERIALS_CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class ServiceFilter:
    """Filters of a catalog search; empty values do not filter."""

    q: str = ""
    division: str = ""
    department: str = ""
    audience: str = ""
    event: str = ""


def _related(qs: QuerySet[ItemImplementation]) -> QuerySet[ItemImplementation]:
    return qs.select_related("item", "division", "department")


def _filtered(f: ServiceFilter) -> Q:
    condition = Q()
    if f.division:
        division = division_get(f.division)
        # Items of this division and of the divisions above it (a province-level item
        # serves every city); a city search does not list each county's implementation.
        condition &= Q(division_id__in=division.path.split("/"))
    if f.department:
        if f.department.isdigit():
            condition &= Q(department_id=int(f.department))
        else:
            condition &= Q(department__code=f.department)
    if f.audience:
        if f.audience not in (Audience.PERSON, Audience.LEGAL):
            raise ValidationFailed(
                _("服务对象只能是 person（个人）或 legal（法人）"), field="audience"
            )
        condition &= Q(item__audience__in=[f.audience, Audience.BOTH])
    if f.event:
        condition &= Q(bundles__slug=f.event)
    return condition


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a model that reaches implementations through ``prefix``."""
    result = Q()
    result.connector, result.negated = condition.connector, condition.negated
    children: list[Any] = list(condition.children)
    for child in children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            result.children.append((f"{prefix}__{key}", value))
    return result


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decode(cursor: str) -> tuple[int, int]:
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(score), int(pk)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(_("分页参数无效"), field="cursor") from None


def service_search(
    f: ServiceFilter, *, cursor: str | None = None, size: int = 20
) -> Page[ItemImplementation]:
    """Implementations matching the filters; with a query, best matches first.

    The query is segmented by jieba exactly as the indexed texts were, and looked up in the
    ``SearchTerm`` inverted index (one indexed ``IN`` lookup, grouped per implementation),
    so it behaves the same on SQLite and PostgreSQL. Each result carries ``score``.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    condition = _filtered(f)
    words = segment(f.q)[:MAX_QUERY_TERMS] if f.q.strip() else []
    if not f.q.strip():
        base = ItemImplementation.objects.filter(condition)
        page = keyset_page(_related(base), order=("id",), cursor=cursor, size=size)
        for implementation in page.items:
            implementation.score = 0  # type: ignore[attr-defined]
        return page
    if not words:
        return Page([], None)
    rows = SearchTerm.objects.filter(term__in=words)
    if condition:
        rows = rows.filter(_prefixed(condition, "implementation"))
    grouped = rows.values("implementation_id").annotate(score=Sum("weight"))
    if cursor:
        score, pk = _decode(cursor)
        grouped = grouped.filter(Q(score__lt=score) | Q(score=score, implementation_id__gt=pk))
    found = list(grouped.order_by("-score", "implementation_id")[: size + 1])
    visible = found[:size]
    by_id = _related(ItemImplementation.objects.all()).in_bulk(
        [row["implementation_id"] for row in visible]
    )
    items = []
    for row in visible:
        implementation = by_id[row["implementation_id"]]
        implementation.score = row["score"]  # type: ignore[attr-defined]
        items.append(implementation)
    next_cursor = None
    if len(found) > size:
        last = visible[-1]
        next_cursor = _encode([last["score"], last["implementation_id"]])
    return Page(items, next_cursor)


def item_get(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise NotFound(_("服务事项不存在"), field="code")
    return item


def implementation_for(code: str, *, division_code: str | None = None) -> ItemImplementation:
    """The implementation of item ``code`` that serves ``division_code``: its own, or else the
    nearest division above it. Without a division, the first (highest) implementation."""
    qs = _related(ItemImplementation.objects.filter(item__code=code))
    if division_code:
        division = division_get(division_code)
        chain = division.path.split("/")
        candidates = list(qs.filter(division_id__in=chain))
        if not candidates:
            item_get(code)
            raise NotFound(_("该事项在所选地区未实施"), field="division")
        candidates.sort(key=lambda i: (-chain.index(i.division_id), i.pk))
        return candidates[0]
    implementation = qs.order_by("division_id", "id").first()
    if implementation is None:
        raise NotFound(_("服务事项不存在"), field="code")
    return implementation


def implementation_divisions(code: str) -> list[tuple[str, str]]:
    """(code, name) of the divisions where item ``code`` is implemented (a short list)."""
    rows = (
        ItemImplementation.objects.filter(item__code=code)
        .order_by("division_id")
        .values_list("division_id", "division__name")
        .distinct()[:200]
    )
    return [(str(c), str(n)) for c, n in rows]


def materials_of(implementation: ItemImplementation) -> list[Material]:
    return list(
        _cached(
            "materials",
            implementation.pk,
            lambda: list(implementation.materials.order_by("position", "id")[:200]),
        )
    )


def material_get(*, code: str, material_id: int) -> Material:
    material = (
        Material.objects.select_related("implementation__item")
        .filter(pk=material_id, implementation__item__code=code)
        .first()
    )
    if material is None or not material.blank_form:
        raise NotFound(_("该表格不存在"), field="material")
    return material


def bundle_get(slug: str) -> LifeEventBundle:
    bundle = LifeEventBundle.objects.select_related("division").filter(slug=slug).first()
    if bundle is None:
        raise NotFound(_("该“一件事”不存在"), field="event")
    return bundle


def bundle_list(*, division_code: str | None = None) -> list[LifeEventBundle]:
    qs = LifeEventBundle.objects.select_related("division")
    if division_code:
        qs = qs.filter(division_id__in=division_get(division_code).path.split("/"))
    return list(qs.order_by("slug")[:100])


def bundle_implementations(bundle: LifeEventBundle) -> list[ItemImplementation]:
    return list(_related(bundle.implementations.all()).order_by("id")[:50])


@dataclass(frozen=True)
class BundleMaterial:
    """A material of a bundle: asked for once even if several of its items need it."""

    name: str
    required: bool
    source: str
    source_label: str
    items: tuple[str, ...]
    provided_by: str = ""  # an item of the same bundle whose result this material is
    resource_code: str = ""  # for fetched materials: the exchange resource to ask


def bundle_materials(bundle: LifeEventBundle) -> list[BundleMaterial]:
    """The bundle's de-duplicated material set (same name = same material).

    A material that is the result of another item of the bundle (营业执照 when the bundle
    also registers the business) is not asked for: the bundle produces it.
    """
    return list(_cached("bundle-materials", bundle.pk, lambda: _bundle_materials(bundle)))


def _bundle_materials(bundle: LifeEventBundle) -> list[BundleMaterial]:
    merged: dict[str, dict[str, Any]] = {}
    results = {
        str(result): str(name)
        for result, name in ServiceItem.objects.filter(implementations__bundles=bundle)
        .exclude(result_name="")
        .values_list("result_name", "name")[:50]
    }
    materials = (
        Material.objects.filter(implementation__bundles=bundle)
        .select_related("implementation__item")
        .order_by("implementation_id", "position", "id")[:500]
    )
    for material in materials:
        entry = merged.setdefault(
            material.name,
            {
                "required": False,
                "source": material.source,
                "source_label": material.get_source_display(),
                "items": [],
                "resource_code": material.resource_code,
            },
        )
        entry["required"] = entry["required"] or material.required
        item_name = material.implementation.item.name
        if item_name not in entry["items"]:
            entry["items"].append(item_name)
    return [
        BundleMaterial(
            name=name,
            required=v["required"],
            source=v["source"],
            source_label=v["source_label"],
            items=tuple(v["items"]),
            provided_by=results.get(name, ""),
            resource_code=v["resource_code"],
        )
        for name, v in merged.items()
    ]


@dataclass(frozen=True)
class ItemFacts:
    name: str
    zero_visit: bool  # 零跑动: the applicant never needs to come in person


def item_facts(codes: list[str]) -> dict[str, ItemFacts]:
    """Names of items and life-event bundles by code, and whether each needs no visit; a
    bundle needs none when none of its items does."""
    facts = {
        code: ItemFacts(name, max_visits == 0)
        for code, name, max_visits in ServiceItem.objects.filter(code__in=codes).values_list(
            "code", "name", "max_visits"
        )
    }
    bundles = LifeEventBundle.objects.filter(slug__in=[c for c in codes if c not in facts])
    for bundle in bundles.prefetch_related("implementations__item"):
        visits = [impl.item.max_visits for impl in bundle.implementations.all()]
        facts[bundle.slug] = ItemFacts(bundle.name, bool(visits) and max(visits) == 0)
    return facts
