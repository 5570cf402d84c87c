"""The CKAN Action API v3 (CKAN 兼容接口): read-only actions at ``/api/3/action/<name>``
(and ``/api/action/<name>``) answered in CKAN 2.10's envelope and error shapes, so that
tools built for CKAN (ckanapi, harvesters, notebooks) work unchanged.

Plain Django views, not django-ninja: CKAN's envelope, its error bodies and its
GET-params-or-JSON-body calling convention differ from the project's API conventions.
Thin like every entry point: parse, call selectors, serialise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.throttling import ClientRateThrottle
from tongban.opendata import selectors, services

CKAN_VERSION = "2.10.4"
MAX_ROWS = 1000  # package_search rows, organization/group lists
MAX_START = 100_000
MAX_Q = 200
DATASTORE_DEFAULT_LIMIT = 100
DATASTORE_MAX_LIMIT = 1000
DATASTORE_MAX_OFFSET = 10_000_000
MAX_FACET_LIMIT = 1000
FQ_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "access")
FACET_FIELDS = FQ_FIELDS
# Terms CKAN clients add that hold for every dataset here (public, active datasets only).
FQ_ALWAYS = {("dataset_type", "dataset"), ("state", "active"), ("capacity", "public")}
DEFAULT_SORT = "score desc, metadata_modified desc"

LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "ODC-BY-1.0": (
        "Open Data Commons Attribution License",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}
MIMETYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The item data types a dataset's fields may declare, as CKAN datastore column types.
DATASTORE_TYPES = {
    "int": "int",
    "integer": "int",
    "number": "numeric",
    "numeric": "numeric",
    "decimal": "numeric",
    "float": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "timestamp": "timestamp",
    "bool": "bool",
    "boolean": "bool",
}


# ------------------------------------------------------------------------------ errors


class CkanError(Exception):
    """An error answered in CKAN's shape: ``error`` is the body's error object."""

    def __init__(self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error
        self.headers = headers or {}


def _not_found(detail: str = "") -> CkanError:
    message = "Not found" + (f": {detail}" if detail else "")
    return CkanError(404, {"__type": "Not Found Error", "message": message})


def _denied(detail: str = "") -> CkanError:
    message = "Access denied" + (f": {detail}" if detail else "")
    return CkanError(403, {"__type": "Authorization Error", "message": message})


def _invalid(field_name: str, message: str) -> CkanError:
    return CkanError(409, {"__type": "Validation Error", field_name: [message]})


def _query_error(message: str) -> CkanError:
    return CkanError(
        400, {"__type": "Search Query Error", "message": f"Search Query is invalid: {message}"}
    )


def _from_domain(exc: DomainError) -> CkanError:
    if isinstance(exc, NotFound):
        return _not_found(exc.message)
    if isinstance(exc, PermissionDenied):
        return _denied(exc.message)
    if isinstance(exc, ValidationFailed):
        return _invalid(exc.field or "__all__", exc.message)
    return CkanError(exc.status, {"__type": "Validation Error", "__all__": [exc.message]})


class BadRequest(Exception):
    """CKAN's 400: the body is a bare JSON string, "Bad request - <detail>"."""


# ------------------------------------------------------------------------------ parameters


