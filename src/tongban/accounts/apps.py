from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    label = "accounts"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from tongban.accounts import handlers

        handlers.connect()
