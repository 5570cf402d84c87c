from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from tongban.accounts.models import EnterpriseProfile, StaffRole, User
from tongban.core.admin import AuditedModelAdmin
from tongban.core.services import audit_record


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="admin.user.change" if change else "admin.user.add",
            actor=request.user,
            object_type="user",
            object_id=obj.pk,
        )

    fieldsets = (*(UserAdmin.fieldsets or ()), ("一网通办", {"fields": ("kind", "display_name")}))


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedModelAdmin):
    list_display = ["user", "department", "role", "granted_at"]
    list_filter = ["role", "department__division"]
    autocomplete_fields = ["user"]


@admin.register(EnterpriseProfile)
class EnterpriseAdmin(AuditedModelAdmin):
    list_display = ["name", "credit_code", "legal_representative"]
    search_fields = ["name", "credit_code"]
