"""Open data writes: publishing catalog resources as open datasets (开放数据集), their
datastore snapshot and files, withdrawal, applications for conditionally open data
(开放申请) and API keys (接口密钥).

Personal data is never published: a resource with sensitive or masked data items cannot
be opened until the steward removes or aggregates them in the resource catalog.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.crypto import lookup_hash
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import audit_record, event_emit
from tongban.exchange import services as exchange
from tongban.exchange.selectors import resource_get, resource_items, steward_departments
from tongban.opendata import events
from tongban.opendata.models import (
    AccessApplication,
    ApiKey,
    ApplicationStatus,
    Dataset,
    DatasetState,
    Distribution,
    DistributionFormat,
    Frequency,
    Group,
    Record,
    Tag,
)
from tongban.opendata.selectors import dataset_get_any, records_all, render_file

# A snapshot holds at most this many rows of the source (the rest is not published).
MAX_SNAPSHOT_ROWS = 50_000
MAX_API_KEYS = 10
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
LICENSES = ("CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "ODC-BY-1.0", "ODbL-1.0", "other-open")
OPEN_TYPES = {"unconditional": "open", "conditional": "conditional"}


def _steward_check(actor: Any, department_id: int, message: str) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if department_id not in steward_departments(actor):
        raise PermissionDenied(message)


def _tags(names: list[str]) -> list[Tag]:
    found = []
    for raw in names[:30]:
        name = str(raw).strip()[:100]
        if name:
            found.append(Tag.objects.get_or_create(name=name)[0])
    return found


def _groups(names: list[str]) -> list[Group]:
    found = []
    for raw in names[:20]:
        group = Group.objects.filter(name=str(raw).strip()).first()
        if group is None:
            raise ValidationFailed(_("主题“%(name)s”不存在") % {"name": raw}, field="groups")
        found.append(group)
    return found


@transaction.atomic
def dataset_publish(
    *,
    actor: Any,
    resource_code: str,
    name: str,
    title: str,
    notes: str,
    groups: list[str],
    tags: list[str],
    license_id: str,
    frequency: str,
    contact_name: str,
    contact_email: str,
    temporal_start: date | None = None,
    temporal_end: date | None = None,
    terms: str = "",
) -> Dataset:
    """Open a catalog resource as a dataset (or update it: idempotent by resource code),
    take its snapshot and generate its files."""
    resource = resource_get((resource_code or "").strip())
    _steward_check(actor, resource.provider_id, _("只有提供方部门的数据管理员可以开放该资源"))
    access = OPEN_TYPES.get(resource.open_type)
    if access is None:
        raise ValidationFailed(_("该资源的开放类型为不予开放，不能开放"), field="resource_code")
    terms = (terms or "").strip()
    if access == "conditional" and len(terms) < 4:
        raise ValidationFailed(_("有条件开放的数据集须填写使用条件"), field="terms")
    items = resource_items(resource)
    if not items:
        raise ValidationFailed(_("该资源没有数据项"), field="resource_code")
    personal = [i for i in items if i.sensitivity == "sensitive" or i.mask != "none"]
    if personal:
        raise ValidationFailed(
            _("个人信息不得开放：数据项 %(items)s 为敏感或需脱敏，请先在资源目录中删除或汇总")
            % {"items": "、".join(f"{i.key}（{i.label}）" for i in personal)},
            field="resource_code",
        )
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise ValidationFailed(_("标识应为2至100位小写字母、数字、连字符或下划线"), field="name")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写数据集名称"), field="title")
    if license_id not in LICENSES:
        raise ValidationFailed(_("许可协议不存在"), field="license_id")
    if frequency not in Frequency.values:
        raise ValidationFailed(_("更新频率不存在"), field="frequency")
    contact_name, contact_email = (contact_name or "").strip(), (contact_email or "").strip()
    if not contact_name:
        raise ValidationFailed(_("请填写联系人"), field="contact_name")
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", contact_email):
        raise ValidationFailed(_("联系邮箱格式不正确"), field="contact_email")
    if temporal_start and temporal_end and temporal_end < temporal_start:
        raise ValidationFailed(_("时间范围止不能早于起"), field="temporal_end")
    group_rows, tag_rows = _groups(groups), _tags(tags)
    existing = Dataset.objects.select_for_update().filter(resource_code=resource.code).first()
    taken = Dataset.objects.filter(name=name).exclude(resource_code=resource.code).exists()
    if taken:
        raise Conflict(_("标识“%(name)s”已被其他数据集使用") % {"name": name}, field="name")
    dataset = existing or Dataset(resource_code=resource.code)
    dataset.name, dataset.title, dataset.notes = name, title[:200], (notes or "").strip()
    dataset.organization = resource.provider
    dataset.spatial = resource.provider.division
    dataset.access, dataset.terms = access, terms
    dataset.license_id, dataset.frequency = license_id, frequency
    dataset.temporal_start, dataset.temporal_end = temporal_start, temporal_end
    dataset.contact_name, dataset.contact_email = contact_name[:100], contact_email[:254]
    dataset.fields = [
        {"id": i.key, "type": i.data_type, "label": i.label, "description": i.description}
        for i in items
    ]
    dataset.state = DatasetState.ACTIVE
    dataset.issued = dataset.issued or timezone.now()
    dataset.save()
    dataset.groups.set(group_rows)
    dataset.tags.set(tag_rows)
    rows = dataset_refresh(dataset)
    audit_record(
        action="dataset.publish" if existing is None else "dataset.update",
        actor=actor,
        object_type="dataset",
        object_id=dataset.name,
        detail={"resource": resource.code, "access": access, "rows": rows},
    )
    event_emit(
        events.DatasetPublished(
            dataset_id=dataset.pk, name=dataset.name, department_id=dataset.organization_id
        )
    )
    return dataset


def _value(field: dict[str, Any], raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    kind = field.get("type")
    try:
        if kind == "integer":
            return int(float(str(raw)))
        if kind == "number":
            return float(str(raw))
    except ValueError:
        return str(raw)
    if kind == "boolean" and isinstance(raw, bool):
        return raw
    return str(raw)


@transaction.atomic
def dataset_refresh(dataset: Dataset) -> int:
    """Replace the dataset's snapshot with every row of its source (at most
    ``MAX_SNAPSHOT_ROWS``) and regenerate its three files; returns the number of rows."""
    fields = list(dataset.fields)
    keys = [str(f["id"]) for f in fields]
    records = []
    for number, raw in enumerate(exchange.resource_rows(dataset.resource_code, keys)):
        if number >= MAX_SNAPSHOT_ROWS:
            break
        data = {str(f["id"]): _value(f, raw.get(str(f["id"]))) for f in fields}
        text = " ".join(str(v) for v in data.values() if v is not None).lower()
        records.append(Record(dataset=dataset, row=number + 1, data=data, text=text))
    Record.objects.filter(dataset=dataset).delete()
    Record.objects.bulk_create(records, batch_size=1000)
    rows = records_all(dataset)
    existing = {d.format: d for d in Distribution.objects.filter(dataset=dataset)}
    for fmt in DistributionFormat.values:
        size = len(render_file(fields, rows, fmt))
        distribution = existing.get(fmt) or Distribution(
            id=uuid.uuid4(), dataset=dataset, format=fmt
        )
        distribution.size = size
        distribution.save()
    Dataset.objects.filter(pk=dataset.pk).update(modified=timezone.now())
    return len(records)


@transaction.atomic
def dataset_withdraw(*, actor: Any, name: str, reason: str) -> Dataset:
    """Withdraw an open dataset (撤回): it leaves the portal, the API and the catalog."""
    dataset = dataset_get_any(name)
    _steward_check(actor, dataset.organization_id, _("只有提供方部门的数据管理员可以撤回该数据集"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("请填写撤回理由"), field="reason")
    if dataset.state != DatasetState.ACTIVE:
        raise ValidationFailed(_("该数据集未处于开放状态"), field="name")
    dataset.state = DatasetState.WITHDRAWN
    dataset.save(update_fields=["state", "modified"])
    audit_record(
        action="dataset.withdraw",
        actor=actor,
        object_type="dataset",
        object_id=dataset.name,
        detail={"reason": reason[:500]},
    )
    event_emit(events.DatasetWithdrawn(dataset_id=dataset.pk, name=dataset.name))
    return dataset


def download_record(distribution: Distribution) -> None:
    """Count one download (atomically, whatever the concurrency)."""
    Distribution.objects.filter(pk=distribution.pk).update(download_count=F("download_count") + 1)


# ---------------------------------------------------------------------- applications


@transaction.atomic
def application_submit(
    *, user: Any, dataset_name: str, purpose: str, terms_accepted: bool
) -> AccessApplication:
    """A signed-in user applies for a conditionally open dataset, accepting its terms."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"))
    dataset = dataset_get_any(dataset_name)
    if dataset.state != DatasetState.ACTIVE:
        raise NotFound(_("数据集不存在或已撤回"), field="dataset")
    if dataset.access != "conditional":
        raise ValidationFailed(_("该数据集为无条件开放，无需申请"), field="dataset")
    if terms_accepted is not True:
        raise ValidationFailed(_("请阅读并同意使用条件"), field="terms_accepted")
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationFailed(_("请说明数据用途（至少4个字）"), field="purpose")
    open_ones = AccessApplication.objects.select_for_update().filter(
        dataset=dataset,
        applicant=user,
        status__in=[ApplicationStatus.PENDING, ApplicationStatus.APPROVED],
    )
    if open_ones.exists():
        raise Conflict(_("您已申请过该数据集，请勿重复申请"), field="dataset")
    application = AccessApplication.objects.create(
        dataset=dataset, applicant=user, purpose=purpose[:2000], terms_accepted=True
    )
    audit_record(
        action="opendata_application.submit",
        actor=user,
        object_type="opendata_application",
        object_id=application.pk,
        detail={"dataset": dataset.name},
    )
    return application


