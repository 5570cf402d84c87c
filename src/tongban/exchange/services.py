"""Exchange writes. The exchange app owns the government information resource catalog
(政务信息资源目录) with its data items, sharing requests and grants (共享申请与授权), the
department systems that call the gateway (交换客户端), the adapters to their own systems
with field mappings (适配器与字段映射), the exchange gateway (共享交换网关) and its
hash-chained, batch-signed message log (交换日志)."""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model

from tongban.accounts.selectors import staff_has_role
from tongban.core.crypto import (
    DecryptionError,
    decrypt_field,
    encrypt_field,
    platform_signer,
    sm3_hex,
)
from tongban.core.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from tongban.core.services import audit_record
from tongban.exchange import adapters
from tongban.exchange import transforms as tf
from tongban.exchange.chain import GENESIS_HASH, batch_message, canonical, merkle_root, record_hash
from tongban.exchange.models import (
    Adapter,
    AdapterKind,
    DataItem,
    ExchangeClient,
    FieldMapping,
    MaskRule,
    MessageBatch,
    MessageHead,
    MessageLog,
    OpenType,
    RequestStatus,
    Resource,
    ResourceFormat,
    ResourceTerm,
    Sensitivity,
    ShareType,
    SharingRequest,
)
from tongban.exchange.segmentation import weighted_terms
from tongban.exchange.selectors import granted_keys, resource_get, steward_departments
from tongban.org.selectors import Role, department_get

logger = logging.getLogger(__name__)

WEIGHT_NAME = 10
WEIGHT_THEME = 5
WEIGHT_ITEM = 4
WEIGHT_PROVIDER = 3
WEIGHT_TEXT = 1

RESOURCE_CODE = re.compile(r"^[0-9]{6}[0-9A-Za-z/\-]{0,58}$")
ITEM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DATA_TYPES = ("string", "integer", "number", "date", "datetime", "boolean")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


MIN_SECRET_LENGTH = 12


class AdapterUnavailable(DomainError):
    """The provider's system failed (502)."""

    status = 502
    code = "adapter_failed"


class AdapterTimedOut(DomainError):
    """The provider's system did not answer in time (504)."""

    status = 504
    code = "adapter_timeout"


