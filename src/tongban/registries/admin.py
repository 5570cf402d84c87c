"""Admin: registry rows are shown read-only; stewards decide conflicts on their page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.registries.models import Conflict, Entity, SourceRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
