"""Case writes. The cases app owns applications (办件): their lifecycle and timeline, case
numbers, idempotent creation, materials and their reuse, correction notices, appointments
and the public status query.

Lifecycle: draft -> submitted -> (correction_required <-> submitted) -> accepted | not_accepted
-> in_review (correction_required <-> in_review) -> completed (approved | denied); withdrawn
ends any open case. The process starts at submission; the first decision on a submitted case
is the intake decision (受理 / 不予受理 / 补正), later ones are review steps, and the process's
end event decides the result.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import applicant_identifier, applicant_identity
from tongban.cases import events, selectors
from tongban.cases.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    CaseResult,
    CaseStatus,
    Channel,
    CorrectionNotice,
    FetchedMaterial,
    IdempotencyKey,
    ServiceWindow,
    StoredFile,
)
from tongban.catalog import selectors as catalog
from tongban.catalog.services import schema_errors
from tongban.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tongban.core.selectors import add_working_days, is_workday
from tongban.core.services import audit_record, event_emit
from tongban.core.uploads import upload_read, upload_sniff
from tongban.exchange import selectors as exchange_selectors
from tongban.exchange import services as exchange
from tongban.workflow import services as workflow

BUSINESS_TYPE = "case"
# 行政许可法 art. 32: corrections must be asked for within five (working) days, once.
INTAKE_CORRECTION_DAYS = 5
APPROVED_OUTCOME_PREFIX = "end_approved"
EDITABLE = (CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUIRED)
WITHDRAWABLE = (CaseStatus.DRAFT, *OPEN_STATUSES)


# ---------------------------------------------------------------------------- timeline


def _actor_name(actor: Any) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "display_name", "") or actor.get_username())


def case_timeline_add(
    *,
    case_id: int,
    actor: Any,
    action: str,
    title: str,
    comment: str = "",
    internal: bool = False,
) -> None:
    """Add an entry to a case's timeline without changing its status (e.g. a suspension);
    an ``internal`` entry only staff who may see the case are shown."""
    CaseEvent.objects.create(
        case_id=case_id,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        title=title,
        comment=comment,
        internal=internal,
    )


def _move(
    case: Case, status: str, *, actor: Any, action: str, title: str, comment: str = ""
) -> None:
    """Change the status and record the transition in the timeline, in one place."""
    before = case.status
    case.status = status
    case.save()
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        title=title,
        status_from=before,
        status_to=status,
        comment=comment,
    )
    audit_record(
        action=f"case.{action}",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        detail={"number": case.number, "from": before, "to": status},
    )


@transaction.atomic
def case_supervision_mark(*, case_id: int, deadline: date | None, level: str) -> None:
    """Copy the supervision clock's deadline and level onto the case for display."""
    Case.objects.filter(pk=case_id).update(deadline=deadline, level=level)


# ---------------------------------------------------------------------------- numbers


def case_number_next(division_code: str, day: date) -> str:
    """办件编号: division, date and a daily serial, e.g. ``420100-20261201-00042``."""
    locked = CaseNumberSequence.objects.select_for_update().filter(
        division_code=division_code, day=day
    )
    sequence = locked.first()
    if sequence is None:  # the day's first case in the division
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(division_code=division_code, day=day)
        except IntegrityError:
            pass  # a concurrent request just made the row
        sequence = locked.get()
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{division_code}-{day:%Y%m%d}-{sequence.last:05d}"


# ---------------------------------------------------------------------------- creation


@dataclass(frozen=True)
class Target:
    """What is applied for: one item's implementation or a life-event bundle."""

    implementation: Any
    bundle: Any
    code: str
    name: str
    division_code: str
    department_code: str
    process_key: str
    statutory_limit: int
    promised_limit: int
    form_schema: dict[str, Any]


