"""Internal request pages (征求意见函), under /workbench/office/requests/."""

from django.urls import path

from tongban.office.views import internal

urlpatterns = [
    path("requests/", internal.request_list, name="request_list"),
    path("requests/new/", internal.request_new, name="request_new"),
    path("requests/<int:request_id>/", internal.request_detail, name="request_detail"),
    path("requests/<int:request_id>/reply/", internal.request_reply, name="request_reply"),
]
