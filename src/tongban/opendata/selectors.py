"""Reads of open data: dataset search with facets, organisations, themes, tags, the
datastore snapshot, generated files, access checks and API keys."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jieba
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core.crypto import lookup_hash
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.tabular import csv_bytes, xlsx_bytes
from tongban.exchange.selectors import steward_departments
from tongban.opendata.models import (
    AccessApplication,
    ApiKey,
    ApplicationStatus,
    Dataset,
    DatasetState,
    Distribution,
    Group,
    Record,
    Tag,
)
from tongban.org.selectors import department_by_code

MAX_ROWS = 1000
MAX_QUERY_WORDS = 10
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "access")
SORTS = ("score desc", "metadata_modified desc", "name asc", "title_string asc")
DEFAULT_SORT = "score desc, metadata_modified desc"
CONTENT_TYPES = {
    "CSV": "text/csv; charset=utf-8",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_STOP = frozenset(["的", "和", "与", "及", "或", "之", "了", "在", "是"])
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


# ---------------------------------------------------------------------------- datasets


def _active() -> QuerySet[Dataset]:
    return Dataset.objects.filter(state=DatasetState.ACTIVE).select_related(
        "organization__division", "spatial"
    )


def dataset_get(name_or_id: str) -> Dataset:
    """An active dataset by its name or by its id."""
    value = str(name_or_id or "").strip()
    qs = _active()
    found = qs.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or qs.filter(name=value[:100]).first()
    if found is None:
        raise NotFound(_("数据集不存在或已撤回"), field="id")
    return found


def dataset_get_any(name: str) -> Dataset:
    """A dataset by name whatever its state (staff pages)."""
    found = (
        Dataset.objects.select_related("organization__division", "spatial")
        .filter(name=str(name)[:100])
        .first()
    )
    if found is None:
        raise NotFound(_("数据集不存在"), field="name")
    return found


def dataset_names() -> list[str]:
    return list(_active().order_by("name").values_list("name", flat=True))


def datasets_of_departments(department_ids: list[int], *, limit: int = 500) -> list[Dataset]:
    """Datasets (any state) published by the given departments, for stewards."""
    return list(
        Dataset.objects.filter(organization_id__in=department_ids)
        .select_related("organization__division")
        .order_by("-modified")[:limit]
    )


# ------------------------------------------------------------------------------ search


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def query_words(q: str) -> list[str]:
    """The words of a query (jieba for Chinese); every one must match (AND)."""
    words: list[str] = []
    for phrase in _WORD.findall((q or "").lower()):
        for word in _tokenizer().cut(phrase):
            word = word.strip()
            if word and word not in _STOP:
                words.append(word)
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def _word_condition(word: str) -> Q:
    tagged = Dataset.tags.through.objects.filter(tag__name__icontains=word).values("dataset_id")
    return (
        Q(title__icontains=word)
        | Q(notes__icontains=word)
        | Q(name__icontains=word)
        | Q(pk__in=tagged)
    )


def _score(dataset: Dataset, words: list[str], tag_names: list[str]) -> int:
    title, notes = dataset.title.lower(), dataset.notes.lower()
    tags = " ".join(tag_names).lower()
    score = 0
    for word in words:
        score += 10 if word in title else 0
        score += 5 if word in tags else 0
        score += 1 if word in notes else 0
    return score


def organization_name(department: Any) -> str:
    """The CKAN organisation name of a department, e.g. ``420100-rsj``."""
    return f"{department.division_id}-{department.code}"


@dataclass
class SearchResult:
    count: int
    results: list[Dataset]
    facets: dict[str, dict[str, int]]


def _values(dataset: Dataset, key: str) -> list[str]:
    if key == "organization":
        return [organization_name(dataset.organization)]
    if key == "groups":
        return [g.name for g in dataset.groups.all()]
    if key == "tags":
        return [t.name for t in dataset.tags.all()]
    if key == "res_format":
        return sorted({d.format for d in dataset.distributions.all()})
    if key == "license_id":
        return [dataset.license_id]
    if key == "access":
        return [dataset.access]
    return []


def _sort_keys(sort: str) -> list[str]:
    text = (sort or "").strip().lower() or DEFAULT_SORT
    keys = [" ".join(part.split()) for part in text.split(",") if part.strip()]
    for key in keys:
        if key not in SORTS:
            raise ValidationFailed(
                _("不支持的排序方式：%(sort)s，可用：%(all)s")
                % {"sort": key, "all": "、".join(SORTS)},
                field="sort",
            )
    return keys


def dataset_search(
    *,
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: list[str] | None = None,
) -> SearchResult:
    """Active datasets matching every word of ``q`` (title, notes, name, tags) and every
    filter (values of one key are ORed), with facet counts over all matches."""
    if not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
        raise ValidationFailed(_("rows 应在 0 到 %(max)s 之间") % {"max": MAX_ROWS}, field="rows")
    if not isinstance(start, int) or start < 0:
        raise ValidationFailed(_("start 不能为负数"), field="start")
    sort_keys = _sort_keys(sort)
    fields = list(FACET_FIELDS if facet_fields is None else facet_fields)
    for key in [*fields, *(filters or {})]:
        if key not in FACET_FIELDS:
            raise ValidationFailed(_("不支持的字段：%(key)s") % {"key": key}, field=str(key)[:40])
    qs = _active()
    text = (q or "").strip()
    words = [] if text in ("*:*", "*") else query_words(text)
    for word in words:
        qs = qs.filter(_word_condition(word))
    qs = qs.prefetch_related("groups", "tags", "distributions")
    found = list(qs[:10000])
    for key, values in (filters or {}).items():
        wanted = {str(v) for v in values}
        if wanted:
            found = [d for d in found if wanted & set(_values(d, key))]
    facets: dict[str, dict[str, int]] = {}
    for key in fields:
        counter: Counter[str] = Counter()
        for dataset in found:
            counter.update(_values(dataset, key))
        facets[key] = dict(counter.most_common())
    scores = {d.pk: _score(d, words, _values(d, "tags")) for d in found}
    for key in reversed(sort_keys):
        if key == "score desc":
            found.sort(key=lambda d: scores[d.pk], reverse=True)
        elif key == "metadata_modified desc":
            found.sort(key=lambda d: d.modified, reverse=True)
        elif key == "name asc":
            found.sort(key=lambda d: d.name)
        else:
            found.sort(key=lambda d: d.title)
    return SearchResult(len(found), found[start : start + rows], facets)


# ------------------------------------------------------------------------ organisations


def organizations() -> list[tuple[str, Any, int]]:
    """(name, department, active dataset count) of departments that open datasets."""
    rows = _active().values("organization_id").annotate(n=Count("id")).order_by("organization_id")
    counts = {row["organization_id"]: row["n"] for row in rows}
    departments = {
        d.organization_id: d.organization
        for d in _active().filter(organization_id__in=list(counts))
    }
    result = [(organization_name(dep), dep, counts[pk]) for pk, dep in departments.items()]
    return sorted(result, key=lambda r: r[0])


def organization_get(name: str) -> Any:
    division, _sep, code = str(name or "").partition("-")
    department = department_by_code(division_code=division[:6], code=code[:40]) if code else None
    if department is None or not _active().filter(organization=department).exists():
        raise NotFound(_("组织机构不存在"), field="id")
    return department


# ------------------------------------------------------------------------- groups, tags


def groups() -> list[tuple[Group, int]]:
    rows = Group.objects.annotate(
        n=Count("datasets", filter=Q(datasets__state=DatasetState.ACTIVE))
    ).order_by("name")
    return [(g, int(g.n)) for g in rows]


def group_get(name: str) -> Group:
    found = Group.objects.filter(name=str(name or "")[:100]).first()
    if found is None:
        raise NotFound(_("主题不存在"), field="id")
    return found


def tags() -> list[tuple[str, int]]:
    rows = (
        Tag.objects.annotate(n=Count("datasets", filter=Q(datasets__state=DatasetState.ACTIVE)))
        .filter(n__gt=0)
        .order_by("name")
    )
    return [(t.name, int(t.n)) for t in rows]


# ------------------------------------------------------------------------ distributions


def distribution_get(id: str) -> Distribution:
    try:
        pk = uuid.UUID(str(id))
    except ValueError:
        raise NotFound(_("数据文件不存在"), field="id") from None
    found = (
        Distribution.objects.select_related("dataset__organization__division")
        .filter(pk=pk, dataset__state=DatasetState.ACTIVE)
        .first()
    )
    if found is None:
        raise NotFound(_("数据文件不存在"), field="id")
    return found


def may_access_data(user: Any, dataset: Dataset) -> bool:
    """Open data is for everyone; conditional data for applicants with an approved
    application, the providing department's data steward and administrators."""
    if dataset.access == "open":
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    if dataset.organization_id in steward_departments(user):
        return True
    return AccessApplication.objects.filter(
        dataset=dataset, applicant=user, status=ApplicationStatus.APPROVED
    ).exists()


