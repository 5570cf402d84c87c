"""/exchange/: the gateway API (namespace ``exchange``) and the exchange pages."""

from django.urls import include, path

from tongban.exchange import views
from tongban.exchange.api import gateway

pages = (
    [
        path("", views.catalog, name="catalog"),
        path("requests/", views.requests_page, name="requests"),
        path(
            "requests/<int:request_id>/<str:action>/",
            views.decide,
            name="decide",
        ),
        path("log/", views.access_log, name="log"),
        path("resources/<str:code>/", views.resource, name="resource"),
    ],
    "exchange_pages",
)

urlpatterns = [
    path("catalog/", include(pages)),
    path("", gateway.urls),
]
