"""DCAT-AP 3 metadata documents: the whole catalog and each dataset, in Turtle and JSON-LD.

Public (dataset metadata is public, conditionally open datasets included); unknown, draft
and withdrawn datasets are 404. ``/catalog`` and ``/dataset/<name>`` are the IRIs used in
the documents: they answer with a 303 to the Turtle or JSON-LD document when the client
asks for RDF, else to the portal page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tongban.core.errors import ValidationFailed
from tongban.opendata import dcat

TURTLE = "text/turtle; charset=utf-8"
JSONLD = "application/ld+json"
MAX_AGE = 300


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _document(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _size(request: HttpRequest) -> int:
    raw = request.GET.get("size", "").strip()
    if not raw:
        return dcat.PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= dcat.MAX_PAGE_SIZE:
        raise ValidationFailed(
            _("size 应为 1 到 %(max)s 之间的整数") % {"max": dcat.MAX_PAGE_SIZE}, field="size"
        )
    return int(raw)


def _catalog(request: HttpRequest, suffix: str) -> bytes:
    page = dcat.catalog_graph(
        _base(request),
        after=request.GET.get("after", "").strip()[:100],
        size=_size(request),
        suffix=suffix,
    )
    return dcat.to_turtle(page.graph) if suffix == "ttl" else dcat.to_jsonld(page.graph)


@require_safe
def catalog_ttl(request: HttpRequest) -> HttpResponse:
    return _document(_catalog(request, "ttl"), TURTLE)


@require_safe
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    return _document(_catalog(request, "jsonld"), JSONLD)


@require_safe
def dataset_ttl(request: HttpRequest, name: str) -> HttpResponse:
    return _document(dcat.to_turtle(dcat.dataset_graph(_base(request), name)), TURTLE)


@require_safe
def dataset_jsonld(request: HttpRequest, name: str) -> HttpResponse:
    return _document(dcat.to_jsonld(dcat.dataset_graph(_base(request), name)), JSONLD)


def _wanted(request: HttpRequest) -> str:
    """ "ttl", "jsonld" or "" (a page) from the Accept header."""
    accept = request.headers.get("Accept", "")
    if "text/turtle" in accept:
        return "ttl"
    if "application/ld+json" in accept:
        return "jsonld"
    return ""


def _see_other(request: HttpRequest, location: str) -> HttpResponse:
    response = HttpResponseRedirect(location, status=303)
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    suffix = _wanted(request)
    return _see_other(request, f"/catalog.{suffix}" if suffix else "/data/")


@require_safe
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    suffix = _wanted(request)
    return _see_other(
        request, f"/dataset/{name}.{suffix}" if suffix else reverse("opendata:dataset", args=[name])
    )
