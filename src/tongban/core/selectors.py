"""Kernel reads: audit chain verification, audit listings and the working-day calendar."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import workdays
from tongban.core.chain import GENESIS_HASH, audit_payload, checkpoint_message
from tongban.core.crypto import platform_signer, sm3_hex, verify_with_public_key
from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditCheckpoint, AuditEntry, AuditHead, CalendarDay
from tongban.core.pagination import Page, keyset_page


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


class _Broken(Exception):
    def __init__(self, seq: int, reason: str):
        self.seq, self.reason = seq, reason


def trusted_public_keys() -> set[str]:
    """The platform's current key plus retired keys still trusted for old checkpoints."""
    return {platform_signer().public_key_hex(), *settings.TONGBAN_AUDIT_TRUSTED_KEYS}


def audit_verify(*, min_seq: int = 0, chunk: int = 2000) -> AuditVerification:
    """Recompute the hash chain and check the signed, linked checkpoints.

    Detects an edited entry (its hash no longer matches), a deleted entry (a gap in the
    sequence or a broken link), a deleted or forged checkpoint (broken checkpoint link, bad
    signature, untrusted key, or more entries between checkpoints than their declared
    interval), and entries deleted from the end (a checkpoint or the head names a later
    entry, or the chain is shorter than ``min_seq``, the length recorded outside the
    database at an earlier verification).
    """
    checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
    try:
        last_seq, hashes = _verify_entries({cp.seq for cp in checkpoints}, chunk)
        checked = last_seq
        _verify_checkpoints(checkpoints, hashes, last_seq)
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and head.seq > last_seq:
            raise _Broken(last_seq + 1, "链尾条目被删除")
        if last_seq < min_seq:
            raise _Broken(last_seq + 1, f"日志比此前核验时短（应至少有 {min_seq} 条）")
    except _Broken as broken:
        return AuditVerification(False, broken.seq - 1, broken.seq, broken.reason)
    return AuditVerification(True, checked)


def _entries(chunk: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk)


def _verify_entries(checkpoint_seqs: set[int], chunk: int) -> tuple[int, dict[int, str]]:
    expected_seq, prev_hash = 1, GENESIS_HASH
    hashes: dict[int, str] = {}
    for entry in _entries(chunk):
        if entry.seq != expected_seq:
            raise _Broken(expected_seq, "条目缺失（被删除）")
        if entry.prev_hash != prev_hash:
            raise _Broken(entry.seq, "与上一条目的哈希链接断开")
        if sm3_hex(audit_payload(entry)) != entry.hash:
            raise _Broken(entry.seq, "条目内容被修改")
        if entry.seq in checkpoint_seqs:
            hashes[entry.seq] = entry.hash
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    return expected_seq - 1, hashes


def _verify_checkpoints(
    checkpoints: list[AuditCheckpoint], hashes: dict[int, str], last_seq: int
) -> None:
    trusted = trusted_public_keys()
    prev_seq, every = 0, int(settings.TONGBAN_AUDIT_CHECKPOINT_EVERY)
    for cp in checkpoints:
        if cp.seq > last_seq:
            raise _Broken(last_seq + 1, "签名检查点之后的条目被删除")
        if cp.public_key not in trusted:
            raise _Broken(cp.seq, "检查点签名密钥不受信任")
        message = checkpoint_message(cp.seq, cp.hash, cp.prev_seq, cp.every)
        if not verify_with_public_key(
            cp.algorithm, cp.public_key, message, bytes.fromhex(cp.signature)
        ):
            raise _Broken(cp.seq, "检查点签名无效")
        if cp.prev_seq != prev_seq:
            raise _Broken(prev_seq + 1, "签名检查点被删除")
        if cp.seq - prev_seq > cp.every:
            raise _Broken(prev_seq + cp.every, "缺少应有的签名检查点")
        if hashes.get(cp.seq) != cp.hash:
            raise _Broken(cp.seq, "条目与签名检查点不一致")
        prev_seq, every = cp.seq, cp.every
    # A raised interval applies to the unsigned tail at once; a lowered one from the next
    # checkpoint on, so changing the setting never raises a false alarm.
    every = max(every, int(settings.TONGBAN_AUDIT_CHECKPOINT_EVERY))
    if last_seq - prev_seq >= every:
        raise _Broken(prev_seq + every, "缺少应有的签名检查点")


def audit_list(
    *, actor_id: int | None = None, cursor: str | None, size: int = 50
) -> Page[AuditEntry]:
    qs = AuditEntry.objects.all()
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return keyset_page(qs, order=("-seq",), cursor=cursor, size=size)


# --- Working-day calendar (工作日历) -----------------------------------------------------
# The arithmetic and its counting convention live in ``core.workdays``; these functions load
# the overrides a computation needs from the CalendarDay table, one query per date range.

CalendarCoverage = Literal["known", "fallback"]
MAX_WORKING_DAYS = 5000  # about twenty years: far beyond any statutory time limit


def calendar_overrides(start: date, end: date) -> dict[date, bool]:
    """The calendar's exceptions to the Monday-to-Friday rule in ``[start, end]``."""
    rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    return dict(rows)


def is_workday(day: date) -> bool:
    return workdays.is_workday(day, calendar_overrides(day, day))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start``, which is not counted (see ``core.workdays``).

    Loads the overrides of a window that nearly always holds the n working days in one
    query, and a window twice as long in the rare case it does not.
    """
    if n < 0:
        raise ValidationFailed(_("工作日数不能为负数"), field="n")
    if n > MAX_WORKING_DAYS:
        raise ValidationFailed(_("工作日数不能超过%(max)d") % {"max": MAX_WORKING_DAYS}, field="n")
    span = workdays.window_days(n)
    try:
        while True:
            end = start + timedelta(days=span)
            overrides = calendar_overrides(start + workdays.ONE_DAY, end)
            if workdays.working_days_between(start, end, overrides) >= n:
                return workdays.add_working_days(start, n, overrides)
            span *= 2
    except OverflowError:
        raise ValidationFailed(_("日期超出可计算的范围"), field="start") from None


def working_days_between(start: date, end: date) -> int:
    """The working days in ``(start, end]``, negative when ``end`` is before ``start``."""
    low, high = min(start, end), max(start, end)
    if low == high:
        return 0
    return workdays.working_days_between(
        start, end, calendar_overrides(low + workdays.ONE_DAY, high)
    )


def calendar_coverage(year: int) -> CalendarCoverage:
    """``known`` when the table holds the year's schedule (seeded or entered rows), else
    ``fallback``: the year is computed with the Monday-to-Friday rule alone."""
    return "fallback" if calendar_uncovered_years([year]) else "known"


def calendar_uncovered_years(
    years: Iterable[int] | None = None, *, today: date | None = None
) -> list[int]:
    """Which of ``years`` (default: the current and the next year) have no calendar rows,
    in one query. Administrators are warned about these years in the admin."""
    if years is None:
        current = (today or timezone.localdate()).year
        years = [current, current + 1]
    wanted = sorted(set(years))
    if not wanted:
        return []
    if wanted[0] < date.min.year or wanted[-1] > date.max.year:
        raise ValidationFailed(_("年份超出范围"), field="years")
    present = {
        day.year
        for day in CalendarDay.objects.filter(
            date__range=(date(wanted[0], 1, 1), date(wanted[-1], 12, 31))
        ).dates("date", "year")
    }
    return [year for year in wanted if year not in present]
