"""Open data pages, mounted at /data/."""

from django.urls import path

from tongban.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.dataset_search, name="search"),
    path("dataset/<slug:name>/", views.dataset_detail, name="dataset"),
    path("dataset/<slug:name>/apply/", views.dataset_apply, name="apply"),
    path("download/<str:distribution_id>/", views.download, name="download"),
    path("api/", views.api_guide, name="api"),
    path("keys/", views.api_keys, name="keys"),
    path("keys/<int:key_id>/revoke/", views.api_key_revoke, name="key_revoke"),
]
