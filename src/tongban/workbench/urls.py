from django.urls import path

from tongban.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("citizens/", views.citizens, name="citizens"),
    path("citizens/<int:user_id>/reveal/", views.citizen_reveal, name="citizen_reveal"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/done/", views.tasks, {"box": "done"}, name="tasks_done"),
    path("tasks/<int:task_id>/claim/", views.task_action, {"action": "claim"}, name="task_claim"),
    path(
        "tasks/<int:task_id>/complete/",
        views.task_action,
        {"action": "complete"},
        name="task_complete",
    ),
]
