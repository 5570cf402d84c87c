"""Admin: warning rules are data the government edits (validated like the services expect);
clocks, supervision records and ratings are shown read-only."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.supervision.models import Alert, Clock, Rating, Rectification, SupervisionRule


@admin.register(SupervisionRule)
class SupervisionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "warning_ratio",
        "warning_days_left",
        "rectification_days",
        "max_extension_days",
        "updated_at",
    ]
    search_fields = ["division_code", "department_code", "item_code", "note"]
    fields = [
        "division_code",
        "department_code",
        "item_code",
        "warning_ratio",
        "warning_days_left",
        "rectification_days",
        "max_extension_days",
        "note",
    ]


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "item_name",
        "division_name",
        "department_name",
        "clock_start",
        "deadline",
        "level",
        "suspended",
        "stopped_at",
    ]
    list_filter = ["level", "suspended", "stop_reason"]
    search_fields = ["number", "item_name"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["number", "level", "previous_level", "department_code", "issued_at", "rule"]
    list_filter = ["level"]
    search_fields = ["number"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["number", "score", "channel", "department_name", "rated_at", "excluded"]
    list_filter = ["score", "excluded", "channel"]
    search_fields = ["number"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["number", "department_name", "status", "due", "overdue", "appeal_status"]
    list_filter = ["status", "overdue", "appeal_status"]
    search_fields = ["number"]
