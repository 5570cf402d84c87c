"""CKAN Action API routes, mounted at ``api/3/`` (and at ``api/`` for CKAN's unversioned
``/api/action/<name>``, which ckanapi's RemoteCKAN calls by default)."""

from django.urls import URLPattern, path

from tongban.opendata import ckan

urlpatterns: list[URLPattern] = [
    path("action/<str:name>", ckan.action),
]
