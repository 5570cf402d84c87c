from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "tongban.opendata"
    label = "opendata"
    verbose_name = "数据开放"
