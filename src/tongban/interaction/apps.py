from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "tongban.interaction"
    label = "interaction"
    verbose_name = "政民互动"
