"""Admin of knowledge: entries for the system administrator, re-indexed on save (admin
changes are audited by the platform's admin log hook like every other model)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.knowledge.models import Entry
from tongban.knowledge.services import entry_reindex


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "department", "status", "updated_at", "views")
    list_filter = ("status", "category")
    search_fields = ("question", "keywords")
    readonly_fields = ("views", "helpful", "unhelpful", "updated_at")
    raw_id_fields = ("department", "division")

    def save_model(self, request: HttpRequest, obj: Entry, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        entry_reindex(obj)
