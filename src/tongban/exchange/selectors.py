"""Reads of the exchange: resource catalog search, grants, clients and the message log."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core.crypto import verify_with_public_key
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.pagination import MAX_PAGE_SIZE, Page, keyset_page
from tongban.core.selectors import trusted_public_keys
from tongban.exchange.chain import GENESIS_HASH, batch_message, merkle_root, record_hash
from tongban.exchange.models import Adapter as Adapter
from tongban.exchange.models import DataItem as DataItem
from tongban.exchange.models import ExchangeClient as ExchangeClient
from tongban.exchange.models import FieldMapping as FieldMapping
from tongban.exchange.models import MessageBatch as MessageBatch
from tongban.exchange.models import MessageHead as MessageHead
from tongban.exchange.models import MessageLog as MessageLog
from tongban.exchange.models import RequestStatus as RequestStatus
from tongban.exchange.models import Resource as Resource
from tongban.exchange.models import ResourceTerm
from tongban.exchange.models import ShareType as ShareType
from tongban.exchange.models import SharingRequest as SharingRequest
from tongban.exchange.segmentation import terms as segment
from tongban.org.selectors import Role

MAX_QUERY_TERMS = 20
ROLES = ("provider", "consumer")


# ----------------------------------------------------------------------- resource catalog


@dataclass(frozen=True)
class ResourceFilter:
    """Filters of a catalog search; empty values do not filter."""

    q: str = ""
    department: str = ""  # department id
    theme: str = ""


def _condition(f: ResourceFilter) -> Q:
    condition = Q()
    if f.department:
        if not f.department.isdigit():
            raise ValidationFailed(_("部门参数应为部门编号"), field="department")
        condition &= Q(provider_id=int(f.department))
    if f.theme:
        condition &= Q(theme=f.theme)
    return condition


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decode(cursor: str) -> tuple[int, int]:
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(score), int(pk)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(_("分页参数无效"), field="cursor") from None


def resource_search(
    f: ResourceFilter, *, cursor: str | None = None, size: int = 20
) -> Page[Resource]:
    """Resources matching the filters; with a query (segmented by jieba as the index was),
    best matches first. Each result carries ``score``."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    condition = _condition(f)
    base = Resource.objects.select_related("provider__division")
    if not f.q.strip():
        page = keyset_page(base.filter(condition), order=("code",), cursor=cursor, size=size)
        for resource in page.items:
            resource.score = 0  # type: ignore[attr-defined]
        return page
    words = segment(f.q)[:MAX_QUERY_TERMS]
    if not words:
        return Page([], None)
    rows = ResourceTerm.objects.filter(term__in=words)
    if condition:
        rows = rows.filter(resource__in=Resource.objects.filter(condition))
    grouped = rows.values("resource_id").annotate(score=Sum("weight"))
    if cursor:
        score, pk = _decode(cursor)
        grouped = grouped.filter(Q(score__lt=score) | Q(score=score, resource_id__gt=pk))
    found = list(grouped.order_by("-score", "resource_id")[: size + 1])
    visible = found[:size]
    by_id = base.in_bulk([row["resource_id"] for row in visible])
    items = []
    for row in visible:
        resource = by_id[row["resource_id"]]
        resource.score = row["score"]  # type: ignore[attr-defined]
        items.append(resource)
    next_cursor = None
    if len(found) > size:
        next_cursor = _encode([visible[-1]["score"], visible[-1]["resource_id"]])
    return Page(items, next_cursor)


def resource_get(code: str) -> Resource:
    resource = (
        Resource.objects.select_related("provider__division", "adapter").filter(code=code).first()
    )
    if resource is None:
        raise NotFound(_("信息资源不存在"), field="code")
    return resource


def resource_items(resource: Resource) -> list[DataItem]:
    return list(resource.items.order_by("position", "id")[:500])


