"""Admin of interaction: routing rules and time limits are data the government edits
(each save audited); appeals are shown read-only — they change only through their
handling steps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.interaction import services
from tongban.interaction.models import Appeal, RoutingRule, TimeLimit


class AuditedAdmin(admin.ModelAdmin):
    object_type = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.configuration_changed(
            actor=request.user, object_type=self.object_type, object_id=obj.pk, created=not change
        )


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    object_type = "routing_rule"
    list_display = [
        "order",
        "name",
        "keywords",
        "appeal_type",
        "division",
        "department_code",
        "active",
    ]
    list_editable = ["active"]
    list_filter = ["active", "appeal_type"]
    ordering = ["order", "id"]


@admin.register(TimeLimit)
class TimeLimitAdmin(AuditedAdmin):
    object_type = "time_limit"
    list_display = ["appeal_type", "sign_days", "reply_days", "warn_days"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    # No personal columns: title and content are read on the appeal's own page.
    list_display = ["number", "appeal_type", "division", "status", "department", "submitted_at"]
    list_filter = ["status", "appeal_type", "proposed_source"]
    search_fields = ["number"]
    exclude = ["query_code_hash"]
