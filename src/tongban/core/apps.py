from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from django.conf import settings

        from tongban.core import periodic, services

        periodic.register(
            "audit_checkpoint",
            every_seconds=settings.TONGBAN_AUDIT_CHECKPOINT_SECONDS,
            job=services.audit_checkpoint,
        )