def _target(service: str, bundle: str, division_code: str | None) -> Target:
    if bundle:
        found = catalog.bundle_get(bundle)
        items = catalog.bundle_implementations(found)
        if found.lead_department is None or not found.process_key or not items:
            raise ValidationFailed(_("该“一件事”尚未开通网上申报"), field="bundle")
        return Target(
            implementation=None,
            bundle=found,
            code=found.slug,
            name=found.name,
            division_code=found.division_id,
            department_code=found.lead_department.code,
            process_key=found.process_key,
            statutory_limit=max(i.statutory_limit for i in items),
            promised_limit=max(i.promised_limit for i in items),
            form_schema=found.form_schema,
        )
    if not service:
        raise ValidationFailed(_("请指定要申请的事项编码"), field="service")
    implementation = catalog.implementation_for(service, division_code=division_code or None)
    if not implementation.process_key:
        raise ValidationFailed(_("该事项尚未开通网上申报，请到窗口办理"), field="service")
    return Target(
        implementation=implementation,
        bundle=None,
        code=implementation.item.code,
        name=implementation.item.name,
        division_code=implementation.division_id,
        department_code=implementation.department.code,
        process_key=implementation.process_key,
        statutory_limit=implementation.statutory_limit,
        promised_limit=implementation.promised_limit,
        form_schema=implementation.form_schema,
    )


def _audience_check(target: Target, kind: str) -> None:
    if target.implementation is None:
        return
    audience = target.implementation.item.audience
    if audience == "person" and kind != "person":
        raise PermissionDenied(_("该事项仅面向个人办理"), field="service")
    if audience == "legal" and kind != "legal":
        raise PermissionDenied(_("该事项仅面向法人（单位）办理，请使用单位账号"), field="service")


def _form_check(schema: dict[str, Any], form: Any) -> None:
    if not isinstance(form, dict):
        raise ValidationFailed(_("申请表应为 JSON 对象"), field="form")
    problems = schema_errors(schema, form)
    if problems:
        first = problems[0]
        raise ValidationFailed(first.message, field=f"form.{first.field}".rstrip("."))


def _request_hash(service: str, bundle: str, division_code: str | None, form: Any) -> str:
    body = json.dumps([service, bundle, division_code or "", form], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@transaction.atomic
def case_create(
    *,
    user: Any,
    form: Any,
    service: str = "",
    bundle: str = "",
    division_code: str | None = None,
    idempotency_key: str = "",
    channel: str = Channel.ONLINE,
) -> tuple[Case, bool]:
    """Create a draft case; returns (case, created). The same ``Idempotency-Key`` of the
    same user returns the case it created the first time instead of a second one."""
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        raise ValidationFailed(_("Idempotency-Key 不能超过 100 个字符"), field="Idempotency-Key")
    digest = _request_hash(service, bundle, division_code, form)
    if key:
        earlier = _replay(user, key, digest)
        if earlier is not None:
            return earlier, False
    applicant = applicant_identity(user)
    if applicant is None:
        raise PermissionDenied(_("请使用个人或法人账号申请办事"))
    target = _target(service, bundle, division_code)
    _audience_check(target, applicant.kind)
    _form_check(target.form_schema, form)
    if channel not in Channel.values:
        raise ValidationFailed(_("申报来源不正确"), field="channel")
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=case_number_next(target.division_code, timezone.localdate()),
                applicant=user,
                applicant_name=applicant.name,
                applicant_id_hash=applicant.id_hash,
                applicant_id_masked=applicant.id_masked,
                implementation=target.implementation,
                bundle=target.bundle,
                item_code=target.code,
                item_name=target.name,
                division_code=target.division_code,
                department_code=target.department_code,
                process_key=target.process_key,
                statutory_limit=target.statutory_limit,
                promised_limit=target.promised_limit,
                channel=channel,
                form=form,
            )
            if key:
                IdempotencyKey.objects.create(user=user, key=key, request_hash=digest, case=case)
    except IntegrityError:
        # A concurrent request with the same key won; answer as a replay of it.
        earlier = _replay(user, key, digest) if key else None
        if earlier is None:
            raise
        return earlier, False
    case_timeline_add(case_id=case.pk, actor=user, action="create", title=_("创建申请（草稿）"))
    audit_record(
        action="case.create",
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={"number": case.number, "item": case.item_code},
    )
    return case, True


