from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "tongban.registries"
    label = "registries"
    verbose_name = "基础库"

    def ready(self) -> None:
        from django.conf import settings

        from tongban.core.periodic import register
        from tongban.registries import services

        register(
            "registries.sync",
            every_seconds=int(getattr(settings, "TONGBAN_REGISTRIES_SYNC_SECONDS", 3600)),
            job=services.registry_sync_job,
            atomic=False,
        )
