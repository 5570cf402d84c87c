from django.contrib import admin
from django.http import HttpRequest

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.opendata import services
from tongban.opendata.models import AccessApplication, ApiKey, Dataset, Distribution, Group


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Themes (主题) are configuration; saves go through the service (validated, audited)."""

    list_display = ["name", "title", "eu_theme"]
    search_fields = ["name", "title"]

    def save_model(self, request: HttpRequest, obj: Group, form: object, change: bool) -> None:
        saved = services.group_upsert(
            name=obj.name, title=obj.title, description=obj.description, eu_theme=obj.eu_theme
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    """Datasets change only through publishing and withdrawal (the workbench)."""

    list_display = ["name", "title", "organization", "access", "state", "modified"]
    list_filter = ["state", "access"]
    search_fields = ["name", "title", "resource_code"]


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    list_display = ["id", "dataset", "format", "size", "download_count"]


@admin.register(AccessApplication)
class AccessApplicationAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "applicant", "status", "created"]
    list_filter = ["status"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "prefix", "rate_per_minute", "active", "last_used"]
    list_filter = ["active"]
