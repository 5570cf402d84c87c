"""Kernel writes. The core app owns the audit chain (审计日志), the event outbox, the
bookkeeping of periodic jobs and the working-day calendar; every other app records audit
entries and emits events through these functions."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import events, periodic, workdays
from tongban.core.chain import GENESIS_HASH, audit_payload, checkpoint_message
from tongban.core.context import client_ip
from tongban.core.crypto import platform_signer, sm3_hex
from tongban.core.errors import ValidationFailed
from tongban.core.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    CalendarDay,
    CalendarSource,
    HandlerReceipt,
    OutboxEvent,
    PeriodicJobState,
)

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 20


def audit_record(
    *,
    action: str,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the audit chain inside the caller's transaction.

    ``detail`` must never hold personal identifiers in clear: pass masked values.
    """
    # No savepoint: a failed audit write must fail the caller's whole transaction anyway,
    # and most requests record one entry, so the savepoint's round trips were pure cost.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=actor.get_username() if actor is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or {},
            ip=client_ip.get(),
            prev_hash=head.hash,
        )
        entry.hash = sm3_hex(audit_payload(entry))
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
        if entry.seq % _checkpoint_every() == 0:
            _sign_checkpoint(entry.seq, entry.hash)
    return entry


def _checkpoint_every() -> int:
    return max(1, int(settings.TONGBAN_AUDIT_CHECKPOINT_EVERY))


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _sign_checkpoint(seq: int, head_hash: str) -> AuditCheckpoint:
    signer = platform_signer()
    previous = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first()
    prev_seq, every = previous or 0, _checkpoint_every()
    checkpoint = AuditCheckpoint.objects.create(
        seq=seq,
        hash=head_hash,
        prev_seq=prev_seq,
        every=every,
        at=timezone.now(),
        algorithm=signer.algorithm,
        key_id=signer.key_id,
        public_key=signer.public_key_hex(),
        signature=signer.sign(checkpoint_message(seq, head_hash, prev_seq, every)).hex(),
    )
    event_emit(events.AuditCheckpointSigned(seq=seq))
    return checkpoint


def audit_checkpoint() -> AuditCheckpoint | None:
    """Sign the current chain head unless it is already signed (periodic job)."""
    with transaction.atomic():
        head = _locked_head()
        if head.seq == 0 or AuditCheckpoint.objects.filter(seq=head.seq).exists():
            return None
        return _sign_checkpoint(head.seq, head.hash)


def audit_denial(*, actor: Any, path: str, message: str) -> None:
    """Record a refused request (called where errors become responses, after rollback)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    audit_record(
        action="permission.denied",
        actor=user,
        object_type="path",
        object_id=path[:80],
        detail={"message": message[:200]},
    )


def event_emit(event: events.DomainEvent) -> OutboxEvent:
    """Write an event to the outbox; it is delivered only if the transaction commits."""
    return OutboxEvent.objects.create(topic=event.topic, payload=dataclasses.asdict(event))


def outbox_deliver(*, batch: int = 100) -> int:
    """Deliver up to ``batch`` due events to their subscribers; returns how many were
    delivered.

    Each event is delivered and marked in a transaction of its own: handlers that send
    email or SMS do so before their transaction commits, so a crash repeats the messages
    of at most the one event in flight, not of a whole batch. Each handler runs in its own
    savepoint together with its receipt, so a handler that fails is retried later without
    repeating the handlers that succeeded.
    """
    delivered = 0
    for _attempt in range(batch):
        with transaction.atomic():
            now = timezone.now()
            event = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True, attempts__lt=MAX_DELIVERY_ATTEMPTS)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .order_by("id")
                .first()
            )
            if event is None:
                break
            event.attempts += 1
            if _deliver_one(event):
                event.delivered_at, event.next_attempt_at, event.last_error = now, None, ""
                delivered += 1
            else:
                # Exponential back-off (2 s, 4 s ... capped at an hour) so that a handler
                # whose downstream is down does not burn its attempts in seconds.
                delay = min(2**event.attempts, 3600)
                event.next_attempt_at = now + timedelta(seconds=delay)
            event.save(update_fields=["delivered_at", "attempts", "next_attempt_at", "last_error"])
    return delivered


def _deliver_one(event: OutboxEvent) -> bool:
    ok = True
    for name, handler in events.subscribers(event.topic):
        if HandlerReceipt.objects.filter(event=event, handler=name).exists():
            continue
        try:
            with transaction.atomic():
                handler(event.pk, event.payload)
                HandlerReceipt.objects.create(event=event, handler=name)
        except Exception as exc:  # a failing handler must not stop the others
            logger.exception("event %s handler %s failed", event.pk, name)
            event.last_error = f"{name}: {exc}"[:2000]
            ok = False
    return ok


def periodic_run_due(*, now: datetime | None = None) -> list[str]:
    """Run every periodic job whose interval has passed; returns the names that ran."""
    now = now or timezone.now()
    ran = []
    for job in periodic.jobs():
        if not job.atomic:
            if _batch_job_run(job, now):
                ran.append(job.name)
            continue
        with transaction.atomic():
            state, _ = PeriodicJobState.objects.get_or_create(name=job.name)
            state = PeriodicJobState.objects.select_for_update().get(pk=state.pk)
            due = state.last_run_at is None or now - state.last_run_at >= timedelta(
                seconds=job.every_seconds
            )
            if not due:
                continue
            try:
                with transaction.atomic():
                    job.job()
                state.last_error = ""
            except Exception as exc:
                logger.exception("periodic job %s failed", job.name)
                state.last_error = str(exc)[:2000]
            state.last_run_at = now
            state.save(update_fields=["last_run_at", "last_error"])
            ran.append(job.name)
    return ran


def _batch_job_run(job: periodic.PeriodicJob, now: datetime) -> bool:
    """Claim a batch job's run (one worker wins), then run it outside any transaction."""
    PeriodicJobState.objects.get_or_create(name=job.name)
    due_before = now - timedelta(seconds=job.every_seconds)
    claimed = (
        PeriodicJobState.objects.filter(name=job.name)
        .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lte=due_before))
        .update(last_run_at=now)
    )
    if not claimed:
        return False
    error = ""
    try:
        job.job()
    except Exception as exc:
        logger.exception("periodic job %s failed", job.name)
        error = str(exc)[:2000]
    PeriodicJobState.objects.filter(name=job.name).update(last_error=error)
    return True


