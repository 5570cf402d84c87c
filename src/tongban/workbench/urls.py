from django.urls import path

from tongban.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("citizens/", views.citizens, name="citizens"),
    path("citizens/<int:user_id>/reveal/", views.citizen_reveal, name="citizen_reveal"),
]
