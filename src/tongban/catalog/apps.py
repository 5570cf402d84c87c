from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = "服务事项"

    def ready(self) -> None:
        from tongban.catalog import signals

        signals.connect()
