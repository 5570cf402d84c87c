from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tongban.participation"
    label = "participation"
    verbose_name = "征求意见与民意调查"
