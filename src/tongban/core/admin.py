"""Admin base class: every change made through the Django admin lands in the audit chain."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tongban.core.services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    def _audit(self, request: HttpRequest, verb: str, obj: Model) -> None:
        audit_record(
            action=f"admin.{obj._meta.label_lower}.{verb}",
            actor=request.user,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._audit(request, "change" if change else "add", obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit(request, "delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self._audit(request, "delete", obj)
        super().delete_queryset(request, queryset)
