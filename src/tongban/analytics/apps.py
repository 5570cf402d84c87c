from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tongban.analytics"
    label = "analytics"
    verbose_name = "决策支持"

    def ready(self) -> None:
        from tongban.analytics import services
        from tongban.core.periodic import register

        register("analytics.refresh", every_seconds=300, job=services.refresh_job, atomic=False)
        register(
            "analytics.monthly_reports",
            every_seconds=3600,
            job=services.monthly_reports_job,
            atomic=False,
        )
