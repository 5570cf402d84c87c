from django.urls import path

from tongban.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:figure_id>.<str:fmt>", views.export, name="export"),
    path("cases/", views.cases, name="cases"),
    path("reports/", views.reports, name="reports"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:report_id>.pdf", views.report_file, name="report_file"),
]