def _replay(user: Any, key: str, digest: str) -> Case | None:
    earlier = IdempotencyKey.objects.select_related("case").filter(user=user, key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != digest:
        raise Conflict(
            _("该 Idempotency-Key 已用于另一份不同的申请，请换一个"),
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return earlier.case


def _own_locked(user: Any, case_id: int) -> Case:
    case = (
        Case.objects.select_for_update()
        .filter(pk=case_id, applicant_id=getattr(user, "pk", None))
        .first()
    )
    if case is None:
        raise NotFound(_("办件不存在或不属于您"))
    return case


@transaction.atomic
def case_form_update(*, user: Any, case_id: int, form: Any) -> Case:
    """Change the application form of a draft or of a case sent back for correction."""
    case = _own_locked(user, case_id)
    _editable_check(case)
    _form_check(case_form_schema(case), form)
    case.form = form
    case.save(update_fields=["form", "updated_at"])
    return case


def _bundle_of(case: Case) -> Any:
    """The life-event bundle of a bundle case. The foreign key keeps it on the case object,
    so a submission, which asks for it for the form, the materials, the fetches and the
    process variables, loads it once."""
    return case.bundle


def case_form_schema(case: Case) -> dict[str, Any]:
    """The application form schema of a case's item or bundle."""
    if case.bundle_id is not None:
        return dict(_bundle_of(case).form_schema)
    return dict(case.implementation.form_schema) if case.implementation else {}


def _editable_check(case: Case) -> None:
    if case.status not in EDITABLE:
        raise Conflict(
            _("办件处于“%(status)s”状态，不能修改") % {"status": case.get_status_display()},
            code="case_not_editable",
        )


# ---------------------------------------------------------------------------- materials

# Types an applicant may upload, recognised by their first bytes, not by their name.
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", ("pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", ("png",)),
    (b"\xff\xd8\xff", "image/jpeg", ("jpg", "jpeg")),
    (b"PK\x03\x04", "application/ofd", ("ofd",)),
)


def required_material_names(case: Case) -> list[tuple[str, bool]]:
    """(name, required) of the materials the applicant provides for this case."""
    if case.bundle_id is not None:
        found = _bundle_of(case)
        return [
            (m.name, m.required)
            for m in catalog.bundle_materials(found)
            if m.source == "upload" and not m.provided_by
        ]
    if case.implementation is None:
        return []
    return [
        (m.name, m.required)
        for m in catalog.materials_of(case.implementation)
        if m.source == "upload"
    ]


def _file_store(user: Any, upload: UploadedFile, label: str) -> StoredFile:
    content = upload_read(upload, int(settings.TONGBAN_UPLOAD_MAX_BYTES))
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    content_type = upload_sniff(content[:16], name, SIGNATURES, _("PDF、OFD、JPG 或 PNG"))
    digest = hashlib.sha256(content).hexdigest()
    existing = StoredFile.objects.filter(owner=user, sha256=digest).first()
    if existing is not None:
        return existing
    extension = name.rsplit(".", 1)[-1].lower()
    path = default_storage.save(
        f"cases/files/{digest[:2]}/{digest}.{extension}", ContentFile(content)
    )
    return StoredFile.objects.create(
        owner=user,
        sha256=digest,
        size=len(content),
        content_type=content_type,
        original_name=name,
        file=path,
        label=label,
    )


@transaction.atomic
def case_material_add(
    *,
    user: Any,
    case_id: int,
    name: str,
    upload: UploadedFile | None = None,
    reuse_file_id: int | None = None,
) -> CaseMaterial:
    """Attach a material: a new upload, or a file the applicant uploaded before (复用)."""
    case = _own_locked(user, case_id)
    _editable_check(case)
    names = [n for n, _required in required_material_names(case)]
    name = (name or "").strip()
    if name not in names:
        raise ValidationFailed(
            _("“%(name)s”不是本事项需要提交的材料") % {"name": name}, field="name"
        )
    if upload is not None and reuse_file_id is None:
        stored, reused = _file_store(user, upload, name), False
    elif upload is None and reuse_file_id is not None:
        found = StoredFile.objects.filter(pk=reuse_file_id, owner=user).first()
        if found is None:
            raise NotFound(_("要复用的材料不存在"), field="reuse")
        stored, reused = found, True
    else:
        raise ValidationFailed(_("请上传文件，或选择一份以前上传过的材料"), field="file")
    # The case row is locked, so a plain select-then-write cannot race another upload to
    # the same case, and it needs none of update_or_create's savepoints.
    material = CaseMaterial.objects.filter(case=case, name=name).first()
    if material is None:
        material = CaseMaterial.objects.create(case=case, name=name, file=stored, reused=reused)
    else:
        material.file, material.reused = stored, reused
        material.save(update_fields=["file", "reused"])
    if case.status == CaseStatus.CORRECTION_REQUIRED:
        case_timeline_add(
            case_id=case.pk, actor=user, action="material", title=_("补交材料：%s") % name
        )
    return material


def _missing_materials(case: Case) -> list[str]:
    present = set(CaseMaterial.objects.filter(case=case).values_list("name", flat=True))
    return [n for n, required in required_material_names(case) if required and n not in present]


# ---------------------------------------------------------------------------- submission


@transaction.atomic
def case_submit(*, user: Any, case_id: int) -> Case:
    """Submit a draft (申报), or resubmit after a correction notice (补正后提交)."""
    case = _own_locked(user, case_id)
    _editable_check(case)
    _form_check(case_form_schema(case), case.form)
    missing = _missing_materials(case)
    if missing:
        raise ValidationFailed(
            _("还缺少必要材料：%(names)s") % {"names": "、".join(missing)},
            code="materials_missing",
            field="materials",
        )
    now = timezone.now()
    if case.status == CaseStatus.DRAFT:
        return _first_submit(case, user, now)
    return _resubmit(case, user, now)


def process_variables(case: Case) -> dict[str, Any]:
    """What a process may decide on: the form's numbers, yes/no answers and choices from a
    fixed list, never free text, which may hold personal data (the process state is not
    encrypted, the form is)."""
    schema = case_form_schema(case).get("properties", {})
    structured = {
        key: value
        for key, value in case.form.items()
        if isinstance(value, bool | int | float)
        or (isinstance(value, str) and "enum" in schema.get(key, {}))
    }
    return {
        **structured,
        "case_number": case.number,
        "item_code": case.item_code,
        "channel": case.channel,
    }


def fetched_material_specs(case: Case) -> list[tuple[str, str]]:
    """(name, resource code) of the materials the platform fetches instead of asking for
    them (共享获取); an empty code means the applicant's identity resource."""
    if case.bundle_id is not None:
        found = catalog.bundle_materials(_bundle_of(case))
        return [(m.name, m.resource_code) for m in found if m.source == "registry"]
    if case.implementation is None:
        return []
    return [
        (m.name, m.resource_code)
        for m in catalog.materials_of(case.implementation)
        if m.source == "registry"
    ]


def _fetch_materials(case: Case, identifier: tuple[str, str] | None) -> None:
    """Ask the exchange gateway for what government already holds, so the applicant need
    not hand it over (“不再重复提交”). A failure is recorded for the window to verify by
    hand; it never blocks the submission."""
    for name, resource_code in fetched_material_specs(case):
        if identifier is None:
            continue
        kind, value = identifier
        code = resource_code or settings.TONGBAN_IDENTITY_RESOURCES.get(kind, "")
        fetched = FetchedMaterial(case=case, name=name, resource_code=code)
        _fetch_one(case, fetched, kind, value)
        fetched.save()
        title = (
            _("系统自动获取材料：%(name)s（来源：%(source)s）")
            % {"name": name, "source": fetched.source_label}
            if fetched.ok
            else _("未能自动获取材料：%(name)s（%(reason)s），由窗口人工核验")
            % {"name": name, "reason": fetched.reason}
        )
        case_timeline_add(case_id=case.pk, actor=None, action="fetch", title=title)


def _fetch_one(case: Case, fetched: FetchedMaterial, kind: str, value: str) -> None:
    client_id = settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT
    client = exchange_selectors.exchange_client_get(client_id)
    try:
        resource = exchange_selectors.resource_get(fetched.resource_code)
    except NotFound:
        fetched.reason = _("共享资源 %(code)s 不存在") % {"code": fetched.resource_code}
        return
    fetched.source_label = (
        f"{resource.provider.division.name}{resource.provider.name}·{resource.name}"
    )
    granted = (
        exchange_selectors.granted_keys(consumer_id=client.department_id, resource_id=resource.pk)
        if client is not None
        else None
    )
    if not granted:
        fetched.reason = _("平台未获得该资源的共享授权")
        return
    key = "id_number" if kind == "person" else "credit_code"
    try:
        with transaction.atomic():
            answer = exchange.gateway_query(
                client_id=client_id,
                resource_code=resource.code,
                filters={key: value},
                fields=sorted(granted),
                purpose=_("办件 %(number)s 自动获取申请材料") % {"number": case.number},
                limit=1,
            )
    except DomainError as exc:
        fetched.reason = exc.message[:300]
        return
    if not answer.items:
        fetched.reason = _("共享资源中没有申请人的记录")
        return
    fetched.ok, fetched.message_id, fetched.data = True, answer.message_id, answer.items[0]


# ------------------------------------------------------------------- licences from the wallet

LICENCE_FETCH_LIMIT = 50
LICENCE_NEEDED_ITEMS = frozenset({"holder_code", "type_name", "status", "identifier"})


def licence_material_specs(case: Case) -> list[tuple[str, int | None]]:
    """(name, handling department id) of the licences (电子证照) the case needs that the
    platform takes from the applicant's wallet, with the holder's consent. In a bundle, a
    licence another item of the bundle produces is not asked for (``provided_by``), and
    the department is the one of the item that needs the licence."""
    if case.bundle_id is not None:
        bundle = _bundle_of(case)
        departments = {
            impl.item.name: impl.department_id for impl in catalog.bundle_implementations(bundle)
        }
        lead = selectors.case_handling_department_id(case)
        return [
            (m.name, next((departments[i] for i in m.items if i in departments), lead))
            for m in catalog.bundle_materials(bundle)
            if m.source == "licence" and not m.provided_by
        ]
    if case.implementation is None:
        return []
    return [
        (m.name, case.implementation.department_id)
        for m in catalog.materials_of(case.implementation)
        if m.source == "licence"
    ]


def _fetch_licences(case: Case, identifier: tuple[str, str] | None) -> None:
    """Take the licences the case needs from the licence library (电子证照库) through the
    gateway, on behalf of the handling department: the library serves a licence only if
    that department issued it or the holder authorised it. Never blocks the submission."""
    for name, department_id in licence_material_specs(case):
        fetched = FetchedMaterial(
            case=case, name=name, resource_code=str(settings.TONGBAN_LICENCE_RESOURCE)
        )
        if identifier is None or department_id is None:
            fetched.reason = _("无法确定申请人或受理部门")
        else:
            _fetch_licence(case, fetched, identifier[1], department_id)
        fetched.save()
        case_timeline_add(case_id=case.pk, actor=None, action="fetch", title=_fetch_title(fetched))


def _fetch_title(fetched: FetchedMaterial) -> str:
    if fetched.ok:
        return _("系统自动获取材料：%(name)s（来源：%(source)s）") % {
            "name": fetched.name,
            "source": fetched.source_label,
        }
    return _("未能自动获取材料：%(name)s（%(reason)s），由窗口人工核验") % {
        "name": fetched.name,
        "reason": fetched.reason,
    }


def _fetch_licence(
    case: Case, fetched: FetchedMaterial, holder_code: str, department_id: int
) -> None:
    client_id = settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT
    client = exchange_selectors.exchange_client_get(client_id)
    try:
        resource = exchange_selectors.resource_get(fetched.resource_code)
    except NotFound:
        fetched.reason = _("共享资源 %(code)s 不存在") % {"code": fetched.resource_code}
        return
    fetched.source_label = f"{resource.name}·{fetched.name}"
    keys: set[str] | None = None
    if client is not None and client.department_id == resource.provider_id:
        keys = {item.key for item in exchange_selectors.resource_items(resource)}
    elif client is not None:
        keys = exchange_selectors.granted_keys(
            consumer_id=client.department_id, resource_id=resource.pk
        )
    if not keys or not keys.issuperset(LICENCE_NEEDED_ITEMS):
        fetched.reason = _("平台未获得该资源的共享授权")
        return
    try:
        with transaction.atomic():
            answer = exchange.gateway_query(
                client_id=client_id,
                resource_code=resource.code,
                filters={"holder_code": holder_code},
                fields=sorted(keys),
                purpose=_("办件 %(number)s 自动获取申请材料") % {"number": case.number},
                limit=LICENCE_FETCH_LIMIT,
                on_behalf_of=department_id,
            )
    except DomainError as exc:
        fetched.reason = exc.message[:300]
        return
    rows = [row for row in answer.items if row.get("type_name") == fetched.name]
    valid = next((row for row in rows if row.get("status") == "valid"), None)
    if valid is None:
        # Without the holder's consent the library returns nothing: the platform cannot
        # tell "does not hold it" from "did not authorise", so the reason covers both.
        fetched.reason = (
            _("电子证照库中没有申请人有效的%(name)s") % {"name": fetched.name}
            if rows
            else _("未能从电子证照库获取%(name)s（未持有或未授权使用）") % {"name": fetched.name}
        )
        return
    data = {key: value for key, value in valid.items() if key != "signed_licence"}
    data["identifier"] = valid.get("identifier")
    fetched.ok, fetched.message_id, fetched.data = True, answer.message_id, data


def _first_submit(case: Case, user: Any, now: datetime) -> Case:
    identifier = applicant_identifier(case.applicant)
    _fetch_materials(case, identifier)
    _fetch_licences(case, identifier)
    case.first_submitted_at = case.submitted_at = now
    case.correction_due = add_working_days(timezone.localdate(now), INTAKE_CORRECTION_DAYS)
    _move(case, CaseStatus.SUBMITTED, actor=user, action="submit", title=_("提交申请"))
    instance = workflow.process_start(
        key=case.process_key,
        business_type=BUSINESS_TYPE,
        business_id=str(case.pk),
        division_code=case.division_code,
        department_code=case.department_code,
        data=process_variables(case),
        actor=user,
    )
    case.process_instance_id = instance.pk
    case.save(update_fields=["process_instance_id"])
    event_emit(
        events.CaseSubmitted(case_id=case.pk, number=case.number, submitted_at=now.isoformat())
    )
    return case


def _resubmit(case: Case, user: Any, now: datetime) -> Case:
    notice = case.corrections.filter(resolved_at__isnull=True).order_by("-id").first()
    during_review = bool(notice and notice.during_review)
    if notice is not None:
        notice.resolved_at = now
        notice.save(update_fields=["resolved_at"])
    case.submitted_at = now
    if during_review:
        _move(case, CaseStatus.IN_REVIEW, actor=user, action="resubmit", title=_("补正后重新提交"))
        event_emit(events.CaseResumed(case_id=case.pk, kind="correction", at=now.isoformat()))
    else:
        _move(case, CaseStatus.SUBMITTED, actor=user, action="resubmit", title=_("补正后重新提交"))
    if case.process_instance_id is not None:
        workflow.tasks_reopen(instance_id=case.process_instance_id)
    return case


@transaction.atomic
def case_withdraw(*, user: Any, case_id: int, reason: str = "") -> Case:
    """The applicant withdraws (撤回) a case that is not finished yet."""
    case = _own_locked(user, case_id)
    if case.status not in WITHDRAWABLE:
        raise Conflict(
            _("办件处于“%(status)s”状态，不能撤回") % {"status": case.get_status_display()},
            code="case_not_withdrawable",
        )
    if case.process_instance_id is not None:
        workflow.process_cancel(instance_id=case.process_instance_id, actor=user)
    was_open = case.status != CaseStatus.DRAFT
    case.completed_at = timezone.now()
    _move(
        case,
        CaseStatus.WITHDRAWN,
        actor=user,
        action="withdraw",
        title=_("申请人撤回申请"),
        comment=(reason or "").strip()[:500],
    )
    if was_open:
        event_emit(
            events.CaseWithdrawn(
                case_id=case.pk, number=case.number, at=case.completed_at.isoformat()
            )
        )
    return case


# ---------------------------------------------------------------------------- following the process


def case_follow_step(outcome: workflow.StepOutcome) -> None:
    """React to a staff decision on a case's task (registered as the workflow's hook)."""
    if not outcome.business_id.isdigit():
        return  # not a case of this platform (e.g. a process started by hand)
    case = Case.objects.select_for_update().filter(pk=int(outcome.business_id)).first()
    if case is None:
        return
    actor, comment = outcome.user, outcome.comment
    if outcome.decision == "correction":
        _correction_request(case, actor, comment)
        return
    if case.status == CaseStatus.SUBMITTED:
        if outcome.decision == "approve":
            _accept(case, actor, comment, finished=outcome.process_outcome is not None)
        else:
            _not_accept(case, actor, comment)
            return
    else:
        label = _("同意") if outcome.decision == "approve" else _("不同意")
        case_timeline_add(
            case_id=case.pk,
            actor=actor,
            action=f"step.{outcome.decision}",
            title=f"{outcome.title}：{label}",
            comment=comment,
        )
    if outcome.process_outcome is not None and case.status in OPEN_STATUSES:
        approved = outcome.process_outcome.startswith(APPROVED_OUTCOME_PREFIX)
        _complete(case, actor, approved=approved, comment=comment)


def _accept(case: Case, actor: Any, comment: str, *, finished: bool) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    submitted_on = timezone.localdate(case.first_submitted_at or now)
    late_notice = case.corrections.filter(during_review=False, late=True).exists()
    late_intake = (
        not case.corrections.exists()
        and case.correction_due is not None
        and (today > case.correction_due)
    )
    case.deemed_accepted = late_notice or late_intake
    case.clock_start = submitted_on if case.deemed_accepted else today
    case.accepted_at = now
    _move(case, CaseStatus.ACCEPTED, actor=actor, action="accept", title=_("受理"), comment=comment)
    event_emit(
        events.CaseAccepted(
            case_id=case.pk,
            number=case.number,
            item_code=case.item_code,
            item_name=case.item_name,
            division_code=case.division_code,
            department_code=case.department_code,
            accepted_at=now.isoformat(),
            clock_start=case.clock_start.isoformat(),
            statutory_limit=case.statutory_limit,
            promised_limit=case.promised_limit,
            online=case.channel == Channel.ONLINE,
            deemed=case.deemed_accepted,
        )
    )
    if not finished:
        _move(case, CaseStatus.IN_REVIEW, actor=None, action="review", title=_("进入审查"))


def _not_accept(case: Case, actor: Any, comment: str) -> None:
    case.completed_at = timezone.now()
    case.result_reason = comment
    _move(
        case,
        CaseStatus.NOT_ACCEPTED,
        actor=actor,
        action="not_accept",
        title=_("不予受理"),
        comment=comment,
    )
    if case.process_instance_id is not None:
        workflow.process_cancel(instance_id=case.process_instance_id, actor=actor)
    event_emit(events.CaseNotAccepted(case_id=case.pk, number=case.number, reason=comment))


def _complete(case: Case, actor: Any, *, approved: bool, comment: str) -> None:
    case.result = CaseResult.APPROVED if approved else CaseResult.DENIED
    case.completed_at = timezone.now()
    if not approved:
        case.result_reason = comment
    title = _("办结：准予") if approved else _("办结：不予")
    _move(case, CaseStatus.COMPLETED, actor=actor, action="complete", title=title, comment=comment)
    event_emit(
        events.CaseCompleted(
            case_id=case.pk,
            number=case.number,
            result=case.result,
            completed_at=case.completed_at.isoformat(),
        )
    )


def correction_items(comment: str) -> list[str]:
    """The lines of a correction notice: one requirement per line or per '；'."""
    return [part.strip() for part in re.split(r"[\n；;]+", comment) if part.strip()]


def _correction_request(case: Case, actor: Any, comment: str) -> None:
    open_notice = case.corrections.filter(resolved_at__isnull=True).order_by("-id").first()
    if case.status == CaseStatus.CORRECTION_REQUIRED and open_notice and open_notice.during_review:
        _correction_extend(case, open_notice, actor, comment)
        return
    during_review = case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
    if not during_review and case.status != CaseStatus.SUBMITTED:
        raise Conflict(_("该办件当前不能要求补正"), code="case_not_correctable")
    if not during_review and case.corrections.filter(during_review=False).exists():
        raise Conflict(
            _("补正应一次性告知，本件已告知过补正，不能再次要求补正；请受理或不予受理"),
            code="correction_once",
        )
    today = timezone.localdate()
    late = not during_review and case.correction_due is not None and today > case.correction_due
    items = correction_items(comment)
    CorrectionNotice.objects.create(
        case=case, issued_by=actor, items=items, during_review=during_review, late=late
    )
    title = _("审查中要求补正（暂停计时）") if during_review else _("一次性告知补正")
    _move(
        case,
        CaseStatus.CORRECTION_REQUIRED,
        actor=actor,
        action="correction",
        title=title,
        comment=comment,
    )
    event_emit(
        events.CaseCorrectionRequested(
            case_id=case.pk, number=case.number, items=items, during_review=during_review
        )
    )
    if during_review:
        event_emit(
            events.CaseSuspended(
                case_id=case.pk, kind="correction", reason=comment, at=timezone.now().isoformat()
            )
        )


def _correction_extend(case: Case, notice: CorrectionNotice, actor: Any, comment: str) -> None:
    """Another parallel reviewer asks for more while the applicant is still correcting:
    the open notice grows, so the applicant still answers everything in one go."""
    items = correction_items(comment)
    notice.items = [*notice.items, *items]
    notice.save(update_fields=["items"])
    case_timeline_add(
        case_id=case.pk,
        actor=actor,
        action="correction",
        title=_("补正告知增加事项"),
        comment=comment,
    )
    event_emit(
        events.CaseCorrectionRequested(
            case_id=case.pk, number=case.number, items=notice.items, during_review=True
        )
    )


# ---------------------------------------------------------------------------- appointments


@transaction.atomic
def window_upsert(
    *, division_code: str, department_code: str, name: str, address: str
) -> ServiceWindow:
    window, _created = ServiceWindow.objects.update_or_create(
        division_code=division_code,
        department_code=department_code,
        name=name,
        defaults={"address": address},
    )
    return window


@transaction.atomic
def slots_generate(
    *,
    window: ServiceWindow,
    start: date,
    days: int,
    times: list[tuple[time, time]],
    capacity: int = 1,
) -> int:
    """Open slots on the next ``days`` working days from ``start``; existing ones stay."""
    if capacity < 1:
        raise ValidationFailed(_("可预约人数至少为 1"), field="capacity")
    tz = timezone.get_current_timezone()
    created, day, opened = 0, start, 0
    while opened < days:
        if is_workday(day):
            opened += 1
            for begin, end in times:
                _slot, made = AppointmentSlot.objects.get_or_create(
                    window=window,
                    starts_at=datetime.combine(day, begin, tz),
                    defaults={"ends_at": datetime.combine(day, end, tz), "capacity": capacity},
                )
                created += int(made)
        day += timedelta(days=1)
    return created


@transaction.atomic
def appointment_book(*, user: Any, slot_id: int, case_id: int | None = None) -> Appointment:
    """Book a seat of a slot; a full slot or a second booking of the same slot is refused."""
    if applicant_identity(user) is None:
        raise PermissionDenied(_("请使用个人或法人账号预约"))
    slot = AppointmentSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(_("预约时段不存在"), field="slot")
    if slot.starts_at <= timezone.now():
        raise ValidationFailed(_("该时段已过，请选择其他时段"), field="slot")
    case = selectors.case_for_applicant(user=user, case_id=case_id) if case_id else None
    taken = set(
        Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).values_list(
            "seat", "user_id"
        )
    )
    if any(holder == user.pk for _seat, holder in taken):
        raise Conflict(_("您已预约该时段"), code="already_booked", field="slot")
    seats = {seat for seat, _holder in taken}
    free = [n for n in range(1, slot.capacity + 1) if n not in seats]
    if not free:
        raise Conflict(_("该时段已约满，请选择其他时段"), code="slot_full", field="slot")
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                slot=slot, seat=free[0], user=user, case=case, status=AppointmentStatus.BOOKED
            )
    except IntegrityError:
        raise Conflict(_("该时段已约满，请选择其他时段"), code="slot_full", field="slot") from None
    audit_record(
        action="appointment.book",
        actor=user,
        object_type="appointment",
        object_id=appointment.pk,
        detail={"slot": slot.pk},
    )
    return appointment


@transaction.atomic
def appointment_cancel(*, user: Any, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update().filter(pk=appointment_id, user_id=user.pk).first()
    )
    if appointment is None:
        raise NotFound(_("预约不存在或不属于您"))
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_("该预约已取消"), code="appointment_cancelled")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    audit_record(
        action="appointment.cancel",
        actor=user,
        object_type="appointment",
        object_id=appointment.pk,
    )
    return appointment