@dataclass
class Call:
    """One action call: the parsed parameters and who makes it."""

    request: HttpRequest
    name: str
    data: dict[str, Any]
    user: Any = field(default_factory=AnonymousUser)

    def text(self, key: str, default: str = "", *, max_length: int = 200) -> str:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, list):
            value = value[0] if value else default
        if not isinstance(value, str | int | float):
            raise _invalid(key, _("必须是字符串"))
        text = str(value).strip()
        if len(text) > max_length:
            raise _invalid(key, _("长度不能超过 %(n)s 个字符") % {"n": max_length})
        return text

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise _invalid(key, _("缺少必填参数"))
        return value

    def integer(
        self, key: str, default: int, *, maximum: int | None = None, clamp: bool = False
    ) -> int:
        raw = self.data.get(key)
        if raw is None or raw == "":
            return default
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        if isinstance(raw, bool):
            raise _invalid(key, _("必须是非负整数"))
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise _invalid(key, _("必须是非负整数")) from None
        if number < 0:
            raise _invalid(key, _("必须是非负整数"))
        if maximum is not None and number > maximum:
            if clamp:
                return maximum
            raise _invalid(key, _("不能大于 %(n)s") % {"n": maximum})
        return number

    def boolean(self, key: str, default: bool = False) -> bool:
        raw = self.data.get(key)
        if raw is None or raw == "":
            return default
        if isinstance(raw, bool):
            return raw
        text = str(raw[0] if isinstance(raw, list) and raw else raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise _invalid(key, _("必须是 true 或 false"))

    def json_value(self, key: str) -> Any:
        """A parameter that is JSON in a query string and a plain value in a JSON body."""
        raw = self.data.get(key)
        if isinstance(raw, str):
            if len(raw) > 10_000:
                raise _invalid(key, _("参数过长"))
            try:
                return json.loads(raw)
            except ValueError:
                raise _invalid(key, _("不是有效的 JSON")) from None
        return raw

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


def _request_data(request: HttpRequest) -> dict[str, Any]:
    """Parameters as CKAN reads them: the query string of a GET, the JSON (or form) body of
    a POST. Repeated query parameters become lists."""

    def mixed(values: Any) -> dict[str, Any]:
        return {key: items[0] if len(items) == 1 else items for key, items in values.lists()}

    if request.method == "GET":
        return mixed(request.GET)
    try:
        body = request.body
    except RequestDataTooBig:
        raise BadRequest(_("请求体过大")) from None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.POST
        values = list(form.values())
        if len(form) == 1 and values[0] in ("1", "") and next(iter(form)).startswith("{"):
            # Old CKAN clients post the JSON document as the only form key.
            try:
                data: Any = json.loads(next(iter(form.keys())))
            except ValueError as exc:
                raise BadRequest(f"JSON Error: {exc}") from None
        else:
            data = mixed(form)
    elif body.strip():
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {exc}") from None
    else:
        data = {}
    if not isinstance(data, dict):
        raise BadRequest(
            f"JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary."
        )
    return data


# ------------------------------------------------------------------------------ callers, limits


def _api_key(request: HttpRequest) -> Any:
    """The ApiKey the request carries (``Authorization`` or ``X-CKAN-API-Key``), None for
    anonymous callers; an unknown or revoked key is refused, never silently downgraded."""
    raw = request.headers.get("X-CKAN-API-Key") or request.headers.get("Authorization") or ""
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) > 200:
        raise _denied(_("接口密钥无效"))
    key = selectors.api_key_from_header(raw)
    if key is None:
        raise _denied(_("接口密钥无效"))
    return key


class _KeyRateThrottle(ClientRateThrottle):
    """Counts one API key's calls at the key's own rate, wherever they come from."""

    def __init__(self, key: Any):
        super().__init__("ckan-key", f"{int(key.rate_per_minute)}/m")
        self.ident = f"key-{key.pk}"

    def get_ident(self, request: HttpRequest) -> str | None:
        return self.ident


def _rate_check(request: HttpRequest, key: Any) -> None:
    """Per API key at its own rate, else per client address (``TONGBAN_RATE_CKAN``)."""
    throttle = (
        _KeyRateThrottle(key)
        if key is not None
        else ClientRateThrottle("ckan", settings.TONGBAN_RATE_CKAN)
    )
    if not throttle.allow_request(request):
        raise CkanError(
            429,
            {
                "__type": "Rate Limit Error",
                "message": "Too many requests: " + _("调用过于频繁，请稍后再试"),
            },
            {"Retry-After": str(max(1, int(throttle.wait() or 1)))},
        )


# ------------------------------------------------------------------------------ dictization


