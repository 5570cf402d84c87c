"""/participation/: drafts for comment and surveys (public pages)."""

from django.urls import path

from tongban.participation import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:solicitation_id>/", views.solicitation_detail, name="detail"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="results"),
]
