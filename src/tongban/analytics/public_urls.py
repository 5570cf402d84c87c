from django.urls import path

from tongban.analytics import views

app_name = "statistics"
urlpatterns = [
    path("", views.public_statistics, name="public"),
    path("export.<str:fmt>", views.public_export, name="export"),
]
