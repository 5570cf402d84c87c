"""URLs of knowledge."""

from django.urls import path

from tongban.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.ask, name="home"),
    path("ask/", views.ask, name="ask"),
    path("<int:entry_id>/", views.detail, name="detail"),
    path("<int:entry_id>/feedback/", views.feedback, name="feedback"),
]
