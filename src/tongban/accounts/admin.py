from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongban.accounts.models import EnterpriseProfile, StaffRole, User


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("一网通办", {"fields": ("kind", "display_name")}))


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role", "granted_at"]
    list_filter = ["role", "department__division"]
    autocomplete_fields = ["user"]


@admin.register(EnterpriseProfile)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "legal_representative"]
    search_fields = ["name", "credit_code"]
