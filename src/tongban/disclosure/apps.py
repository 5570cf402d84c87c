from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "tongban.disclosure"
    label = "disclosure"
    verbose_name = "政务公开"
