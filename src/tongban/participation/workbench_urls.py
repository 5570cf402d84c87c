"""/workbench/participation/: the department's drafts, comment moderation and exports."""

from django.urls import path

from tongban.participation import views

app_name = "workbench_participation"
urlpatterns = [
    path("", views.workbench, name="list"),
    path("new/", views.solicitation_new, name="new"),
    path("<int:solicitation_id>/", views.moderation, name="moderation"),
    path(
        "<int:solicitation_id>/comments/<int:comment_id>/moderate/",
        views.moderate,
        name="moderate",
    ),
    path("<int:solicitation_id>/feedback/", views.feedback, name="feedback"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:survey_id>/responses.csv", views.responses_csv, name="responses_csv"),
    path("surveys/<int:survey_id>/aggregates.csv", views.aggregates_csv, name="aggregates_csv"),
]
