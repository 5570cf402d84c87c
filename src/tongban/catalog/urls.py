from django.urls import path

from tongban.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
    path("events/<slug:slug>/", views.event, name="event"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/forms/<int:material_id>/", views.form_download, name="form"),
]
