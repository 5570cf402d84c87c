"""DCAT-AP 3 metadata routes, mounted at the site root: ``/catalog.ttl``,
``/catalog.jsonld``, ``/dataset/<name>.ttl``, ``/dataset/<name>.jsonld`` and the IRIs
``/catalog`` and ``/dataset/<name>`` that redirect to them (or to the portal pages)."""

from django.urls import URLPattern, path

from tongban.opendata import dcat_views

urlpatterns: list[URLPattern] = [
    path("catalog.ttl", dcat_views.catalog_ttl, name="dcat-catalog-ttl"),
    path("catalog.jsonld", dcat_views.catalog_jsonld, name="dcat-catalog-jsonld"),
    path("catalog", dcat_views.catalog, name="dcat-catalog"),
    path("dataset/<slug:name>.ttl", dcat_views.dataset_ttl, name="dcat-dataset-ttl"),
    path("dataset/<slug:name>.jsonld", dcat_views.dataset_jsonld, name="dcat-dataset-jsonld"),
    path("dataset/<slug:name>", dcat_views.dataset, name="dcat-dataset"),
]
