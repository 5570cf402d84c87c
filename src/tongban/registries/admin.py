"""Admin: registry rows are shown read-only; stewards decide conflicts on their page.
Registry sources (where each source is read through the exchange gateway) are
configuration that administrators edit here, validated like the service validates them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.core.errors import ValidationFailed
from tongban.registries import services
from tongban.registries.models import Conflict, Entity, RegistrySource, SourceRecord


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ["registry_id", "kind", "division_code", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["registry_id", "division_code"]


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["source", "kind", "source_id", "link_method", "link_score", "last_seen_at"]
    list_filter = ["source", "kind", "link_method"]
    search_fields = ["source_id"]
    exclude = ["attributes"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["id", "entity", "attribute", "status", "opened_at", "decided_at"]
    list_filter = ["status", "attribute"]
    exclude = ["values", "chosen_value"]


class RegistrySourceForm(forms.ModelForm):
    class Meta:
        model = RegistrySource
        fields = [
            "source",
            "kind",
            "label",
            "resource_code",
            "client_id",
            "attribute_map",
            "derive",
            "page_size",
            "enabled",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.registry_source_validate(
                source=data.get("source") or "",
                kind=data.get("kind") or "",
                label=data.get("label") or "",
                resource_code=data.get("resource_code") or "",
                client_id=data.get("client_id") or "",
                attribute_map=data.get("attribute_map"),
                derive=data.get("derive") or "",
                page_size=data.get("page_size") or 0,
            )
        except ValidationFailed as exc:
            field = (exc.field or "").split(".")[0]
            self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(RegistrySource)
class RegistrySourceAdmin(admin.ModelAdmin):
    form = RegistrySourceForm
    list_display = ["source", "kind", "label", "resource_code", "client_id", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["source", "label", "resource_code", "client_id"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.registry_source_changed(actor=request.user, row=obj)
