"""/workbench/licences/: the issuing department's licences and their status changes."""

from django.urls import path

from tongban.licences import views

app_name = "workbench_licences"
urlpatterns = [
    path("", views.issued, name="list"),
    path("<int:licence_id>/", views.staff_detail, name="detail"),
    path("<int:licence_id>/status/", views.status_change, name="status"),
]