def _is_admin(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or staff_has_role(actor, role=Role.SYSADMIN)


def _check_steward(actor: Any, department_id: int, message: str) -> None:
    """System jobs (no actor), administrators and the department's data steward pass."""
    if actor is None or _is_admin(actor):
        return
    if not staff_has_role(actor, role=Role.DATA_STEWARD, department_id=department_id):
        raise PermissionDenied(message)


# ------------------------------------------------------------------------ resource catalog


def resource_reindex(resource: Resource) -> int:
    """Rebuild the search terms of one resource; returns the number of terms."""
    labels = " ".join(resource.items.values_list("label", flat=True))
    weights = weighted_terms(
        [
            (resource.name, WEIGHT_NAME),
            (resource.theme, WEIGHT_THEME),
            (resource.classification, WEIGHT_THEME),
            (labels, WEIGHT_ITEM),
            (resource.provider.name, WEIGHT_PROVIDER),
            (resource.summary, WEIGHT_TEXT),
        ]
    )
    ResourceTerm.objects.filter(resource=resource).delete()
    ResourceTerm.objects.bulk_create(
        [ResourceTerm(resource=resource, term=t, weight=w) for t, w in weights.items()]
    )
    return len(weights)


def _choice(value: str, choices: Any, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, field=field)
    return value


def resource_validate(
    *, code: str, name: str, format: str, share_type: str, open_type: str
) -> None:
    """The checks ``resource_upsert`` makes on the resource's own fields (also for forms)."""
    if not RESOURCE_CODE.match((code or "").strip()):
        raise ValidationFailed(
            _("资源代码应以6位数字（类1位、项2位、目3位）开头，后接细目和顺序码"), field="code"
        )
    if not (name or "").strip():
        raise ValidationFailed(_("请填写资源名称"), field="name")
    _choice(format, ResourceFormat, "format", _("资源格式只能是 table、api 或 file"))
    _choice(share_type, ShareType, "share_type", _("共享类型不存在"))
    _choice(open_type, OpenType, "open_type", _("开放类型不存在"))


def configuration_changed(*, actor: Any, action: str, object_type: str, object_id: Any) -> None:
    """Audit a configuration change made in the admin (after its form validated it)."""
    audit_record(action=action, actor=actor, object_type=object_type, object_id=object_id)


@transaction.atomic
def resource_upsert(
    *,
    code: str,
    name: str,
    provider_id: int,
    format: str,
    share_type: str,
    summary: str = "",
    classification: str = "",
    theme: str = "",
    open_type: str = OpenType.NONE,
    share_condition: str = "",
    update_cycle: str = "",
    published_on: date | None = None,
    adapter_id: int | None = None,
    actor: Any = None,
) -> Resource:
    """Register or update a resource of the catalog (目录编制), identified by its code."""
    code, name = (code or "").strip(), (name or "").strip()
    resource_validate(
        code=code, name=name, format=format, share_type=share_type, open_type=open_type
    )
    provider = department_get(provider_id)
    _check_steward(actor, provider.pk, _("只有提供方部门的数据管理员可以编制该资源"))
    existing = Resource.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.provider_id != provider.pk:
        _check_steward(actor, existing.provider_id, _("只有提供方部门的数据管理员可以编制该资源"))
    if adapter_id is not None and not Adapter.objects.filter(pk=adapter_id).exists():
        raise ValidationFailed(_("适配器不存在"), field="adapter_id")
    resource = existing or Resource(code=code)
    resource.name, resource.provider = name[:200], provider
    resource.summary, resource.classification = summary, classification[:100]
    resource.theme, resource.format, resource.share_type = theme.strip()[:50], format, share_type
    resource.open_type, resource.share_condition = open_type, share_condition
    resource.update_cycle, resource.published_on = update_cycle[:20], published_on
    resource.adapter_id = adapter_id
    resource.save()
    resource_reindex(resource)
    audit_record(
        action="resource.create" if existing is None else "resource.update",
        actor=actor,
        object_type="resource",
        object_id=code,
        detail={"name": name, "provider": provider.pk, "share_type": share_type},
    )
    return resource


@dataclass(frozen=True)
class ItemSpec:
    """One data item (信息项) as given to ``data_items_set``."""

    key: str
    label: str
    data_type: str = "string"
    description: str = ""
    sensitivity: str = Sensitivity.INTERNAL
    mask: str = MaskRule.NONE
    filterable: bool = False


@transaction.atomic
def data_items_set(
    *, resource_code: str, items: list[ItemSpec], actor: Any = None
) -> list[DataItem]:
    """Replace the data items of a resource (keys are stable; granted keys stay valid)."""
    resource = resource_get(resource_code)
    _check_steward(actor, resource.provider_id, _("只有提供方部门的数据管理员可以编制该资源"))
    seen: set[str] = set()
    for i, spec in enumerate(items):
        field = f"items.{i}"
        if not ITEM_KEY.match(spec.key or ""):
            raise ValidationFailed(
                _("信息项标识“%(key)s”应为小写英文字母开头，只含小写字母、数字和下划线")
                % {"key": spec.key},
                field=f"{field}.key",
            )
        if spec.key in seen:
            raise ValidationFailed(
                _("信息项标识“%(key)s”重复") % {"key": spec.key}, field=f"{field}.key"
            )
        seen.add(spec.key)
        if not (spec.label or "").strip():
            raise ValidationFailed(_("请填写信息项名称"), field=f"{field}.label")
        if spec.data_type not in DATA_TYPES:
            raise ValidationFailed(_("数据类型不存在"), field=f"{field}.data_type")
        _choice(spec.sensitivity, Sensitivity, f"{field}.sensitivity", _("敏感级别不存在"))
        _choice(spec.mask, MaskRule, f"{field}.mask", _("脱敏规则不存在"))
    existing = {item.key: item for item in DataItem.objects.filter(resource=resource)}
    DataItem.objects.filter(resource=resource).exclude(key__in=seen).delete()
    result = []
    for position, spec in enumerate(items):
        item = existing.get(spec.key) or DataItem(resource=resource, key=spec.key)
        item.position, item.label = position, spec.label.strip()[:100]
        item.data_type, item.description = spec.data_type, spec.description
        item.sensitivity, item.mask, item.filterable = spec.sensitivity, spec.mask, spec.filterable
        item.save()
        result.append(item)
    resource_reindex(resource)
    audit_record(
        action="resource.items_set",
        actor=actor,
        object_type="resource",
        object_id=resource.code,
        detail={"items": [spec.key for spec in items]},
    )
    return result


# ---------------------------------------------------------------------- requests, grants


def _item_keys(resource: Resource, keys: list[str]) -> list[str]:
    known = set(resource.items.values_list("key", flat=True))
    wanted = list(dict.fromkeys(str(k) for k in keys))
    if not wanted:
        raise ValidationFailed(_("请至少选择一个信息项"), field="items")
    for key in wanted:
        if key not in known:
            raise ValidationFailed(_("资源没有信息项“%(key)s”") % {"key": key}, field="items")
    return wanted


@transaction.atomic
def sharing_request_create(
    *,
    actor: Any,
    consumer_id: int,
    resource_code: str,
    items: list[str],
    purpose: str,
    expires_on: date | None = None,
) -> SharingRequest:
    """A data steward asks, for their department, to use items of a resource (共享申请).

    Unconditional resources are granted at once; conditional ones wait for the provider's
    data steward; resources that are not shared cannot be requested.
    """
    consumer = department_get(consumer_id)
    if not staff_has_role(actor, role=Role.DATA_STEWARD, department_id=consumer.pk):
        raise PermissionDenied(_("只有使用方部门的数据管理员可以提出共享申请"))
    resource = resource_get(resource_code)
    if resource.share_type == ShareType.NONE:
        raise ValidationFailed(_("该资源为不予共享，不能申请"), field="resource")
    if resource.provider_id == consumer.pk:
        raise ValidationFailed(_("提供方部门无需申请本部门的资源"), field="consumer")
    wanted = _item_keys(resource, items)
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationFailed(_("请说明数据用途（至少4个字）"), field="purpose")
    today = timezone.localdate()
    if expires_on is not None and expires_on < today:
        raise ValidationFailed(_("有效期不能早于今天"), field="expires_on")
    now = timezone.now()
    request = SharingRequest(
        consumer=consumer,
        resource=resource,
        items=wanted,
        purpose=purpose[:2000],
        requested_by=actor,
        requested_at=now,
        expires_on=expires_on,
    )
    if resource.share_type == ShareType.UNCONDITIONAL:
        request.status, request.decided_at = RequestStatus.APPROVED, now
        request.reason = _("无条件共享资源，自动授权")
    request.save()
    audit_record(
        action="sharing_request.create",
        actor=actor,
        object_type="sharing_request",
        object_id=request.pk,
        detail={"resource": resource.code, "consumer": consumer.pk, "status": request.status},
    )
    return request


def _locked_request(request_id: int) -> SharingRequest:
    found = (
        SharingRequest.objects.select_for_update()
        .select_related("resource")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound(_("共享申请不存在"), field="id")
    return found


def _decide(
    *, actor: Any, request_id: int, status: str, reason: str, expires_on: date | None = None
) -> SharingRequest:
    request = _locked_request(request_id)
    if not staff_has_role(
        actor, role=Role.DATA_STEWARD, department_id=request.resource.provider_id
    ):
        raise PermissionDenied(_("只有提供方部门的数据管理员可以审核该申请"))
    reason = (reason or "").strip()
    if status == RequestStatus.REVOKED:
        if request.status != RequestStatus.APPROVED:
            raise ValidationFailed(_("只有已批准的授权可以撤销"), field="status")
    elif request.status != RequestStatus.PENDING:
        raise ValidationFailed(_("该申请已审核，不能重复审核"), field="status")
    if status in (RequestStatus.REFUSED, RequestStatus.REVOKED) and len(reason) < 2:
        raise ValidationFailed(_("请填写理由"), field="reason")
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise ValidationFailed(_("有效期不能早于今天"), field="expires_on")
        request.expires_on = expires_on
    request.status, request.reason = status, reason[:2000]
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save()
    audit_record(
        action=f"sharing_request.{status}",
        actor=actor,
        object_type="sharing_request",
        object_id=request.pk,
        detail={"resource": request.resource.code, "consumer": request.consumer_id},
    )
    return request


@transaction.atomic
def sharing_request_approve(
    *, actor: Any, request_id: int, expires_on: date | None = None, reason: str = ""
) -> SharingRequest:
    """The provider's data steward approves a conditional request: it becomes a grant."""
    return _decide(
        actor=actor,
        request_id=request_id,
        status=RequestStatus.APPROVED,
        reason=reason,
        expires_on=expires_on,
    )


@transaction.atomic
def sharing_request_refuse(*, actor: Any, request_id: int, reason: str) -> SharingRequest:
    """The provider's data steward refuses a request, giving the reason."""
    return _decide(actor=actor, request_id=request_id, status=RequestStatus.REFUSED, reason=reason)


@transaction.atomic
def grant_revoke(*, actor: Any, request_id: int, reason: str) -> SharingRequest:
    """The provider's data steward withdraws a grant, giving the reason."""
    return _decide(actor=actor, request_id=request_id, status=RequestStatus.REVOKED, reason=reason)


@transaction.atomic
def grants_expire(*, today: date | None = None) -> int:
    """Mark grants past their end date as expired (periodic job); returns how many."""
    today = today or timezone.localdate()
    expired = list(
        SharingRequest.objects.select_for_update()
        .filter(status=RequestStatus.APPROVED, expires_on__lt=today)
        .values_list("pk", flat=True)[:1000]
    )
    if expired:
        SharingRequest.objects.filter(pk__in=expired).update(status=RequestStatus.EXPIRED)
        audit_record(
            action="sharing_request.expire",
            object_type="sharing_request",
            object_id=",".join(map(str, expired))[:80],
            detail={"count": len(expired)},
        )
    return len(expired)


# ------------------------------------------------------------------------------ clients


@transaction.atomic
def exchange_client_upsert(
    *,
    client_id: str,
    client_secret: str,
    name: str,
    department_id: int,
    actor: Any = None,
) -> ExchangeClient:
    """Register a department system as a confidential OAuth2 client with the
    client-credentials grant, bound to its department (one client per system)."""
    client_id = (client_id or "").strip()
    if not re.match(r"^[A-Za-z0-9._-]{3,100}$", client_id):
        raise ValidationFailed(
            _("客户端标识应为3至100位字母、数字、点、下划线或连字符"), field="client_id"
        )
    # Production secrets are generated (long and random); 12 characters is the floor an
    # administrator may type, and what the documented demo secret meets.
    if len(client_secret or "") < MIN_SECRET_LENGTH:
        raise ValidationFailed(_("客户端密钥至少12位"), field="client_secret")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写系统名称"), field="name")
    department = department_get(department_id)
    _check_steward(actor, department.pk, _("只有本部门的数据管理员可以登记交换客户端"))
    application_model = get_application_model()
    app = application_model.objects.filter(client_id=client_id).first()
    if app is not None and app.authorization_grant_type != (
        application_model.GRANT_CLIENT_CREDENTIALS
    ):
        raise ValidationFailed(_("该客户端标识已被其他应用使用"), field="client_id")
    app = app or application_model(client_id=client_id)
    app.name = name[:255]
    app.client_type = application_model.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = application_model.GRANT_CLIENT_CREDENTIALS
    app.redirect_uris = ""
    app.skip_authorization = True
    app.algorithm = application_model.NO_ALGORITHM
    app.client_secret = client_secret  # hashed on save
    app.save()
    client = ExchangeClient.objects.filter(client_id=client_id).first() or ExchangeClient(
        client_id=client_id
    )
    client.name, client.department = name[:100], department
    client.save()
    audit_record(
        action="exchange_client.upsert",
        actor=actor,
        object_type="exchange_client",
        object_id=client_id,
        detail={"department": department.pk, "name": name},
    )
    return client


# ----------------------------------------------------------------------------- adapters


@transaction.atomic
def adapter_upsert(*, name: str, kind: str, config: Any, actor: Any = None) -> Adapter:
    """Create or update an adapter (read-only connector), validating its configuration."""
    if actor is not None and not _is_admin(actor) and not steward_departments(actor):
        raise PermissionDenied(_("只有数据管理员可以配置适配器"))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写适配器名称"), field="name")
    _choice(kind, AdapterKind, "kind", _("适配器类型只能是 sql、rest、file 或 platform"))
    config = adapter_config_check(kind, config)
    adapter = Adapter.objects.filter(name=name).first() or Adapter(name=name)
    adapter.kind, adapter.config = kind, config
    adapter.save()
    audit_record(
        action="adapter.upsert",
        actor=actor,
        object_type="adapter",
        object_id=adapter.pk,
        detail={"name": name, "kind": kind},
    )
    return adapter


def adapter_config_check(kind: str, config: Any) -> dict[str, Any]:
    try:
        return adapters.config_check(kind, config)
    except adapters.AdapterConfigError as exc:
        raise ValidationFailed(str(exc), field="config") from None


def transforms_check(specs: Any) -> list[str]:
    """Refuse unknown or malformed transforms, giving the reason in Chinese."""
    try:
        return [t.spec for t in tf.parse_all(specs)]
    except tf.TransformError as exc:
        raise ValidationFailed(str(exc), field="transforms") from None


@transaction.atomic
def field_mapping_set(
    *,
    adapter_id: int,
    item_key: str,
    source: str,
    transforms: list[str] | None = None,
    actor: Any = None,
) -> FieldMapping:
    """Map a data item to a source column (or JSON key) with ordered transforms."""
    if actor is not None and not _is_admin(actor) and not steward_departments(actor):
        raise PermissionDenied(_("只有数据管理员可以配置字段映射"))
    adapter = Adapter.objects.filter(pk=adapter_id).first()
    if adapter is None:
        raise ValidationFailed(_("适配器不存在"), field="adapter_id")
    if not ITEM_KEY.match(item_key or ""):
        raise ValidationFailed(_("信息项标识格式不正确"), field="item_key")
    source = (source or "").strip()
    if not source or len(source) > 100:
        raise ValidationFailed(_("请填写源字段（不超过100个字符）"), field="source")
    if adapter.kind == AdapterKind.SQL and not adapters.IDENTIFIER.match(source):
        raise ValidationFailed(_("数据库源字段只能包含字母、数字和下划线"), field="source")
    specs = transforms_check(transforms or [])
    mapping = FieldMapping.objects.filter(adapter=adapter, item_key=item_key).first()
    mapping = mapping or FieldMapping(adapter=adapter, item_key=item_key)
    mapping.source, mapping.transforms = source, specs
    mapping.save()
    audit_record(
        action="field_mapping.set",
        actor=actor,
        object_type="adapter",
        object_id=adapter.pk,
        detail={"item": item_key, "source": source, "transforms": specs},
    )
    return mapping


# ------------------------------------------------------------------------------ gateway


def _rate() -> tuple[int, int]:
    text = str(getattr(settings, "TONGBAN_EXCHANGE_RATE", "600/m"))
    count, _sep, period = text.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period.strip()[:1].lower(), 60)
    return max(1, int(count)), seconds


def _rate_check(client_id: str) -> None:
    limit, seconds = _rate()
    window = int(time.time() // seconds)
    key = f"tongban:exchange-rate:{sm3_hex(client_id.encode())[:32]}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        used = 1
    if used > limit:
        raise RateLimited(_("调用过于频繁，请稍后再试"))


@dataclass(frozen=True)
class GatewayAnswer:
    items: list[dict[str, Any]]
    message_id: str
    # Opaque cursor of the next page (pass it as ``after``), None on the last page.
    next: str | None = None


def _cursor_encode(resource_code: str, filters: dict[str, Any], position: Any) -> str:
    """An encrypted (SM4-GCM) position: opaque to clients, tamper-evident, and only
    valid for the resource and filters it was given for."""
    scope = sm3_hex(canonical({"resource": resource_code, "filters": filters}))[:16]
    return encrypt_field(json.dumps({"s": scope, "p": position}, ensure_ascii=False))


def _cursor_decode(cursor: Any, resource_code: str, filters: dict[str, Any]) -> Any:
    invalid = ValidationFailed(_("分页参数 after 无效，请使用上一页返回的 next"), field="after")
    if not isinstance(cursor, str) or len(cursor) > 2000:
        raise invalid
    try:
        data = json.loads(decrypt_field(cursor))
    except (DecryptionError, ValueError):
        raise invalid from None
    scope = sm3_hex(canonical({"resource": resource_code, "filters": filters}))[:16]
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("p"), dict):
        raise invalid
    return data["p"]


def _denied_item(item: DataItem) -> PermissionDenied:
    return PermissionDenied(
        _("无权访问数据项：%(key)s（%(label)s）") % {"key": item.key, "label": item.label},
        field=item.key,
    )


def gateway_query(
    *,
    client_id: str,
    resource_code: str,
    filters: dict[str, Any],
    fields: list[str],
    purpose: str,
    limit: int = DEFAULT_LIMIT,
    after: str | None = None,
    on_behalf_of: int | None = None,
) -> GatewayAnswer:
    """Answer a department system's query through the resource's adapter (共享交换).

    Checks the client's rate, the grant of its department item by item, reads the source,
    masks items for every consumer but the provider itself, and writes one message log
    record for the exchange whatever its outcome. Answers are pages of at most ``limit``
    rows: ``next`` is the cursor to pass as ``after`` for the following page (one more
    call, one more logged message), None on the last page.

    ``on_behalf_of`` (代部门查询) is for the platform's own client only: the grant is still
    its department's, but the source is told that the data is for that department (a
    licence holder's consent is checked for the department handling the case), and the
    message log records it.
    """
    message_id = uuid.uuid4()
    client = ExchangeClient.objects.filter(client_id=client_id).first()
    request_body: dict[str, Any] = {
        "resource": resource_code,
        "filters": filters,
        "fields": fields,
        "purpose": purpose,
        "limit": limit,
        "after": after,
    }
    if on_behalf_of is not None:
        # Only when set, so requests without it hash as they always did.
        request_body["on_behalf_of"] = on_behalf_of
    log: dict[str, Any] = {
        "message_id": message_id,
        "client_id": client_id,
        "consumer_id": client.department_id if client else None,
        "provider_id": None,
        "resource_code": (resource_code or "")[:64],
        "purpose": (purpose or "")[:500],
        "fields": [str(f)[:64] for f in fields][:100] if isinstance(fields, list) else [],
        "filter_keys": sorted(str(k)[:64] for k in filters)[:100]
        if isinstance(filters, dict)
        else [],
        "request_hash": sm3_hex(canonical(request_body)),
        "on_behalf_of": on_behalf_of if isinstance(on_behalf_of, int) else None,
    }
    try:
        if client is None:
            raise PermissionDenied(_("该客户端未登记为交换客户端"))
        _on_behalf_check(client, on_behalf_of)
        _rate_check(client_id)
        resource = resource_get(resource_code)
        log["provider_id"] = resource.provider_id
        rows, next_cursor = _query(
            client, resource, filters, fields, purpose, limit, after, on_behalf_of=on_behalf_of
        )
    except DomainError as exc:
        body = {"code": exc.code, "message": exc.message, "field": exc.field}
        message_record(**log, status=exc.status, response_hash=sm3_hex(canonical(body)))
        raise
    answer = {"items": rows, "message_id": str(message_id), "next": next_cursor}
    message_record(**log, status=200, response_hash=sm3_hex(canonical(answer)))
    return GatewayAnswer(rows, str(message_id), next_cursor)


def _on_behalf_check(client: ExchangeClient, on_behalf_of: Any) -> None:
    """Only the platform's own client may ask for another department, and only for one
    that exists."""
    if on_behalf_of is None:
        return
    if client.client_id != settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT:
        raise PermissionDenied(_("只有平台自身的交换客户端可以代其他部门查询"))
    if not isinstance(on_behalf_of, int) or isinstance(on_behalf_of, bool):
        raise ValidationFailed(_("代查询部门无效"), field="on_behalf_of")
    department_get(on_behalf_of)


def _query(
    client: ExchangeClient,
    resource: Resource,
    filters: Any,
    fields: Any,
    purpose: str,
    limit: int,
    after: str | None = None,
    *,
    on_behalf_of: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    if not isinstance(fields, list) or not fields or len(fields) > 100:
        raise ValidationFailed(_("请在 fields 中列出要查询的数据项"), field="fields")
    if not isinstance(filters, dict) or len(filters) > 20:
        raise ValidationFailed(_("filters 应为“数据项: 值”形式的对象"), field="filters")
    if len((purpose or "").strip()) < 2:
        raise ValidationFailed(_("请说明本次查询的用途（purpose）"), field="purpose")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            _("limit 应在 1 到 %(max)s 之间") % {"max": MAX_LIMIT}, field="limit"
        )
    items = {item.key: item for item in resource.items.all()}
    wanted = [str(f) for f in dict.fromkeys(fields)]
    for key in [*wanted, *filters]:
        if key not in items:
            raise ValidationFailed(_("资源没有数据项：%(key)s") % {"key": key}, field=str(key)[:64])
    own = client.department_id == resource.provider_id
    if not own:
        if resource.share_type == ShareType.NONE:
            raise PermissionDenied(_("该资源不予共享"))
        granted = granted_keys(consumer_id=client.department_id, resource_id=resource.pk)
        if granted is None:
            raise PermissionDenied(_("本部门没有该资源的有效共享授权"))
        for key in [*wanted, *filters]:
            if key not in granted:
                raise _denied_item(items[key])
    for key, value in filters.items():
        if not items[key].filterable:
            raise ValidationFailed(
                _("数据项 %(key)s（%(label)s）不能作为查询条件")
                % {"key": key, "label": items[key].label},
                field=key,
            )
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValidationFailed(_("查询条件的值应为文本或数字"), field=key)
    position = _cursor_decode(after, resource.code, filters) if after is not None else None
    if resource.adapter_id is None:
        raise AdapterUnavailable(_("该资源尚未接入数据源，请联系提供方部门"))
    adapter = resource.adapter
    assert adapter is not None
    # Platform sources answer in data item keys: a mapping there is optional.
    mappings = FieldMapping.objects.filter(adapter=adapter)
    try:
        fields_by_key = {
            m.item_key: adapters.SourceField(
                m.item_key, m.source, tuple(tf.parse_all(m.transforms))
            )
            for m in mappings
        }
    except tf.TransformError as exc:
        logger.error("adapter %s has a bad mapping: %s", adapter.pk, exc)
        raise AdapterUnavailable(_("提供方数据源配置有误，请联系提供方部门")) from None
    timeout = float(adapter.config.get("timeout", 5))
    query = adapters.Query(
        adapter_id=adapter.pk,
        kind=adapter.kind,
        config=adapter.config,
        fields=fields_by_key,
        wanted=wanted,
        filters=dict(filters),
        limit=limit,
        timeout=timeout,
        after=position,
        consumer_department_id=on_behalf_of if on_behalf_of is not None else client.department_id,
    )
    try:
        page = adapters.fetch_page(query)
    except adapters.AdapterTimeout as exc:
        logger.warning("adapter %s (%s) timed out: %s", adapter.pk, adapter.name, exc)
        raise AdapterTimedOut(_("提供方数据源响应超时，请稍后再试")) from None
    except adapters.AdapterFailed as exc:
        logger.error("adapter %s (%s) failed: %s", adapter.pk, adapter.name, exc)
        raise AdapterUnavailable(_("提供方数据源暂时不可用，请稍后再试")) from None
    except Exception:  # an adapter bug must answer 502, never 500
        logger.exception("adapter %s (%s) crashed", adapter.pk, adapter.name)
        raise AdapterUnavailable(_("提供方数据源暂时不可用，请稍后再试")) from None
    rows = page.rows[:limit]
    if not own:
        rules = {k: items[k].mask for k in wanted if items[k].mask != MaskRule.NONE}
        for row in rows:
            for key, rule in rules.items():
                row[key] = tf.mask(rule, row.get(key))
    next_cursor = _cursor_encode(resource.code, filters, page.next) if page.next else None
    return rows, next_cursor


# -------------------------------------------------------------------------- message log


def _batch_size() -> int:
    return max(1, int(getattr(settings, "TONGBAN_EXCHANGE_BATCH_SIZE", 256)))


def _locked_head() -> MessageHead:
    head = MessageHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        MessageHead.objects.get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH, "batched_seq": 0}
        )
        head = MessageHead.objects.select_for_update().get(pk=1)
    return head


