from django.urls import path

from tongban.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.overdue, name="overdue"),
    path("stats/", views.stats, name="stats"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path(
        "rectifications/<int:rectification_id>/callback/",
        views.rectification_action,
        {"action": "callback"},
        name="rectification_callback",
    ),
    path(
        "rectifications/<int:rectification_id>/close/",
        views.rectification_action,
        {"action": "close"},
        name="rectification_close",
    ),
    path(
        "rectifications/<int:rectification_id>/appeal/",
        views.rectification_action,
        {"action": "appeal"},
        name="rectification_appeal",
    ),
    path(
        "rectifications/<int:rectification_id>/decide/",
        views.rectification_action,
        {"action": "decide"},
        name="rectification_decide",
    ),
    path(
        "clocks/<int:case_id>/suspend/",
        views.clock_action,
        {"action": "suspend"},
        name="clock_suspend",
    ),
    path(
        "clocks/<int:case_id>/resume/",
        views.clock_action,
        {"action": "resume"},
        name="clock_resume",
    ),
    path(
        "clocks/<int:case_id>/extend/",
        views.clock_action,
        {"action": "extend"},
        name="clock_extend",
    ),
    path("rate/<int:case_id>/", views.rate, name="rate"),
]
