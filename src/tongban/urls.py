from django.contrib import admin
from django.urls import include, path

from tongban.api import api
from tongban.core import views as core_views

handler404 = "tongban.portal.views.not_found"

urlpatterns = [
    path("", include("tongban.portal.urls")),
    path("accounts/", include("tongban.accounts.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("api/", api.urls),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]
