"""Disclosure workbench pages, mounted at /workbench/disclosure/."""

from django.urls import path

from tongban.disclosure import views

app_name = "workbench_disclosure"
urlpatterns = [
    path("publications/", views.staff_publications, name="publications"),
    path("publications/new/", views.publication_form, name="publication_new"),
    path("publications/<int:publication_id>/", views.publication_form, name="publication_edit"),
    path(
        "publications/<int:publication_id>/publish/",
        views.publication_publish,
        name="publication_publish",
    ),
    path(
        "publications/<int:publication_id>/withdraw/",
        views.publication_withdraw,
        name="publication_withdraw",
    ),
    path("requests/", views.staff_requests, name="requests"),
    path("requests/<int:request_id>/", views.staff_request_detail, name="request_detail"),
    path(
        "requests/<int:request_id>/<slug:action>/",
        views.staff_request_action,
        name="request_action",
    ),
    path("report/", views.annual_report, name="report"),
]
