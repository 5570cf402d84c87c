from django.apps import AppConfig
from django.conf import settings


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "共享交换"

    def ready(self) -> None:
        from tongban.core import periodic
        from tongban.exchange import services

        periodic.register(
            "exchange.batch_close",
            every_seconds=int(getattr(settings, "TONGBAN_EXCHANGE_BATCH_SECONDS", 5)),
            job=services.message_batch_close,
        )
        periodic.register("exchange.grants_expire", every_seconds=3600, job=services.grants_expire)
