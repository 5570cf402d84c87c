from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = "电子监察与好差评"

    def ready(self) -> None:
        from tongban.core.events import subscribe
        from tongban.core.periodic import register
        from tongban.supervision import handlers, services

        subscribe("cases.accepted", handlers.on_case_accepted)
        subscribe("cases.suspended", handlers.on_case_suspended)
        subscribe("cases.resumed", handlers.on_case_resumed)
        subscribe("cases.completed", handlers.on_case_completed)
        subscribe("cases.withdrawn", handlers.on_case_withdrawn)
        subscribe("supervision.level_changed", handlers.on_level_changed)
        subscribe("supervision.rectification_opened", handlers.on_rectification_opened)
        register(
            "supervision.sweep",
            every_seconds=services.sweep_every_seconds(),
            job=services.supervision_sweep,
        )
