"""Official document pages (公文, 收文), under /workbench/office/."""

from django.urls import path

from tongban.office.views import documents as views

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/search/", views.document_search, name="document_search"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:document_id>/submit/", views.document_submit, name="document_submit"),
    path("documents/<int:document_id>/tasks/", views.document_task, name="document_task"),
    path("documents/<int:document_id>/diff/", views.document_diff, name="document_diff"),
    path("documents/<int:document_id>/view/", views.document_html, name="document_html"),
    path("documents/<int:document_id>/pdf/", views.document_pdf, name="document_pdf"),
    path(
        "documents/<int:document_id>/attachments/",
        views.document_attachment_add,
        name="document_attachment_add",
    ),
    path(
        "documents/<int:document_id>/attachments/<int:attachment_id>/",
        views.document_attachment,
        name="document_attachment",
    ),
    path("incoming/", views.incoming_list, name="incoming_list"),
    path("incoming/<int:receipt_id>/", views.receipt_detail, name="receipt_detail"),
    path("incoming/<int:receipt_id>/tasks/", views.receipt_task, name="receipt_task"),
    path("incoming/<int:receipt_id>/circulate/", views.receipt_circulate, name="receipt_circulate"),
    path("incoming/<int:receipt_id>/read/", views.receipt_read, name="receipt_read"),
]
