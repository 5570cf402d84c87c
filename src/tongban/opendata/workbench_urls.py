"""Open data workbench pages, mounted at /workbench/opendata/."""

from django.urls import path

from tongban.opendata import views

app_name = "workbench_opendata"
urlpatterns = [
    path("", views.workbench, name="index"),
    path("publish/", views.workbench_publish, name="publish"),
    path("datasets/<slug:name>/withdraw/", views.workbench_withdraw, name="withdraw"),
    path("applications/<int:application_id>/decide/", views.workbench_decide, name="decide"),
]
