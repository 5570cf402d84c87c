from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tongban.org"
    label = "org"
    verbose_name = "组织机构"
