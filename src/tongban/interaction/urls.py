"""URLs of interaction (portal): appeals and the public mailbox."""

from django.urls import path

from tongban.interaction import views

app_name = "interaction"
urlpatterns = [
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/mine/", views.appeals_mine, name="appeals_mine"),
    path("appeals/lookup/", views.appeal_lookup, name="appeal_lookup"),
    path("appeals/<str:number>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/follow-up/", views.appeal_follow_up, name="appeal_follow_up"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/<str:number>/", views.mailbox_detail, name="mailbox_detail"),
]