def application_of(user: Any, dataset: Dataset) -> AccessApplication | None:
    """The user's latest application for the dataset, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return AccessApplication.objects.filter(dataset=dataset, applicant=user).first()


def applications_pending(department_ids: list[int], *, limit: int = 200) -> list[AccessApplication]:
    return list(
        AccessApplication.objects.filter(
            dataset__organization_id__in=department_ids, status=ApplicationStatus.PENDING
        )
        .select_related("dataset", "applicant")
        .order_by("created")[:limit]
    )


def application_get(application_id: int) -> AccessApplication:
    found = (
        AccessApplication.objects.select_related("dataset", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotFound(_("开放申请不存在"), field="id")
    return found


# ---------------------------------------------------------------------------- datastore


def _typed(field: dict[str, Any], raw: str) -> Any:
    kind = field.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        raise ValidationFailed(
            _("%(field)s 的值应为数字") % {"field": field["id"]}, field=str(field["id"])
        ) from None
    return raw


def records_search(
    dataset: Dataset,
    *,
    q: str = "",
    filters: dict[str, str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """(total, rows) of the dataset's snapshot matching every word of ``q`` (any value)
    and every filter (exact value of a field), in row order; each row carries its row
    number (from 1) as ``_id``, as CKAN's datastore does."""
    if not isinstance(limit, int) or not 0 <= limit <= 32000:
        raise ValidationFailed(_("limit 应在 0 到 32000 之间"), field="limit")
    if not isinstance(offset, int) or offset < 0:
        raise ValidationFailed(_("offset 不能为负数"), field="offset")
    by_id = {str(f["id"]): f for f in dataset.fields}
    qs = Record.objects.filter(dataset=dataset)
    for word in (q or "").lower().split()[:MAX_QUERY_WORDS]:
        qs = qs.filter(text__contains=word)
    for key, value in (filters or {}).items():
        if key not in by_id:
            raise ValidationFailed(_("数据集没有字段：%(key)s") % {"key": key}, field=str(key)[:64])
        qs = qs.filter(**{f"data__{key}": _typed(by_id[key], str(value))})
    total = qs.count()
    page = qs.order_by("row").values_list("row", "data")[offset : offset + limit]
    return total, [{"_id": row, **data} for row, data in page]