@transaction.atomic
def application_decide(
    *, actor: Any, application_id: int, approve: bool, reason: str = ""
) -> AccessApplication:
    """The providing department's data steward approves or refuses an application."""
    application = (
        AccessApplication.objects.select_for_update()
        .select_related("dataset")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound(_("开放申请不存在"), field="id")
    _steward_check(
        actor,
        application.dataset.organization_id,
        _("只有提供方部门的数据管理员可以审核该申请"),
    )
    if application.status != ApplicationStatus.PENDING:
        raise ValidationFailed(_("该申请已审核，不能重复审核"), field="status")
    reason = (reason or "").strip()
    if not approve and len(reason) < 2:
        raise ValidationFailed(_("请填写不同意的理由"), field="reason")
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
    application.reason, application.decided_by = reason[:2000], actor
    application.decided_at = timezone.now()
    application.save()
    audit_record(
        action=f"opendata_application.{application.status}",
        actor=actor,
        object_type="opendata_application",
        object_id=application.pk,
        detail={"dataset": application.dataset.name},
    )
    event_emit(
        events.AccessApplicationDecided(
            application_id=application.pk,
            dataset_id=application.dataset_id,
            applicant_id=application.applicant_id,
            status=application.status,
        )
    )
    return application


# ----------------------------------------------------------------------------- API keys


@transaction.atomic
def api_key_create(*, user: Any, name: str) -> tuple[ApiKey, str]:
    """A new API key; the plaintext is returned once and only its keyed hash is kept."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写密钥名称（不超过100个字）"), field="name")
    if ApiKey.objects.filter(owner=user, active=True).count() >= MAX_API_KEYS:
        raise ValidationFailed(
            _("每人最多 %(n)s 个有效密钥，请先停用不用的密钥") % {"n": MAX_API_KEYS},
            field="name",
        )
    for _attempt in range(5):
        plaintext = secrets.token_urlsafe(32)
        if not ApiKey.objects.filter(prefix=plaintext[:8]).exists():
            break
    else:  # pragma: no cover - 48 random bits colliding five times
        raise Conflict(_("生成密钥失败，请重试"))
    try:
        with transaction.atomic():
            key = ApiKey.objects.create(
                owner=user, name=name, prefix=plaintext[:8], key_hash=lookup_hash(plaintext)
            )
    except IntegrityError:  # pragma: no cover - a concurrent identical prefix
        raise Conflict(_("生成密钥失败，请重试")) from None
    audit_record(
        action="api_key.create",
        actor=user,
        object_type="api_key",
        object_id=key.pk,
        detail={"prefix": key.prefix},
    )
    return key, plaintext


@transaction.atomic
def api_key_revoke(*, user: Any, key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None or (key.owner_id != getattr(user, "pk", None) and not user.is_superuser):
        raise NotFound(_("接口密钥不存在"), field="id")
    if key.active:
        key.active = False
        key.save(update_fields=["active"])
        audit_record(
            action="api_key.revoke",
            actor=user,
            object_type="api_key",
            object_id=key.pk,
            detail={"prefix": key.prefix},
        )
    return key


def api_key_touch(key: ApiKey) -> None:
    """Note that a key was used (at most once a minute)."""
    now = timezone.now()
    if key.last_used is None or (now - key.last_used).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used=now)


# ---------------------------------------------------------------------------- themes


@transaction.atomic
def group_upsert(*, name: str, title: str, description: str = "", eu_theme: str = "") -> Group:
    """Create or update a theme (configuration; demo and admin)."""
    if not NAME.match(name or ""):
        raise ValidationFailed(_("标识格式不正确"), field="name")
    group = Group.objects.filter(name=name).first()
    if group and (group.title, group.description, group.eu_theme) == (
        title,
        description,
        eu_theme,
    ):
        return group
    group = group or Group(name=name)
    group.title, group.description, group.eu_theme = title, description, eu_theme
    group.save()
    audit_record(action="opendata_group.upsert", object_type="opendata_group", object_id=name)
    return group