def _timestamp(value: datetime | None) -> str | None:
    """CKAN's timestamps: UTC, ISO 8601, no offset."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def _iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _organization(dept: Any, *, count: int | None = None) -> dict[str, Any]:
    title = f"{dept.division.name}{dept.name}"
    result: dict[str, Any] = {
        "id": str(dept.pk),
        "name": selectors.organization_name(dept),
        "title": title,
        "display_name": title,
        "description": "",
        "image_url": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
    }
    if count is not None:
        result["package_count"] = count
    return result


def _group(group: Any, *, count: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": str(group.pk),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "image_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
    }
    if count is not None:
        result["package_count"] = count
    return result


def _tag(tag: Any) -> dict[str, Any]:
    return {
        "id": str(tag.pk),
        "name": tag.name,
        "display_name": tag.name,
        "state": "active",
        "vocabulary_id": None,
    }


def _resource(call: Call, dist: Any, dataset: Any, position: int) -> dict[str, Any]:
    return {
        "id": str(dist.pk),
        "package_id": str(dataset.pk),
        "name": f"{dataset.title} ({dist.format})",
        "description": "",
        "format": dist.format,
        "url": call.absolute(f"/data/download/{dist.pk}/"),
        "url_type": None,
        "size": dist.size,
        "mimetype": MIMETYPES.get(dist.format, "application/octet-stream"),
        "hash": "",
        "datastore_active": True,
        "created": _timestamp(dataset.issued or dataset.created),
        "last_modified": _timestamp(dist.modified),
        "metadata_modified": _timestamp(dist.modified),
        "position": position,
        "state": "active",
        "download_count": dist.download_count,
    }


def _prefetch(datasets: list[Any]) -> None:
    prefetch_related_objects(
        datasets, "organization__division", "spatial", "groups", "tags", "distributions"
    )


def _package(call: Call, ds: Any) -> dict[str, Any]:
    """A dataset as CKAN's package dict (call ``_prefetch`` on lists first)."""
    license_title, license_url = LICENSES.get(ds.license_id, (ds.license_id, ""))
    org = _organization(ds.organization)
    tags = [_tag(t) for t in ds.tags.all()]
    groups = [
        {
            "id": str(g.pk),
            "name": g.name,
            "title": g.title,
            "display_name": g.title,
            "description": g.description,
            "image_display_url": "",
        }
        for g in ds.groups.all()
    ]
    resources = [_resource(call, d, ds, i) for i, d in enumerate(ds.distributions.all())]
    temporal = ""
    if ds.temporal_start or ds.temporal_end:
        temporal = f"{_iso_date(ds.temporal_start)}/{_iso_date(ds.temporal_end)}"
    extras = [
        ("frequency", ds.frequency),
        ("spatial", ds.spatial.name),
        ("spatial_code", ds.spatial.code),
        ("temporal", temporal),
        ("access", ds.access),
        ("terms", ds.terms),
        ("contact", ds.contact_name),
        ("contact_email", ds.contact_email),
        ("source_resource_code", ds.resource_code),
    ]
    return {
        "id": str(ds.pk),
        "name": ds.name,
        "title": ds.title,
        "notes": ds.notes,
        "url": call.absolute(reverse("opendata:dataset", args=[ds.name])),
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": ds.access == "open",
        "license_id": ds.license_id,
        "license_title": license_title,
        "license_url": license_url,
        "author": org["title"],
        "author_email": "",
        "maintainer": ds.contact_name,
        "maintainer_email": ds.contact_email,
        "version": "",
        "metadata_created": _timestamp(ds.created),
        "metadata_modified": _timestamp(ds.modified),
        "creator_user_id": None,
        "owner_org": org["id"],
        "organization": org,
        "groups": groups,
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras if v],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# ------------------------------------------------------------------------------ search params


_FQ_TERM = re.compile(r'\s*([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|[^\s"]+)\s*')


