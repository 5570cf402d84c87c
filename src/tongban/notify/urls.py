from django.urls import path

from tongban.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("unread/", views.message_list, {"unread_only": True}, name="unread"),
    path("read-all/", views.message_read_all, name="read_all"),
    path("<int:notification_id>/read/", views.message_read, name="read"),
]
