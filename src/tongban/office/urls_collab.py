"""Pages of notices (内部通知), groups (工作群组) and meetings (会议安排)."""

from django.urls import path

from tongban.office.views import collab as views

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/updates/", views.notice_updates, name="notice_updates"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/messages/", views.group_messages, name="group_messages"),
    path("groups/<int:group_id>/members/", views.group_members_add, name="group_members_add"),
    path("groups/<int:group_id>/files/<int:message_id>/", views.group_file, name="group_file"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/respond/", views.meeting_respond, name="meeting_respond"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
]