def _parse_fq(fq: str) -> dict[str, list[str]]:
    """Solr-style filter queries as CKAN clients send them: ``organization:rsj``,
    ``tags:"社会保障" AND res_format:CSV`` (space or AND separated, values optionally
    quoted). Only the fields of ``FQ_FIELDS``; anything else is a search query error."""
    filters: dict[str, list[str]] = {}
    position = 0
    text = fq.strip()
    while position < len(text):
        conjunction = re.match(r"\s*(AND|&&)\s+", text[position:])
        if conjunction and position:
            position += conjunction.end()
            continue
        match = _FQ_TERM.match(text, position)
        if not match or match.group(1) == "-":
            raise _query_error(_("不支持的筛选条件：%(fq)s") % {"fq": text[position:][:50]})
        name, value = match.group(2), match.group(3)
        position = match.end()
        if (name, value.strip('"')) in FQ_ALWAYS:
            continue
        if name not in FQ_FIELDS:
            raise _query_error(_("不支持按 %(field)s 筛选") % {"field": name[:50]})
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        filters.setdefault(name, []).append(value)
    return filters


def _parse_sort(raw: str) -> str:
    """The sort clauses, normalised (the selector says which it supports)."""
    clauses = [" ".join(clause.split()).lower() for clause in raw.split(",")]
    return ", ".join(clause for clause in clauses if clause) or DEFAULT_SORT


def _facet_fields(call: Call) -> list[str]:
    raw = call.json_value("facet.field")
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _invalid("facet.field", _("必须是字段名的 JSON 列表"))
    unknown = [item for item in raw if item not in FACET_FIELDS]
    if unknown:
        raise _invalid("facet.field", _("不支持的分面：%(f)s") % {"f": ", ".join(unknown)[:100]})
    return list(dict.fromkeys(raw))


# ------------------------------------------------------------------------------ actions

ACTIONS: dict[str, Callable[[Call], Any]] = {}


def _action(function: Callable[[Call], Any]) -> Callable[[Call], Any]:
    ACTIONS[function.__name__.removeprefix("action_")] = function
    return function


@_action
def action_help_show(call: Call) -> str:
    """Return the help string for a particular API action.

    :param name: action function name (e.g. ``package_search``)
    """
    name = call.required("name")
    function = ACTIONS.get(name)
    if function is None:
        raise _not_found(_("接口 %(name)s 不存在") % {"name": name[:50]})
    return (function.__doc__ or "").strip()


@_action
def action_status_show(call: Call) -> dict[str, Any]:
    """Return a dictionary with information about the site's configuration."""
    return {
        "site_title": _("一网通办开放数据"),
        "site_description": _("政府开放数据集，兼容 CKAN 接口与 DCAT 元数据"),
        "site_url": call.absolute("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


@_action
def action_site_read(call: Call) -> bool:
    """Return ``True``: the caller may read the site."""
    return True


@_action
def action_package_list(call: Call) -> list[str]:
    """Return the names of the site's public datasets.

    :param limit: at most this many names (optional)
    :param offset: skip this many names when ``limit`` is given (optional)
    """
    limit = call.integer("limit", 0)
    offset = call.integer("offset", 0)
    names = selectors.dataset_names()
    if limit:
        return list(names[offset : offset + limit])
    return list(names[offset:])


@_action
def action_package_show(call: Call) -> dict[str, Any]:
    """Return the metadata of a dataset (package) and its resources.

    :param id: the id or name of the dataset
    """
    dataset = selectors.dataset_get(call.required("id"))
    _prefetch([dataset])
    return _package(call, dataset)


@_action
def action_package_search(call: Call) -> dict[str, Any]:
    """Search for datasets.

    :param q: the search text (optional)
    :param fq: filter query, e.g. ``organization:rsj tags:"社保"`` on organization, groups,
        tags, res_format and license_id (optional)
    :param rows: results per page (default 10, at most 1000)
    :param start: offset of the first result (default 0, at most 100000)
    :param sort: e.g. ``metadata_modified desc`` or ``name asc`` (optional)
    :param facet.field: JSON list of fields to facet on (optional)
    :param facet.limit: values per facet (default 50; -1 for all, up to 1000)
    """
    q = call.text("q", max_length=MAX_Q)
    if q in ("*:*", "*"):
        q = ""
    fq = call.text("fq", max_length=1000)
    filters = _parse_fq(fq) if fq else {}
    sort = _parse_sort(call.text("sort", max_length=200))
    rows = call.integer("rows", 10, maximum=MAX_ROWS, clamp=True)
    start = call.integer("start", 0, maximum=MAX_START)
    facet_fields = _facet_fields(call) if call.boolean("facet", True) else []
    raw_limit = call.data.get("facet.limit")
    facet_limit = 50
    if raw_limit not in (None, ""):
        try:
            facet_limit = int(str(raw_limit).strip())
        except ValueError:
            raise _invalid("facet.limit", _("必须是整数")) from None
    if facet_limit < 0 or facet_limit > MAX_FACET_LIMIT:
        facet_limit = MAX_FACET_LIMIT
    found = selectors.dataset_search(
        q=q, filters=filters, sort=sort, rows=rows, start=start, facet_fields=facet_fields
    )
    results = list(found.results)
    _prefetch(results)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    titles = _facet_titles(facet_fields)
    for name in facet_fields:
        counts = found.facets.get(name, {})
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:facet_limit]
        facets[name] = dict(ordered)
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": titles.get(name, {}).get(value, value), "count": n}
                for value, n in ordered
            ],
        }
    return {
        "count": found.count,
        "sort": sort,
        "results": [_package(call, ds) for ds in results],
        "facets": facets,
        "search_facets": search_facets,
    }