def message_record(
    *,
    message_id: uuid.UUID,
    client_id: str,
    consumer_id: int | None,
    provider_id: int | None,
    resource_code: str,
    purpose: str,
    fields: list[str],
    filter_keys: list[str],
    request_hash: str,
    response_hash: str,
    status: int,
    on_behalf_of: int | None = None,
) -> MessageLog:
    """Append one exchange to the hash chain; signs a batch when it is full."""
    with transaction.atomic():
        head = _locked_head()
        record = MessageLog(
            seq=head.seq + 1,
            message_id=message_id,
            at=timezone.now(),
            client_id=client_id[:100],
            consumer_id=consumer_id,
            provider_id=provider_id,
            resource_code=resource_code,
            purpose=purpose,
            fields=fields,
            filter_keys=filter_keys,
            request_hash=request_hash,
            response_hash=response_hash,
            status=status,
            on_behalf_of=on_behalf_of,
            prev_hash=head.hash,
        )
        record.hash = record_hash(record)
        record.save()
        head.seq, head.hash = record.seq, record.hash
        if head.seq - head.batched_seq >= _batch_size():
            _batch_sign(head)
        head.save()
    return record


def _batch_sign(head: MessageHead) -> MessageBatch:
    """Sign the records after the last batch up to the head (caller holds the head lock)."""
    first, last = head.batched_seq + 1, head.seq
    hashes = list(
        MessageLog.objects.filter(seq__gte=first, seq__lte=last)
        .order_by("seq")
        .values_list("hash", flat=True)
    )
    root = merkle_root([str(h) for h in hashes])
    signer = platform_signer()
    batch = MessageBatch.objects.create(
        first_seq=first,
        last_seq=last,
        merkle_root=root,
        signed_at=timezone.now(),
        algorithm=signer.algorithm,
        key_id=signer.key_id,
        public_key=signer.public_key_hex(),
        signature=signer.sign(batch_message(first, last, root)).hex(),
    )
    head.batched_seq = last
    return batch


