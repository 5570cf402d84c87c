"""Pages of supervised work items (督办) and the supervisor's overdue view (督查)."""

from django.urls import path

from tongban.office.views import workitems as views

urlpatterns = [
    path("work-items/", views.workitem_list, name="workitem_list"),
    path("work-items/new/", views.workitem_new, name="workitem_new"),
    path("work-items/<int:item_id>/", views.workitem_detail, name="workitem_detail"),
    path("work-items/<int:item_id>/reports/", views.workitem_report, name="workitem_report"),
    path("work-items/<int:item_id>/remind/", views.workitem_remind, name="workitem_remind"),
    path("work-items/<int:item_id>/close/", views.workitem_close, name="workitem_close"),
    path("overdue/", views.overdue, name="overdue"),
]
