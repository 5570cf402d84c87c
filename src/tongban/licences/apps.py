from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from tongban.core.events import subscribe
        from tongban.exchange.adapters import platform_source_register
        from tongban.licences import handlers
        from tongban.licences.licence_source import fetch as licence_source_fetch

        subscribe("cases.completed", handlers.on_case_completed)
        subscribe("licences.status_changed", handlers.on_status_changed)
        subscribe("licences.issued", handlers.on_issued)
        platform_source_register("licences", licence_source_fetch)
