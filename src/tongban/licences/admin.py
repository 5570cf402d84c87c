"""Admin: licence types are data the government edits (saved through the service, which
checks the data items); keys and licences are shown read-only — licences change status only
through their issuing department, keys only by rotation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.core.errors import ValidationFailed
from tongban.licences import services
from tongban.licences.models import Licence, LicenceType, SigningKey


class LicenceTypeForm(forms.ModelForm):
    class Meta:
        model = LicenceType
        fields = ["code", "name", "holder_kind", "validity_years", "item_codes", "fields", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.licence_type_check(
                holder_kind=data.get("holder_kind", ""),
                fields=data.get("fields"),
                item_codes=data.get("item_codes"),
            )
        except ValidationFailed as exc:
            target = exc.field if exc.field in self.fields else None
            self.add_error(target, exc.message)
        return data


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    form = LicenceTypeForm
    list_display = ["name", "code", "holder_kind", "validity_years", "active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "holder_kind", "validity_years", "item_codes", "fields", "active"]

    def save_model(self, request: HttpRequest, obj: LicenceType, form: Any, change: bool) -> None:
        saved = services.licence_type_upsert(
            code=obj.code,
            name=obj.name,
            holder_kind=obj.holder_kind,
            fields=list(obj.fields),
            item_codes=list(obj.item_codes),
            validity_years=obj.validity_years,
            actor=request.user,
        )
        if saved.active != obj.active:
            saved.active = obj.active
            saved.save(update_fields=["active"])
        obj.pk = saved.pk


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "department", "algorithm", "created_at", "retired_at"]
    exclude = ["private_key"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "type", "issuer", "issue_date", "valid_until", "status"]
    list_filter = ["status", "type"]
    search_fields = ["identifier", "number", "case_number"]
    exclude = ["payload", "holder_hash"]