def message_batch_close() -> MessageBatch | None:
    """Sign the unsigned tail of the log, if any (periodic job)."""
    with transaction.atomic():
        head = _locked_head()
        if head.seq <= head.batched_seq:
            return None
        batch = _batch_sign(head)
        head.save(update_fields=["batched_seq"])
        return batch


def batches_expected(records: int) -> int:
    """How many signatures ``records`` records need when batches are full (for checks)."""
    return math.ceil(records / _batch_size())


# ------------------------------------------------------------------------- bulk reading


def resource_rows(
    resource_code: str, keys: list[str], *, page_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every row of a resource's source, as ``keys`` (data item keys), paging through its
    adapter. For the platform's own publishing (open data snapshots), not for department
    systems: no grant check, no masking and no message log — callers publish only items
    that are neither sensitive nor masked. Adapter failures raise ``AdapterUnavailable``
    or ``AdapterTimedOut``."""
    resource = resource_get(resource_code)
    if resource.adapter is None:
        raise AdapterUnavailable(_("该资源尚未接入数据源，请联系提供方部门"))
    adapter = resource.adapter
    try:
        fields_by_key = {
            m.item_key: adapters.SourceField(
                m.item_key, m.source, tuple(tf.parse_all(m.transforms))
            )
            for m in FieldMapping.objects.filter(adapter=adapter)
        }
    except tf.TransformError:
        raise AdapterUnavailable(_("提供方数据源配置有误，请联系提供方部门")) from None
    position: dict[str, Any] | None = None
    while True:
        query = adapters.Query(
            adapter_id=adapter.pk,
            kind=adapter.kind,
            config=adapter.config,
            fields=fields_by_key,
            wanted=list(keys),
            filters={},
            limit=page_size,
            timeout=float(adapter.config.get("timeout", 5)),
            after=position,
            consumer_department_id=resource.provider_id,
        )
        try:
            page = adapters.fetch_page(query)
        except adapters.AdapterTimeout:
            raise AdapterTimedOut(_("提供方数据源响应超时，请稍后再试")) from None
        except adapters.AdapterFailed as exc:
            logger.error("adapter %s (%s) failed: %s", adapter.pk, adapter.name, exc)
            raise AdapterUnavailable(_("提供方数据源暂时不可用，请稍后再试")) from None
        yield from page.rows
        if page.next is None:
            return
        position = page.next