@dataclasses.dataclass
class CalendarSeedResult:
    """What ``calendar_seed`` changed; ``unknown_years`` are those the package lacks."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_admin: int = 0
    seeded_years: list[int] = dataclasses.field(default_factory=list)
    unknown_years: list[int] = dataclasses.field(default_factory=list)


SEED_YEARS = range(1900, 2101)


@transaction.atomic
def calendar_seed(
    *,
    years: list[int],
    actor: Any = None,
    progress: Callable[[str], None] | None = None,
) -> CalendarSeedResult:
    """Fill the working-day calendar (工作日历) from the ``chinese_calendar`` package.

    Stores only the days that differ from the Monday-to-Friday rule: public holidays on
    weekdays and 调休 working weekends. Rows an administrator entered or edited are left
    alone; earlier seeded rows are corrected, and removed when the package no longer lists
    them. Running it again changes nothing. Years the package does not know are skipped and
    reported. One audit entry records the counts.
    """
    wanted = sorted(set(years))
    if not wanted:
        raise ValidationFailed(_("请至少指定一个年份"), field="years")
    for year in wanted:
        if year not in SEED_YEARS:
            raise ValidationFailed(
                _("年份 %(year)s 超出范围（%(low)s–%(high)s）")
                % {"year": year, "low": SEED_YEARS[0], "high": SEED_YEARS[-1]},
                field="years",
            )
    say = progress or (lambda _line: None)
    result = CalendarSeedResult()
    now = timezone.now()
    for year in wanted:
        official = workdays.official_days(year)
        if official is None:
            result.unknown_years.append(year)
            say(f"{year}: not in chinese_calendar {_package_range()}, skipped")
            continue
        counts = _calendar_seed_year(year, official, now)
        result.created += counts["created"]
        result.updated += counts["updated"]
        result.deleted += counts["deleted"]
        result.kept_admin += counts["kept_admin"]
        result.seeded_years.append(year)
        say(
            f"{year}: {len(official)} days off the Monday-Friday rule; created "
            f"{counts['created']}, updated {counts['updated']}, deleted {counts['deleted']}, "
            f"kept {counts['kept_admin']} admin rows"
        )
    audit_record(
        action="calendar.seed",
        actor=actor,
        object_type="calendar",
        object_id=",".join(str(year) for year in wanted)[:80],
        detail=dataclasses.asdict(result),
    )
    return result


def _package_range() -> str:
    known = workdays.package_years()
    return f"{known[0]}-{known[-1]}"


def _calendar_seed_year(
    year: int, official: list[workdays.OfficialDay], now: datetime
) -> dict[str, int]:
    existing = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            date__range=(date(year, 1, 1), date(year, 12, 31))
        )
    }
    counts = {"created": 0, "updated": 0, "deleted": 0, "kept_admin": 0}
    to_create, to_update = [], []
    for day in official:
        row = existing.pop(day.date, None)
        if row is None:
            to_create.append(
                CalendarDay(
                    date=day.date,
                    is_workday=day.is_workday,
                    name=day.name,
                    source=CalendarSource.CHINESE_CALENDAR,
                )
            )
        elif row.source == CalendarSource.ADMIN:
            counts["kept_admin"] += 1
        elif (row.is_workday, row.name) != (day.is_workday, day.name):
            row.is_workday, row.name, row.updated_at = day.is_workday, day.name, now
            to_update.append(row)
    stale = [row.pk for row in existing.values() if row.source == CalendarSource.CHINESE_CALENDAR]
    CalendarDay.objects.bulk_create(to_create)
    CalendarDay.objects.bulk_update(to_update, ["is_workday", "name", "updated_at"])
    if stale:
        CalendarDay.objects.filter(pk__in=stale).delete()
    counts.update(created=len(to_create), updated=len(to_update), deleted=len(stale))
    return counts
