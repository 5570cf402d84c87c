from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.cases import handlers, services
        from tongban.workflow.services import business_hook_register

        handlers.connect()
        business_hook_register(services.BUSINESS_TYPE, services.case_follow_step)
