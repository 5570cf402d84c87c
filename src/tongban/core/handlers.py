"""Reactions to framework signals: every change made through the Django admin is audited.

The admin writes a LogEntry for each addition, change (including password changes) and
deletion, for its own and third-party model admins alike (inside the change's transaction,
except for password changes, whose view Django does not wrap in one). Mirroring those
entries into the audit chain covers them all in one place. Bulk deletion is switched off
(apps.py) because it writes its log entries without signals.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from tongban.core.services import audit_record

VERBS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    label = "unknown"
    if instance.content_type_id is not None:
        content_type = ContentType.objects.get_for_id(instance.content_type_id)
        label = f"{content_type.app_label}.{content_type.model}"
    audit_record(
        action=f"admin.{label}.{VERBS.get(instance.action_flag, 'other')}",
        actor=instance.user,
        object_type=label,
        object_id=str(instance.object_id or "")[:80],
        detail={"change": instance.change_message[:500]},
    )


def connect() -> None:
    post_save.connect(_on_admin_log, sender=LogEntry, dispatch_uid="tongban.core.admin_log")
