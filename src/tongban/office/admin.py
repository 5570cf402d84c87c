"""Admin of the office app: clearances per role, issuing departments and step time limits
are configuration the government edits (audited centrally from the admin's log); documents,
receipts and work items are read-only here — they change only through their steps."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.office.models import (
    Document,
    IssuerProfile,
    Receipt,
    RoleClearance,
    StepLimit,
    WorkItem,
)


@admin.register(RoleClearance)
class RoleClearanceAdmin(admin.ModelAdmin):
    list_display = ["role", "level"]


@admin.register(IssuerProfile)
class IssuerProfileAdmin(admin.ModelAdmin):
    list_display = ["department", "mark", "number_prefix", "receipt_prefix", "seal_text"]
    search_fields = ["mark", "number_prefix"]
    autocomplete_fields = ["department"]


@admin.register(StepLimit)
class StepLimitAdmin(admin.ModelAdmin):
    list_display = ["process", "step", "working_days", "warn_days"]
    list_filter = ["process"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    # No body: documents may be classified; they are read on their own audited page.
    list_display = ["number", "issuer", "status", "classification", "created_at"]
    list_filter = ["status", "classification"]
    search_fields = ["number"]
    fields = ["number", "issuer", "status", "classification", "urgency", "created_at"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "department", "status", "received_at"]
    list_filter = ["status"]
    fields = ["number", "department", "status", "received_at"]


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "division", "deadline", "level", "status"]
    list_filter = ["status", "level"]
    fields = ["title", "division", "deadline", "level", "status", "created_at"]
