from django.contrib import admin
from django.urls import include, path, re_path

from tongban.api import api, api_not_found
from tongban.core import views as core_views

handler404 = "tongban.portal.views.not_found"
handler500 = "tongban.portal.views.server_error"

urlpatterns = [
    path("", include("tongban.portal.case_urls")),
    path("my/licences/", include("tongban.licences.my_urls")),
    path("licences/", include("tongban.licences.urls")),
    path("", include("tongban.portal.urls")),
    path("interaction/", include("tongban.interaction.urls")),
    path("knowledge/", include("tongban.knowledge.urls")),
    path("participation/", include("tongban.participation.urls")),
    path("disclosure/", include("tongban.disclosure.urls")),
    path("data/", include("tongban.opendata.urls")),
    path("", include("tongban.opendata.dcat_urls")),
    path("accounts/", include("tongban.accounts.urls")),
    path("workbench/licences/", include("tongban.licences.workbench_urls")),
    path("workbench/appeals/", include("tongban.interaction.workbench_urls")),
    path("workbench/participation/", include("tongban.participation.workbench_urls")),
    path("workbench/disclosure/", include("tongban.disclosure.workbench_urls")),
    path("workbench/opendata/", include("tongban.opendata.workbench_urls")),
    path("workbench/analytics/", include("tongban.analytics.urls")),
    path("workbench/office/", include("tongban.office.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("statistics/", include("tongban.analytics.public_urls")),
    path("services/", include("tongban.catalog.urls")),
    path("supervision/", include("tongban.supervision.urls")),
    path("ratings/", include("tongban.supervision.ratings_urls")),
    path("messages/", include("tongban.notify.urls")),
    path("exchange/", include("tongban.exchange.urls")),
    path("registries/", include("tongban.registries.urls")),
    path("api/3/", include("tongban.opendata.ckan_urls")),
    path("api/", include("tongban.opendata.ckan_urls")),  # CKAN's unversioned /api/action/
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("o/", include("tongban.accounts.oauth_urls", namespace="oauth2_provider")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]
