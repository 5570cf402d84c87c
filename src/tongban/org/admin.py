from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import validate_credit_code
from tongban.org.models import Department, Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New divisions are loaded with validation by `division_upsert`, not typed in here.
        return False


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["division", "code", "name", "credit_code", "is_service_centre"]

    def clean_credit_code(self) -> str:
        value = self.cleaned_data.get("credit_code") or ""
        if not value:
            return ""
        try:
            return validate_credit_code(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "division", "code", "is_service_centre"]
    list_filter = ["division"]
    search_fields = ["name", "code"]
