from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "tongban.disclosure"
    label = "disclosure"
    verbose_name = "政务公开"

    def ready(self) -> None:
        from tongban.core.periodic import register
        from tongban.disclosure.services import requests_mark_overdue

        register("disclosure.requests_mark_overdue", every_seconds=3600, job=requests_mark_overdue)