def _facet_titles(facet_fields: list[str]) -> dict[str, dict[str, str]]:
    """Display names of facet values: organisations' and groups' titles."""
    titles: dict[str, dict[str, str]] = {}
    if "organization" in facet_fields:
        titles["organization"] = {
            name: f"{dept.division.name}{dept.name}"
            for name, dept, _count in selectors.organizations()
        }
    if "groups" in facet_fields:
        titles["groups"] = {group.name: group.title for group, _count in selectors.groups()}
    return titles


def _page(call: Call, default: int = MAX_ROWS) -> tuple[int, int]:
    limit = call.integer("limit", default, maximum=MAX_ROWS, clamp=True)
    offset = call.integer("offset", 0, maximum=MAX_START)
    return limit, offset


def _datasets_of(call: Call, field_name: str, value: str) -> list[dict[str, Any]]:
    rows = call.integer("datasets_limit", 100, maximum=MAX_ROWS, clamp=True)
    found = selectors.dataset_search(
        q="", filters={field_name: [value]}, sort="name asc", rows=rows, start=0, facet_fields=[]
    )
    results = list(found.results)
    _prefetch(results)
    return [_package(call, ds) for ds in results]


@_action
def action_organization_list(call: Call) -> list[Any]:
    """Return the organizations (providing departments) that publish datasets.

    :param all_fields: full dictionaries instead of names (default false)
    :param limit: at most this many (default and maximum 1000)
    :param offset: skip this many (optional)
    """
    limit, offset = _page(call)
    rows = list(selectors.organizations())[offset : offset + limit]
    if not call.boolean("all_fields"):
        return [name for name, _dept, _count in rows]
    prefetch_related_objects([dept for _name, dept, _count in rows], "division")
    return [_organization(dept, count=count) for _name, dept, count in rows]


@_action
def action_organization_show(call: Call) -> dict[str, Any]:
    """Return an organization (providing department).

    :param id: the organization's name or id
    :param include_datasets: include its datasets (default false)
    :param datasets_limit: at most this many datasets (default 100)
    """
    wanted = call.required("id")
    for name, dept, count in selectors.organizations():
        if wanted in (name, str(dept.pk)):
            result = _organization(dept, count=count)
            if call.boolean("include_datasets"):
                result["packages"] = _datasets_of(call, "organization", name)
            return result
    raise _not_found(_("组织机构不存在"))


@_action
def action_group_list(call: Call) -> list[Any]:
    """Return the groups (themes).

    :param all_fields: full dictionaries instead of names (default false)
    :param limit: at most this many (default and maximum 1000)
    :param offset: skip this many (optional)
    """
    limit, offset = _page(call)
    rows = list(selectors.groups())[offset : offset + limit]
    if not call.boolean("all_fields"):
        return [group.name for group, _count in rows]
    return [_group(group, count=count) for group, count in rows]


