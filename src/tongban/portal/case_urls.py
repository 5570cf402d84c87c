"""Citizen pages for applications (办件); included at the site root before the portal."""

from django.urls import path

from tongban.portal import case_views as views

app_name = "applications"
urlpatterns = [
    path("services/events/<slug:slug>/apply/", views.apply_bundle, name="apply_bundle"),
    path("services/<str:code>/apply/", views.apply_service, name="apply_service"),
    path("my/cases/", views.case_list, name="list"),
    # Notifications link to exactly this path: keep it.
    path("my/cases/<int:case_id>/", views.case_detail, name="detail"),
    path("my/cases/<int:case_id>/form/", views.case_form, name="form"),
    path("my/cases/<int:case_id>/materials/", views.material_add, name="material"),
    path("my/cases/<int:case_id>/submit/", views.case_submit, name="submit"),
    path(
        "my/cases/<int:case_id>/licences/consent/",
        views.licence_consent,
        name="licence_consent",
    ),
    path("my/cases/<int:case_id>/withdraw/", views.case_withdraw, name="withdraw"),
    path("status/", views.status_query, name="status"),
    path("my/appointments/", views.appointments, name="appointments"),
    path("my/appointments/book/", views.appointment_book, name="book"),
    path(
        "my/appointments/<int:appointment_id>/cancel/",
        views.appointment_cancel,
        name="cancel",
    ),
]