def records_all(dataset: Dataset) -> list[dict[str, Any]]:
    return list(
        Record.objects.filter(dataset=dataset).order_by("row").values_list("data", flat=True)
    )


def render_file(fields: list[dict[str, Any]], rows: list[dict[str, Any]], fmt: str) -> bytes:
    """The bytes of a dataset file: CSV (UTF-8 with BOM), JSON (a list of objects) or
    XLSX; the header row holds the field ids."""
    keys = [str(f["id"]) for f in fields]
    if fmt == "CSV":
        return csv_bytes(keys, ([row.get(k) for k in keys] for row in rows))
    if fmt == "JSON":
        data = [{k: row.get(k) for k in keys} for row in rows]
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    if fmt == "XLSX":
        return xlsx_bytes(keys, ([row.get(k) for k in keys] for row in rows))
    raise ValidationFailed(_("不支持的格式"), field="format")


def distribution_file(distribution: Distribution) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of a distribution, generated from the snapshot."""
    dataset = distribution.dataset
    fmt = distribution.format
    body = render_file(dataset.fields, records_all(dataset), fmt)
    return body, CONTENT_TYPES[fmt], f"{dataset.name}.{fmt.lower()}"


# ----------------------------------------------------------------------------- API keys


def api_key_from_header(raw: str) -> ApiKey | None:
    """The active API key given in an ``Authorization`` header (the bare key, as CKAN
    clients send it, or ``Bearer <key>``), or None."""
    value = str(raw or "").strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    if not value or len(value) > 200:
        return None
    return (
        ApiKey.objects.select_related("owner")
        .filter(key_hash=lookup_hash(value), active=True)
        .first()
    )


def api_keys_of(user: Any, *, limit: int = 100) -> list[ApiKey]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ApiKey.objects.filter(owner=user).order_by("-created")[:limit])


def dataset_for_resource(resource_code: str) -> Dataset | None:
    """The dataset (any state) published from a resource, if any."""
    return Dataset.objects.filter(resource_code=resource_code).first()
