from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "tongban.office"
    label = "office"
    verbose_name = "协同办公"

    def ready(self) -> None:
        from tongban.office.handlers import clocks, documents

        documents.connect()
        clocks.connect()
