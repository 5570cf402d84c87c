from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tongban.core.errors import ValidationFailed
from tongban.workflow import services
from tongban.workflow.engine import process_parse
from tongban.workflow.models import HumanTask, ProcessDefinition


class ProcessUploadForm(forms.ModelForm):
    class Meta:
        model = ProcessDefinition
        fields = ["bpmn_xml"]

    def clean_bpmn_xml(self) -> str:
        value = self.cleaned_data["bpmn_xml"]
        try:
            process_parse(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None
        return str(value)


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    """Data stewards upload BPMN files; a changed file becomes a new version."""

    form = ProcessUploadForm
    list_display = ["key", "version", "name", "created_at"]
    search_fields = ["key", "name"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # running instances refer to their version

    def save_model(
        self, request: HttpRequest, obj: ProcessDefinition, form: object, change: bool
    ) -> None:
        registered = services.process_register(bpmn_xml=obj.bpmn_xml, actor=request.user)
        obj.pk = registered.pk


@admin.register(HumanTask)
class HumanTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "division_code", "department_code", "role", "status", "created_at"]
    list_filter = ["status", "division_code", "role"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
