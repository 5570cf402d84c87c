"""The product's settings with the bench URLs in front of the product's."""

from tongban.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.floor_app.urls"