@_action
def action_group_show(call: Call) -> dict[str, Any]:
    """Return a group (theme).

    :param id: the group's name or id
    :param include_datasets: include its datasets (default false)
    """
    wanted = call.required("id")
    for group, count in selectors.groups():
        if wanted in (group.name, str(group.pk)):
            result = _group(group, count=count)
            if call.boolean("include_datasets"):
                result["packages"] = _datasets_of(call, "groups", group.name)
            return result
    raise _not_found(_("主题不存在"))


@_action
def action_tag_list(call: Call) -> list[Any]:
    """Return the tags of public datasets.

    :param query: only tags containing this text (optional)
    :param all_fields: tag dictionaries instead of names (default false)
    """
    query = call.text("query", max_length=100)
    all_fields = call.boolean("all_fields")
    rows = [(name, count) for name, count in selectors.tags() if query in name]
    if all_fields:
        return [
            {"name": name, "display_name": name, "vocabulary_id": None, "package_count": count}
            for name, count in rows
        ]
    return [name for name, _count in rows]


@_action
def action_resource_show(call: Call) -> dict[str, Any]:
    """Return the metadata of a resource (a dataset's download in one format).

    :param id: the resource id
    """
    dist = _distribution(call.required("id"))
    dataset = dist.dataset
    _prefetch([dataset])
    for position, item in enumerate(dataset.distributions.all()):
        if item.pk == dist.pk:
            return _resource(call, item, dataset, position)
    raise _not_found(_("数据文件不存在"))


def _distribution(raw: str) -> Any:
    if not re.fullmatch(r"[0-9a-fA-F-]{32,36}", raw):
        raise _not_found(_("数据文件不存在"))
    return selectors.distribution_get(raw)


@_action
def action_datastore_search(call: Call) -> dict[str, Any]:
    """Search the rows of a tabular resource.

    :param resource_id: the resource id
    :param q: full text to find in any column (optional)
    :param filters: JSON object of column -> value or list of values (optional)
    :param fields: the columns to return, comma separated or a list (optional)
    :param limit: rows per page (default 100, at most 1000)
    :param offset: rows to skip (optional)
    :param include_total: return the total (default true)
    """
    resource_id = call.required("resource_id")
    dist = _distribution(resource_id)
    dataset = dist.dataset
    if not selectors.may_access_data(call.user, dataset):
        raise _denied(_("该数据集为有条件开放，请先申请并获得同意"))
    columns = _columns(dataset)
    known = {column["id"] for column in columns}
    raw_q = call.data.get("q")
    if isinstance(raw_q, dict):  # CKAN's per-column form: any column may match
        raw_q = " ".join(str(value) for value in raw_q.values())
    q = Call(request=call.request, name=call.name, data={"q": raw_q}).text("q", max_length=MAX_Q)
    filters = _datastore_filters(call, known)
    wanted = _datastore_fields(call, columns)
    limit = call.integer("limit", DATASTORE_DEFAULT_LIMIT, maximum=DATASTORE_MAX_LIMIT, clamp=True)
    offset = call.integer("offset", 0, maximum=DATASTORE_MAX_OFFSET)
    total, rows = selectors.records_search(
        dataset, q=q, filters=filters, limit=limit, offset=offset
    )
    records = []
    for position, row in enumerate(rows, start=offset + 1):
        data = dict(row)
        # The snapshot's row number when the selector gives it, else the position.
        record: dict[str, Any] = {"_id": int(data.pop("_id", position))}
        record.update({name: data.get(name) for name in wanted if name != "_id"})
        records.append(record)
    base = call.request.path
    params = {key: value for key, value in call.data.items() if key not in ("offset", "callback")}
    params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
    result: dict[str, Any] = {
        "resource_id": str(dist.pk),
        "fields": [c for c in ([{"id": "_id", "type": "int"}, *columns]) if c["id"] in wanted],
        "records": records,
        "limit": limit,
        "offset": offset,
        "total": total,
        "_links": {
            "start": f"{base}?{urlencode(params)}",
            "next": f"{base}?{urlencode({**params, 'offset': offset + limit})}",
        },
    }
    if q:
        result["q"] = q
    if filters:
        result["filters"] = filters
    if not call.boolean("include_total", True):
        result.pop("total")
    return result


