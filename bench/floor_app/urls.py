"""The floor endpoints first, then every product URL unchanged."""

from django.urls import path

from bench.floor_app import views
from tongban.urls import handler404, handler500
from tongban.urls import urlpatterns as product_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/floor", views.floor_write, name="bench-floor-write"),
    path("bench/read", views.floor_read, name="bench-floor-read"),
    *product_urlpatterns,
]
