"""Public catalog pages: search, the printable guide (办事指南), blank forms, life events."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tongban.catalog import selectors, services
from tongban.catalog.selectors import Audience, ServiceFilter
from tongban.core.errors import NotFound
from tongban.org.selectors import department_list, division_get, division_list

FILTER_KEYS = ("q", "division", "department", "audience", "event")
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _filters(request: HttpRequest) -> ServiceFilter:
    values = {key: request.GET.get(key, "").strip()[:100] for key in FILTER_KEYS}
    return ServiceFilter(**values)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = selectors.service_search(filters, cursor=request.GET.get("cursor"), size=20)
    divisions = division_list(size=100).items
    departments = []
    if filters.division:
        division_get(filters.division)
        departments = department_list(division_code=filters.division, size=100).items
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "catalog/search.html",
        {
            "filters": filters,
            "page": page,
            "divisions": divisions,
            "departments": departments,
            "audiences": [(a.value, a.label) for a in (Audience.PERSON, Audience.LEGAL)],
            "bundles": selectors.bundle_list(),
            "base_query": params.urlencode(),
            "searched": any(getattr(filters, key) for key in FILTER_KEYS),
            "catalog_version": selectors.catalog_version(),
        },
    )


@require_safe
def guide(request: HttpRequest, code: str) -> HttpResponse:
    implementation = selectors.implementation_for(
        code, division_code=request.GET.get("division") or None
    )
    return render(
        request,
        "catalog/guide.html",
        {
            "impl": implementation,
            "item": implementation.item,
            "materials": selectors.materials_of(implementation),
            "divisions": selectors.implementation_divisions(code),
            "bundles": list(implementation.bundles.all()[:10]),
            "catalog_version": selectors.catalog_version(),
        },
    )


def safe_filename(name: str, suffix: str) -> str:
    """A download name without path separators or control characters."""
    cleaned = UNSAFE_FILENAME.sub("_", name).strip(" ._") or "form"
    return f"{cleaned[:80]}{suffix}"


@require_safe
def form_download(request: HttpRequest, code: str, material_id: int) -> FileResponse:
    material = selectors.material_get(code=code, material_id=material_id)
    suffix = PurePath(material.blank_form.name).suffix.lower()[:8]
    try:
        handle = material.blank_form.open("rb")
    except FileNotFoundError:
        raise NotFound(_("该表格文件暂时无法下载，请联系办理部门")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(material.name, suffix),
        content_type="text/plain; charset=utf-8" if suffix == ".txt" else None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def event(request: HttpRequest, slug: str) -> HttpResponse:
    bundle = selectors.bundle_get(slug)
    implementations = selectors.bundle_implementations(bundle)
    return render(
        request,
        "catalog/event.html",
        {
            "bundle": bundle,
            "implementations": implementations,
            "materials": selectors.bundle_materials(bundle),
            "total_promised": max((i.promised_limit for i in implementations), default=0),
            "fields": _form_fields(bundle.form_schema),
        },
    )


def _form_fields(schema: dict[str, Any]) -> list[tuple[str, bool]]:
    required = set(schema.get("required") or [])
    return [
        (str(spec.get("title", key)) if isinstance(spec, dict) else key, key in required)
        for key, spec in services.form_fields_in_order(schema)
    ]
