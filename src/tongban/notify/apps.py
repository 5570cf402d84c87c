from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from tongban.notify import handlers

        handlers.connect()
