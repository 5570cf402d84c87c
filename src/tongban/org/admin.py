from django.contrib import admin
from django.http import HttpRequest

from tongban.org.models import Department, Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New divisions are loaded with validation by `division_upsert`, not typed in here.
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "division", "code", "is_service_centre"]
    list_filter = ["division"]
    search_fields = ["name", "code"]
