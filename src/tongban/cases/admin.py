"""Cases in the admin: read-only for inspection; windows and slots are maintained here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.cases.models import AppointmentSlot, Case, CaseEvent, ServiceWindow
from tongban.core.admin_base import ReadOnlyAdmin


class TimelineInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "actor_name", "title", "status_from", "status_to", "comment"]
    readonly_fields = ["at", "actor_name", "title", "status_from", "status_to", "comment"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item_name", "division_code", "department_code", "status", "level"]
    list_filter = ["status", "level", "division_code"]
    search_fields = ["number", "item_name"]
    # The form may hold personal data; the applicant's ID is shown masked only.
    exclude = ["applicant_id_hash", "form"]
    inlines = [TimelineInline]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "division_code", "department_code", "address"]
    list_filter = ["division_code"]


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ["window", "starts_at", "ends_at", "capacity"]
    list_filter = ["window"]
    date_hierarchy = "starts_at"
