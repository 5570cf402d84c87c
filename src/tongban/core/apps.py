from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from tongban.core import periodic, services

        periodic.register("audit_checkpoint", every_seconds=300, job=services.audit_checkpoint)