def _columns(dataset: Any) -> list[dict[str, Any]]:
    columns = []
    for item in dataset.fields or []:
        if isinstance(item, dict):
            name = str(item.get("id") or item.get("name") or item.get("key") or "")
            kind = str(item.get("type") or item.get("data_type") or "text").lower()
            label = str(item.get("label") or item.get("title") or name)
        else:
            name, kind, label = str(item), "text", str(item)
        if name:
            columns.append(
                {"id": name, "type": DATASTORE_TYPES.get(kind, "text"), "info": {"label": label}}
            )
    return columns


def _datastore_filters(call: Call, known: set[str]) -> dict[str, str]:
    """``filters``: a JSON object of column -> value (a one-item list is accepted too)."""
    raw = call.json_value("filters")
    if raw in (None, "", {}):
        return {}
    if not isinstance(raw, dict):
        raise _invalid("filters", _("必须是 JSON 对象"))
    filters: dict[str, str] = {}
    for key, value in raw.items():
        if key not in known:
            raise _invalid("filters", _("字段 %(f)s 不存在") % {"f": str(key)[:50]})
        if isinstance(value, list):
            if len(value) != 1:
                raise _invalid("filters", _("每个字段只能给出一个取值"))
            value = value[0]
        if isinstance(value, dict | list | bool) or value is None:
            raise _invalid("filters", _("取值必须是字符串或数字"))
        filters[str(key)] = str(value)[:MAX_Q]
    return filters


def _datastore_fields(call: Call, columns: list[dict[str, Any]]) -> list[str]:
    every = ["_id", *(column["id"] for column in columns)]
    raw = call.data.get("fields")
    if raw in (None, "", []):
        return every
    names = raw if isinstance(raw, list) else str(raw).split(",")
    wanted = [str(name).strip() for name in names if str(name).strip()]
    unknown = [name for name in wanted if name not in every]
    if unknown:
        raise _invalid("fields", _("字段 %(f)s 不存在") % {"f": ", ".join(unknown)[:100]})
    return ["_id", *(name for name in every if name in wanted and name != "_id")]


# ------------------------------------------------------------------------------ the view


def _cors(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Any site may call the API from a browser: it is public and read-only, and with
    ``*`` browsers send no credentials along."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _bad_request(request: HttpRequest, detail: str) -> HttpResponse:
    return _cors(
        HttpResponse(
            json.dumps(f"Bad request - {detail}", ensure_ascii=False),
            status=400,
            content_type="application/json;charset=utf-8",
        ),
        request,
    )


@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    """One CKAN action: ``GET`` with query parameters or ``POST`` with a JSON body."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Authorization, X-CKAN-API-Key, Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response, request)
    if request.method not in ("GET", "POST"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, POST, OPTIONS"
        return response
    function = ACTIONS.get(name)
    if function is None:
        return _bad_request(request, f"Action name not known: {name[:100]}")
    help_url = request.build_absolute_uri(
        request.path.rsplit("/", 1)[0] + "/help_show?" + urlencode({"name": name})
    )
    envelope: dict[str, Any] = {"help": help_url}
    try:
        data = _request_data(request)
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    data.pop("callback", None)  # no JSONP
    headers: dict[str, str] = {}
    try:
        try:
            key = _api_key(request)
        except CkanError:
            _rate_check(request, None)  # guessing keys counts against the address
            raise
        _rate_check(request, key)
        if key is not None:
            services.api_key_touch(key)
        user = key.owner if key is not None else request.user
        envelope["result"] = function(Call(request=request, name=name, data=data, user=user))
        envelope["success"] = True
        status = 200
    except CkanError as exc:
        status, headers = exc.status, exc.headers
        envelope.update(success=False, error=exc.error)
    except DomainError as exc:
        error = _from_domain(exc)
        status = error.status
        envelope.update(success=False, error=error.error)
    response = JsonResponse(envelope, status=status, json_dumps_params={"ensure_ascii": False})
    for header, value in headers.items():
        response[header] = value
    return _cors(response, request)
