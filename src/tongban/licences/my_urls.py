"""/my/licences/: the holder's wallet (我的证照), downloads and consents (用证授权)."""

from django.urls import path

from tongban.licences import views

app_name = "my_licences"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("<int:licence_id>/", views.licence_detail, name="detail"),
    path("<int:licence_id>/pdf/", views.licence_pdf, name="pdf"),
    path("<int:licence_id>/signed.json", views.licence_signed, name="signed"),
    path("<int:licence_id>/consents/", views.consent_grant, name="consent_grant"),
    path(
        "consents/<int:consent_id>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
]
