"""Kernel data: the audit chain, the event outbox, periodic job bookkeeping and the
working-day calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One append-only audit record (审计日志), chained to the previous one by SM3 hash."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    detail = models.JSONField(default=dict)
    ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["actor_id", "seq"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The single row writers lock to append to the chain in order."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain head, linked to the previous checkpoint.

    Checkpoints come at least every ``every`` entries, so removing entries, or removing a
    checkpoint to hide an edit, leaves a gap that verification reports.
    """

    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    prev_seq = models.BigIntegerField(default=0)
    every = models.PositiveIntegerField()
    at = models.DateTimeField()
    algorithm = models.CharField(max_length=20)
    key_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=200)
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change that caused it."""

    topic = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at", "id"])]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class HandlerReceipt(models.Model):
    """Marks that a handler processed an event, so redelivery does nothing twice."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE)
    handler = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="core_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} <- #{self.event_id}"


class PeriodicJobState(models.Model):
    """When a periodic job last ran, shared by all workers."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class CalendarSource(models.TextChoices):
    CHINESE_CALENDAR = "chinese_calendar", _("国务院放假安排（chinese_calendar）")
    ADMIN = "admin", _("管理员录入")


class CalendarDay(models.Model):
    """A day that departs from the Monday-to-Friday rule in the working-day calendar (工作日历).

    Only exceptions are stored: a public holiday on a weekday (``is_workday=False``) or a
    weekend made a working day by 调休 (``is_workday=True``). Any date without a row is a
    working day exactly when it falls on Monday to Friday. The table is the source of truth;
    rows seeded from the ``chinese_calendar`` package are replaced by later seeding, rows
    entered or edited by an administrator never are.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=60, blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        kind = _("工作日") if self.is_workday else _("休息日")
        return f"{self.date.isoformat()} {kind} {self.name}".rstrip()