def resource_themes() -> list[str]:
    """The themes in use (a short list), for browsing."""
    rows = Resource.objects.exclude(theme="").values_list("theme", flat=True).distinct()
    return sorted(str(t) for t in rows[:200])


def resource_providers() -> list[tuple[int, str]]:
    """(id, name) of departments that provide resources, for browsing."""
    rows = (
        Resource.objects.values_list("provider_id", "provider__division__name", "provider__name")
        .distinct()
        .order_by("provider_id")[:500]
    )
    return [(int(pk), f"{div}{name}") for pk, div, name in rows]


# ---------------------------------------------------------------------------- stewards


def steward_departments(user: Any) -> list[int]:
    """Departments in which ``user`` is the data steward (数据管理员)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.department_id for g in staff_roles(user) if g.role == Role.DATA_STEWARD]


# ---------------------------------------------------------------------- requests, grants


def _active(today: date) -> Q:
    return Q(status=RequestStatus.APPROVED) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def granted_keys(
    *, consumer_id: int, resource_id: int, today: date | None = None
) -> set[str] | None:
    """Data item keys the consumer department may read, or None without an active grant."""
    today = today or timezone.localdate()
    grants = SharingRequest.objects.filter(
        _active(today), consumer_id=consumer_id, resource_id=resource_id
    ).values_list("items", flat=True)[:50]
    found: set[str] | None = None
    for items in grants:
        found = (found or set()) | {str(k) for k in items}
    return found


def sharing_request_get(request_id: int) -> SharingRequest:
    found = (
        SharingRequest.objects.select_related("resource", "consumer__division", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound(_("共享申请不存在"), field="id")
    return found


def sharing_request_list(
    *,
    user: Any,
    role: str,
    status: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> Page[SharingRequest]:
    """Requests to decide or decided (provider) or made (consumer) by the steward's
    departments, newest first."""
    if role not in ROLES:
        raise ValidationFailed(_("role 只能是 provider 或 consumer"), field="role")
    departments = steward_departments(user)
    qs: QuerySet[SharingRequest] = SharingRequest.objects.select_related(
        "resource__provider__division", "consumer__division", "decided_by", "requested_by"
    )
    if role == "provider":
        qs = qs.filter(resource__provider_id__in=departments)
    else:
        qs = qs.filter(consumer_id__in=departments)
    if status:
        if status not in RequestStatus.values:
            raise ValidationFailed(_("申请状态不存在"), field="status")
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


# ------------------------------------------------------------------------------ clients


def exchange_client_get(client_id: str) -> ExchangeClient | None:
    return ExchangeClient.objects.select_related("department").filter(client_id=client_id).first()


def adapter_mappings(adapter_id: int) -> list[FieldMapping]:
    return list(FieldMapping.objects.filter(adapter_id=adapter_id).order_by("item_key")[:500])


# -------------------------------------------------------------------------- message log


def message_log_list(
    *, user: Any, role: str, cursor: str | None = None, size: int = 20
) -> Page[MessageLog]:
    """Who accessed what, when and for what purpose: the steward's departments as provider
    or as consumer, newest first."""
    if role not in ROLES:
        raise ValidationFailed(_("role 只能是 provider 或 consumer"), field="role")
    departments = steward_departments(user)
    qs = MessageLog.objects.all()
    if role == "provider":
        qs = qs.filter(provider_id__in=departments)
    else:
        qs = qs.filter(consumer_id__in=departments)
    return keyset_page(qs, order=("-seq",), cursor=cursor, size=size)


@dataclass(frozen=True)
class LogVerification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


class _Broken(Exception):
    def __init__(self, seq: int, reason: str):
        self.seq, self.reason = seq, reason


def _records(chunk: int) -> Iterator[MessageLog]:
    return MessageLog.objects.order_by("seq").iterator(chunk_size=chunk)


def message_log_verify(*, min_seq: int = 0, chunk: int = 2000) -> LogVerification:
    """Recompute the record chain and check each signed batch's Merkle root.

    Detects an edited record (hash mismatch), a deleted record (gap or broken link), a
    re-hashed chain (the signed Merkle roots no longer match), an edited, forged or deleted
    batch (bad signature, untrusted key, non-contiguous batches, or the head names batched
    records no batch covers), and records deleted from the end (the head names more).
    """
    batches = list(MessageBatch.objects.order_by("first_seq"))
    ends = {b.last_seq: b for b in batches}
    trusted = trusted_public_keys()
    expected, prev_hash, pending = 1, GENESIS_HASH, []
    next_first = 1
    try:
        for batch in batches:
            if batch.first_seq != next_first:
                raise _Broken(next_first, "签名批次缺失或不连续")
            if batch.last_seq < batch.first_seq:
                raise _Broken(batch.first_seq, "签名批次范围无效")
            next_first = batch.last_seq + 1
        for record in _records(chunk):
            if record.seq != expected:
                raise _Broken(expected, "日志记录缺失（被删除）")
            if record.prev_hash != prev_hash:
                raise _Broken(record.seq, "与上一条记录的哈希链接断开")
            if record_hash(record) != record.hash:
                raise _Broken(record.seq, "日志记录内容被修改")
            pending.append(record.hash)
            closing = ends.get(record.seq)
            if closing is not None:
                _check_batch(closing, pending, trusted)
                pending = []
            prev_hash, expected = record.hash, expected + 1
        last = expected - 1
        if batches and batches[-1].last_seq > last:
            raise _Broken(last + 1, "已签名批次中的记录被删除")
        head = MessageHead.objects.filter(pk=1).first()
        if head is not None:
            if head.seq > last:
                raise _Broken(last + 1, "链尾记录被删除")
            covered = batches[-1].last_seq if batches else 0
            if head.batched_seq > covered:
                raise _Broken(covered + 1, "签名批次被删除")
        if last < min_seq:
            raise _Broken(last + 1, f"日志比此前核验时短（应至少有 {min_seq} 条）")
    except _Broken as broken:
        return LogVerification(False, broken.seq - 1, broken.seq, broken.reason)
    return LogVerification(True, last)


def _check_batch(batch: MessageBatch, hashes: list[str], trusted: set[str]) -> None:
    if len(hashes) != batch.last_seq - batch.first_seq + 1:
        raise _Broken(batch.first_seq, "签名批次与日志记录不一致")
    if batch.public_key not in trusted:
        raise _Broken(batch.first_seq, "批次签名密钥不受信任")
    root = merkle_root(hashes)
    message = batch_message(batch.first_seq, batch.last_seq, batch.merkle_root)
    try:
        signature = bytes.fromhex(batch.signature)
    except ValueError:
        signature = b""
    if not verify_with_public_key(batch.algorithm, batch.public_key, message, signature):
        raise _Broken(batch.first_seq, "批次签名无效")
    if root != batch.merkle_root:
        raise _Broken(batch.first_seq, "日志记录与已签名批次的默克尔根不一致（记录被改写）")


def message_batch_list(*, cursor: str | None = None, size: int = 50) -> Page[MessageBatch]:
    return keyset_page(MessageBatch.objects.all(), order=("-first_seq",), cursor=cursor, size=size)


def exchange_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Gateway exchanges in [start, end) per providing and consuming department (ids; the
    department the platform asked for counts as the consumer), with the failed ones."""
    rows = (
        MessageLog.objects.filter(at__gte=start, at__lt=end)
        .values("provider_id", "consumer_id", "on_behalf_of")
        .annotate(calls=Count("id"), failed=Count("id", filter=Q(status__gte=400)))
        .order_by()
    )
    return [
        {
            "provider_id": row["provider_id"],
            "consumer_id": row["on_behalf_of"] or row["consumer_id"],
            "calls": row["calls"],
            "failed": row["failed"],
        }
        for row in rows
    ]
