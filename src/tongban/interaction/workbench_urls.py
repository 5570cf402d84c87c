"""URLs of interaction (workbench): the appeal inbox, overdue list and step forms."""

from django.urls import path

from tongban.interaction import views

app_name = "workbench_interaction"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("<str:number>/", views.staff_detail, name="detail"),
    path("<str:number>/<str:action>/", views.staff_step, name="step"),
]
