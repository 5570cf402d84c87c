from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "tongban.interaction"
    label = "interaction"
    verbose_name = "政民互动"

    def ready(self) -> None:
        from tongban.core.events import subscribe
        from tongban.core.periodic import register
        from tongban.interaction import handlers, services

        subscribe("interaction.appeal_stepped", handlers.on_appeal_stepped)
        register("interaction.appeal_sweep", every_seconds=3600, job=services.sweep_job)
