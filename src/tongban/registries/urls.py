from django.urls import path

from tongban.registries import views

app_name = "registries"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<int:conflict_id>/resolve/", views.conflict_resolve, name="conflict_resolve"),
]
