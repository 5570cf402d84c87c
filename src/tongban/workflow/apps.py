from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "tongban.workflow"
    label = "workflow"
    verbose_name = "流程引擎"

    def ready(self) -> None:
        from django.conf import settings

        from tongban.core import periodic
        from tongban.workflow import services

        periodic.register(
            "workflow_timers",
            every_seconds=getattr(settings, "TONGBAN_WORKFLOW_TIMER_SECONDS", 60),
            job=services.timers_fire,
        )
