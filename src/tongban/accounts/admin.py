from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongban.accounts import services
from tongban.accounts.models import EnterpriseProfile, StaffRole, User, UserKind


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]

    fieldsets = (*(UserAdmin.fieldsets or ()), ("一网通办", {"fields": ("kind", "display_name")}))


class StaffRoleForm(forms.ModelForm):
    class Meta:
        model = StaffRole
        fields = ["user", "department", "role"]

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if user.kind != UserKind.STAFF:
            raise forms.ValidationError(_("只有工作人员可以被授予角色"))
        return user


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """Grants are added or revoked through the services (audit, admin-site access); a grant
    is never edited in place."""

    form = StaffRoleForm
    list_display = ["user", "department", "role", "granted_at"]
    list_filter = ["role", "department__division"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        granted = services.staff_role_grant(
            user=obj.user, department_id=obj.department_id, role=obj.role, actor=request.user
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.staff_role_revoke(grant_id=obj.pk, actor=request.user)


@admin.register(EnterpriseProfile)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "legal_representative"]
    search_fields = ["name", "credit_code"]
