from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        from tongban.core import handlers, periodic, services

        handlers.connect()
        admin.site.disable_action("delete_selected")

        periodic.register(
            "audit_checkpoint",
            every_seconds=settings.TONGBAN_AUDIT_CHECKPOINT_SECONDS,
            job=services.audit_checkpoint,
        )
