"""Open data pages (数据开放). Public: dataset search with facets, the dataset page with its
data dictionary and preview, downloads and the API guide; signed-in users: applications
for conditionally open data and their API keys. Workbench: data stewards publish
resources, withdraw datasets and decide applications. Thin: parse, call a service or
selector, render; every page works without JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.exchange.selectors import ResourceFilter, resource_search, steward_departments
from tongban.opendata import selectors, services
from tongban.opendata.models import Access, Frequency

PAGE_SIZE = 20
PREVIEW_ROWS = 20
FACETS = (
    ("organization", _lazy("提供部门")),
    ("groups", _lazy("主题")),
    ("tags", _lazy("标签")),
    ("res_format", _lazy("格式")),
    ("access", _lazy("开放类型")),
)
SORT_CHOICES = (
    ("", _lazy("相关度")),
    ("metadata_modified desc", _lazy("最近更新")),
    ("title_string asc", _lazy("名称")),
)


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10000 else 1


def _labels() -> dict[str, dict[str, str]]:
    return {
        "organization": {name: str(dep) for name, dep, _n in selectors.organizations()},
        "groups": {g.name: g.title for g, _n in selectors.groups()},
        "access": {k: str(v) for k, v in Access.choices},
    }


def _url(params: dict[str, list[str]]) -> str:
    pairs = [(k, v) for k, values in params.items() for v in values if v]
    return "?" + urlencode(pairs) if pairs else "?"


# ------------------------------------------------------------------------------ public


@require_safe
def dataset_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "").strip()
    if sort not in dict(SORT_CHOICES):
        sort = ""
    filters = {key: [v[:100] for v in request.GET.getlist(key)[:10] if v] for key, _label in FACETS}
    filters = {k: v for k, v in filters.items() if v}
    page = _page_number(request.GET.get("page", ""))
    result = selectors.dataset_search(
        q=q,
        filters=filters,
        sort=sort or ("" if q else "title_string asc"),
        rows=PAGE_SIZE,
        start=(page - 1) * PAGE_SIZE,
        facet_fields=[key for key, _label in FACETS],
    )
    params: dict[str, list[str]] = {"q": [q], "sort": [sort], **filters}
    labels = _labels()
    facets = []
    for key, label in FACETS:
        entries = []
        for value, count in list(result.facets.get(key, {}).items())[:30]:
            chosen = value in filters.get(key, [])
            values = (
                [v for v in filters.get(key, []) if v != value]
                if chosen
                else [
                    *filters.get(key, []),
                    value,
                ]
            )
            entries.append(
                {
                    "value": value,
                    "label": labels.get(key, {}).get(value, value),
                    "count": count,
                    "chosen": chosen,
                    "url": _url({**params, key: values}),
                }
            )
        facets.append({"key": key, "label": label, "entries": entries})
    pages = max(1, -(-result.count // PAGE_SIZE))
    return render(
        request,
        "opendata/search.html",
        {
            "q": q,
            "sort": sort,
            "sorts": SORT_CHOICES,
            "result": result,
            "facets": facets,
            "filters": [
                (key, value, labels.get(key, {}).get(value, value))
                for key, values in filters.items()
                for value in values
            ],
            "page": page,
            "pages": pages,
            "previous_url": _url({**params, "page": [str(page - 1)]}) if page > 1 else "",
            "next_url": _url({**params, "page": [str(page + 1)]}) if page < pages else "",
            "groups": selectors.groups(),
        },
    )


@require_safe
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get(name)
    allowed = selectors.may_access_data(request.user, dataset)
    total, preview = selectors.records_search(dataset, limit=PREVIEW_ROWS) if allowed else (0, [])
    keys = [str(f["id"]) for f in dataset.fields]
    return render(
        request,
        "opendata/dataset.html",
        {
            "d": dataset,
            "organization": selectors.organization_name(dataset.organization),
            "allowed": allowed,
            "total": total,
            "keys": keys,
            "preview": [[row.get(k) for k in keys] for row in preview],
            "distributions": list(dataset.distributions.all()),
            "application": selectors.application_of(request.user, dataset),
            "groups": list(dataset.groups.all()),
            "tags": list(dataset.tags.all()),
        },
    )


@login_required
@require_POST
def dataset_apply(request: HttpRequest, name: str) -> HttpResponse:
    try:
        services.application_submit(
            user=request.user,
            dataset_name=name,
            purpose=request.POST.get("purpose", "")[:2000],
            terms_accepted=request.POST.get("terms_accepted") == "on",
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已提交，提供部门审核后将通知您。"))
    return redirect("opendata:dataset", name=name)


@require_safe
def download(request: HttpRequest, distribution_id: str) -> HttpResponse:
    distribution = selectors.distribution_get(distribution_id)
    if not selectors.may_access_data(request.user, distribution.dataset):
        raise PermissionDenied(_("该数据集为有条件开放，申请获批后才能下载"))
    body, content_type, filename = selectors.distribution_file(distribution)
    services.download_record(distribution)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(body))
    return response


@require_safe
def api_guide(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    example = selectors.dataset_names()[:1]
    return render(
        request,
        "opendata/api.html",
        {"base": base, "example": example[0] if example else "dataset-name"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    created, plaintext, error = None, "", ""
    if request.method == "POST":
        try:
            created, plaintext = services.api_key_create(
                user=request.user, name=request.POST.get("name", "")[:200]
            )
        except ValidationFailed as exc:
            error = exc.message
    return render(
        request,
        "opendata/keys.html",
        {
            "keys": selectors.api_keys_of(request.user),
            "created": created,
            "plaintext": plaintext,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    services.api_key_revoke(user=request.user, key_id=key_id)
    messages.success(request, _("密钥已停用。"))
    return redirect("opendata:keys")


# --------------------------------------------------------------------------- workbench


def _departments(request: HttpRequest) -> list[int]:
    return steward_departments(request.user)


def _open_resources(departments: list[int]) -> list[Any]:
    found = []
    for department in departments[:20]:
        page = resource_search(ResourceFilter(department=str(department)), size=100)
        found += [r for r in page.items if r.open_type != "none"]
    return found


def _workbench_check(request: HttpRequest) -> list[int]:
    departments = _departments(request)
    if not departments and not getattr(request.user, "is_superuser", False):
        raise PermissionDenied(_("数据开放工作台仅供数据管理员使用"))
    return departments


@staff_only
@require_safe
def workbench(request: HttpRequest) -> HttpResponse:
    departments = _workbench_check(request)
    published = {d.resource_code: d for d in selectors.datasets_of_departments(departments)}
    return render(
        request,
        "opendata/workbench/index.html",
        {
            "resources": [(r, published.get(r.code)) for r in _open_resources(departments)],
            "datasets": list(published.values()),
            "applications": selectors.applications_pending(departments),
        },
    )


def _date(raw: str, field: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_date(raw) if len(raw) == 10 else None
    if value is None:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), field=field)
    return value


def _split(raw: str) -> list[str]:
    return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]


@staff_only
@require_http_methods(["GET", "POST"])
def workbench_publish(request: HttpRequest) -> HttpResponse:
    _workbench_check(request)
    source = request.POST if request.method == "POST" else request.GET
    names = [
        "resource_code",
        "name",
        "title",
        "notes",
        "tags",
        "license_id",
        "frequency",
        "contact_name",
        "contact_email",
        "temporal_start",
        "temporal_end",
        "terms",
    ]
    data = {k: source.get(k, "").strip()[:4000] for k in names}
    data["license_id"] = data["license_id"] or "CC-BY-4.0"
    chosen = source.getlist("groups")[:20]
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            dataset = services.dataset_publish(
                actor=request.user,
                resource_code=data["resource_code"],
                name=data["name"],
                title=data["title"],
                notes=data["notes"],
                groups=chosen,
                tags=_split(data["tags"]),
                license_id=data["license_id"],
                frequency=data["frequency"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                temporal_start=_date(data["temporal_start"], "temporal_start"),
                temporal_end=_date(data["temporal_end"], "temporal_end"),
                terms=data["terms"],
            )
        except DomainError as exc:
            errors[exc.field or "resource_code"] = exc.message
        else:
            messages.success(request, _("数据集已开放。"))
            return redirect(reverse("opendata:dataset", args=[dataset.name]))
    return render(
        request,
        "opendata/workbench/publish.html",
        {
            "data": data,
            "errors": errors,
            "groups": [(g, g.name in chosen) for g, _n in selectors.groups()],
            "licenses": services.LICENSES,
            "frequencies": Frequency.choices,
        },
        status=422 if errors else 200,
    )


@staff_only
@require_POST
def workbench_withdraw(request: HttpRequest, name: str) -> HttpResponse:
    try:
        services.dataset_withdraw(
            actor=request.user, name=name, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("数据集已撤回。"))
    return redirect("workbench_opendata:index")


@staff_only
@require_POST
def workbench_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        services.application_decide(
            actor=request.user,
            application_id=application_id,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核。"))
    return redirect("workbench_opendata:index")
