"""/licences/: public verification of licences (证照查验); the QR code points here."""

from django.urls import path

from tongban.licences import views

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    # The QR code on every licence encodes exactly this path: keep it.
    path("verify/<str:identifier>/", views.verify_identifier, name="verify_identifier"),
]
