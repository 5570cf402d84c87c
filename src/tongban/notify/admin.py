"""Read-only admin: who got which message and how its deliveries went (no addresses)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.notify.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = readonly_fields = ("channel", "status", "attempts", "sent_at", "last_error")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient_username", "topic", "created_at", "read_at"]
    list_filter = ["topic"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "topic"]
    show_full_result_count = False
    inlines = [DeliveryInline]

    @admin.display(description=_("接收人"), ordering="recipient__username")
    def recipient_username(self, obj: Notification) -> str:
        return str(obj.recipient.get_username())


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "notification_id",
        "recipient_username",
        "channel",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["channel", "status"]
    list_select_related = ["notification__recipient"]
    search_fields = ["notification__recipient__username"]
    show_full_result_count = False

    @admin.display(description=_("接收人"))
    def recipient_username(self, obj: Delivery) -> str:
        return str(obj.notification.recipient.get_username())
