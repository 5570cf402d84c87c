from django.urls import path

from tongban.supervision import views

app_name = "ratings"
urlpatterns = [
    path("", views.ratings_public, name="departments"),
]
