"""Licence use cases: types and keys, issuance (from a case or an import), status changes
by the issuing department, holders' consents, and online verification."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import applicant_identifier, applicant_identity, staff_has_role
from tongban.cases import selectors as cases
from tongban.catalog import selectors as catalog
from tongban.core.crypto import lookup_hash
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.identifiers import mask_resident_id, parse_resident_id, validate_credit_code
from tongban.core.services import audit_record, event_emit
from tongban.licences import events, selectors
from tongban.licences.models import (
    Consent,
    ConsentScope,
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceStatus,
    LicenceType,
    SerialCounter,
    SigningKey,
)
from tongban.licences.signed import (
    Verification,
    canonical_bytes,
    licence_identifier,
    signed_document,
    verify_document,
)
from tongban.licences.signing import (
    default_algorithm,
    new_private_key,
    signer_for,
    software_signer,
)
from tongban.org.selectors import department_get

ISSUER_ROLES = frozenset({"reviewer", "head"})
MAX_CONSENT_DAYS = 366
MAX_IMPORT_ROWS = 10_000
Progress = Callable[[str], None]
logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- types


SOURCE_KINDS = ("form", "applicant", "case", "const")


def licence_type_check(*, holder_kind: str, fields: Any, item_codes: Any) -> None:
    """The shape of a type's data items and issuing items, with errors for people."""
    if holder_kind not in HolderKind.values:
        raise ValidationFailed(_("持证主体类型无效"), field="holder_kind")
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise ValidationFailed(
            _("证照数据项应为列表，每项包含 key、label、source、required"), field="fields"
        )
    keys = [str(f.get("key", "")) for f in fields]
    if not all(keys) or len(set(keys)) != len(keys):
        raise ValidationFailed(_("证照数据项的标识不能为空或重复"), field="fields")
    if any(not str(f.get("label", "")).strip() for f in fields):
        raise ValidationFailed(_("证照数据项必须有名称"), field="fields")
    for spec in fields:
        for alternative in filter(None, str(spec.get("source", "")).split("|")):
            if alternative.partition(":")[0] not in SOURCE_KINDS:
                raise ValidationFailed(
                    _(
                        "数据项“%(label)s”的来源“%(source)s”无效"
                        "（可用 form:、applicant:、case:、const:）"
                    )
                    % {"label": spec["label"], "source": alternative},
                    field="fields",
                )
    if not isinstance(item_codes, list) or not all(isinstance(c, str) for c in item_codes):
        raise ValidationFailed(_("颁发事项应为事项编码列表"), field="item_codes")


def licence_type_upsert(
    *,
    code: str,
    name: str,
    holder_kind: str,
    fields: list[dict[str, Any]],
    item_codes: Iterable[str] = (),
    validity_years: int | None = None,
    actor: Any = None,
) -> LicenceType:
    """Create or update a licence type (证照类型); its data items are checked here."""
    codes = list(item_codes)
    licence_type_check(holder_kind=holder_kind, fields=fields, item_codes=codes)
    values = {
        "name": name,
        "holder_kind": holder_kind,
        "fields": fields,
        "item_codes": codes,
        "validity_years": validity_years,
    }
    found = LicenceType.objects.filter(code=code).first()
    if found is not None and all(getattr(found, k) == v for k, v in values.items()):
        return found  # nothing changed: loading the demo twice writes and audits nothing
    found, created = LicenceType.objects.update_or_create(code=code, defaults=values)
    audit_record(
        action="licences.type_created" if created else "licences.type_updated",
        actor=actor,
        object_type="licences.type",
        object_id=code,
    )
    return found


# ---------------------------------------------------------------------------- keys


def _key_create(department_id: int, algorithm: str, actor: Any) -> SigningKey:
    private = new_private_key(algorithm)
    signer = software_signer(algorithm, private)
    key = SigningKey.objects.create(
        department_id=department_id,
        algorithm=algorithm,
        key_id=signer.key_id,
        public_key=signer.public_key_hex(),
        private_key=private.hex(),
    )
    audit_record(
        action="licences.key_created",
        actor=actor,
        object_type="licences.key",
        object_id=key.key_id,
        detail={"department_id": department_id, "algorithm": algorithm},
    )
    return key


def signing_key_active(department_id: int, *, actor: Any = None) -> SigningKey:
    """The department's current key; the first one is made on first use."""
    key = SigningKey.objects.filter(department_id=department_id, retired_at=None).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _key_create(department_id, default_algorithm(), actor)
    except IntegrityError:  # a concurrent issuance made it first
        return SigningKey.objects.get(department_id=department_id, retired_at=None)


@transaction.atomic
def signing_key_rotate(
    *, department_id: int, algorithm: str | None = None, actor: Any = None
) -> SigningKey:
    """Retire the department's key and start a new one. Retired keys stay published, so
    licences signed before the rotation keep verifying."""
    if actor is not None and not (
        getattr(actor, "is_superuser", False)
        or staff_has_role(actor, "head", department_id=department_id)
    ):
        raise PermissionDenied(_("只有本部门负责人或系统管理员可以更换签章密钥"))
    chosen = algorithm or default_algorithm()
    if chosen not in ("SM2-SM3", "Ed25519"):
        raise ValidationFailed(_("签名算法只能是 SM2-SM3 或 Ed25519"), field="algorithm")
    SigningKey.objects.select_for_update().filter(
        department_id=department_id, retired_at=None
    ).update(retired_at=timezone.now())
    return _key_create(department_id, chosen, actor)


# ---------------------------------------------------------------------------- issuance


@dataclass(frozen=True)
class Holder:
    kind: str
    code: str
    name: str

    @property
    def masked(self) -> str:
        return mask_resident_id(self.code) if self.kind == HolderKind.PERSON else self.code


def _holder_check(kind: str, code: str, name: str) -> Holder:
    code = (code or "").strip().upper()
    if kind == HolderKind.PERSON:
        code = parse_resident_id(code, field_name="holder_code").number
    else:
        code = validate_credit_code(code, field_name="holder_code")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写持证主体名称（100字以内）"), field="holder_name")
    return Holder(kind, code, name)


def _serial_next(licence_type: LicenceType, department_id: int, year: int) -> str:
    try:
        with transaction.atomic():
            SerialCounter.objects.create(type=licence_type, department_id=department_id, year=year)
    except IntegrityError:
        pass  # the year's row exists already (or a concurrent issuance just made it)
    counter = SerialCounter.objects.select_for_update().get(
        type=licence_type, department_id=department_id, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:07d}"


def _valid_until(licence_type: LicenceType, start: date) -> date | None:
    if not licence_type.validity_years:
        return None
    try:
        end = start.replace(year=start.year + licence_type.validity_years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + licence_type.validity_years, day=28)
    return end - timedelta(days=1)


def _constant(source: str) -> str | None:
    """A fixed value the type gives a data item (``const:TEXT``), if any."""
    for alternative in source.split("|"):
        if alternative.startswith("const:"):
            return alternative.removeprefix("const:")
    return None


def _data_check(licence_type: LicenceType, data: dict[str, Any]) -> list[dict[str, str]]:
    items = []
    for spec in licence_type.fields:
        value = data.get(spec["key"])
        if value in (None, ""):
            value = _constant(spec.get("source", ""))
        text = "" if value is None else str(value).strip()
        if not text and spec.get("required", True):
            raise ValidationFailed(
                _("证照数据项“%(label)s”不能为空") % {"label": spec["label"]}, field=spec["key"]
            )
        if len(text) > 2000:
            raise ValidationFailed(
                _("证照数据项“%(label)s”过长") % {"label": spec["label"]}, field=spec["key"]
            )
        items.append({"key": spec["key"], "label": spec["label"], "value": text})
    return items


def licence_issue(
    *,
    licence_type: LicenceType,
    issuer_id: int,
    holder_kind: str,
    holder_code: str,
    holder_name: str,
    data: dict[str, Any],
    issue_date: date | None = None,
    valid_until: date | str | None = "default",
    case_id: int | None = None,
    case_number: str = "",
    actor: Any = None,
) -> Licence:
    """Issue and sign one licence. ``valid_until="default"`` takes the type's validity."""
    if holder_kind != licence_type.holder_kind:
        raise ValidationFailed(_("持证主体类型与证照类型不符"), field="holder_kind")
    holder = _holder_check(holder_kind, holder_code, holder_name)
    issuer = department_get(issuer_id)
    if not issuer.credit_code:
        raise ValidationFailed(
            _("颁发机构“%(name)s”没有统一社会信用代码，不能颁发证照") % {"name": issuer.name},
            field="issuer",
        )
    items = _data_check(licence_type, data)
    issued = issue_date or timezone.localdate()
    until = _valid_until(licence_type, issued) if valid_until == "default" else valid_until
    if isinstance(until, str):
        raise ValidationFailed(_("有效期格式不正确"), field="valid_until")
    if until is not None and until < issued:
        raise ValidationFailed(_("有效期截止日期不能早于颁发日期"), field="valid_until")
    with transaction.atomic():
        key = signing_key_active(issuer.pk, actor=actor)
        number = _serial_next(licence_type, issuer.pk, issued.year)
        # Any: the encrypted JSON field is typed as the text column it is stored in.
        payload: Any = {
            "identifier": licence_identifier(licence_type.code, issuer.credit_code, number, 1),
            "type_code": licence_type.code,
            "type_name": licence_type.name,
            "number": number,
            "version": 1,
            "holder": {"kind": holder.kind, "code": holder.code, "name": holder.name},
            "issuer": {
                "name": f"{issuer.division.name}{issuer.name}",
                "code": issuer.credit_code,
                "division_code": issuer.division_id,
            },
            "issue_date": issued.isoformat(),
            "valid_from": issued.isoformat(),
            "valid_until": until.isoformat() if until else None,
            "data": items,
            "case_number": case_number,
            "signed_at": timezone.localtime().isoformat(timespec="seconds"),
        }
        signature = signer_for(key).sign(canonical_bytes(payload))
        document = signed_document(payload, key.algorithm, key.key_id, signature)
        licence = Licence.objects.create(
            identifier=payload["identifier"],
            type=licence_type,
            number=number,
            holder_kind=holder.kind,
            holder_hash=lookup_hash(holder.code),
            holder_masked=holder.masked,
            issuer=issuer,
            issue_date=issued,
            valid_until=until,
            case_id=case_id,
            case_number=case_number,
            payload=payload,
            signature=document["signature"]["value"],
            key=key,
        )
        LicenceEvent.objects.create(
            licence=licence, action="issue", status=LicenceStatus.VALID, actor=actor
        )
        audit_record(
            action="licences.issued",
            actor=actor,
            object_type="licences.licence",
            object_id=licence.pk,
            detail={"identifier": licence.identifier, "holder": holder.masked},
        )
        event_emit(
            events.LicenceIssued(
                licence_id=licence.pk,
                identifier=licence.identifier,
                type_name=licence_type.name,
                holder_hash=licence.holder_hash,
                case_id=case_id,
            )
        )
    return licence


def _case_value(source: str, case: Any, form: dict[str, Any]) -> Any:
    """The value of a data item from a case; ``a|b`` takes the first source that has one."""
    for alternative in source.split("|"):
        value = _one_case_value(alternative, case, form)
        if value not in (None, ""):
            return value
    return None


def _one_case_value(source: str, case: Any, form: dict[str, Any]) -> Any:
    kind, _sep, arg = source.partition(":")
    if kind == "form":
        return form.get(arg)
    if kind == "applicant" and arg == "name":
        return case.applicant_name
    if kind == "case":
        return {"number": case.number, "item_name": case.item_name}.get(arg)
    if kind == "const":
        return arg
    return None


def _issuing_departments(case: Any) -> dict[str, int]:
    """Item code -> the department that handled it, for a single item or a bundle."""
    if case.bundle_id is not None:
        found = catalog.bundle_get(case.item_code)
        return {i.item.code: i.department_id for i in catalog.bundle_implementations(found)}
    if case.implementation is None:
        return {}
    return {case.implementation.item.code: case.implementation.department_id}


def licences_issue_for_case(case_id: int) -> list[Licence]:
    """Issue the licences the case's items declare, once (the outbox may deliver twice)."""
    case = cases.case_get(case_id)
    if case.status != cases.CaseStatus.COMPLETED or case.result != "approved":
        return []
    identity = applicant_identity(case.applicant)
    code = applicant_identifier(case.applicant) if identity is not None else None
    if identity is None or code is None:
        return []
    form = case.form or {}
    issued = []
    types = list(LicenceType.objects.filter(active=True).order_by("code"))
    for item_code, department_id in _issuing_departments(case).items():
        for licence_type in types:
            if item_code not in licence_type.item_codes or licence_type.holder_kind != code[0]:
                continue
            if Licence.objects.filter(case_id=case.pk, type=licence_type).exists():
                continue
            data = {
                f["key"]: _case_value(f.get("source", ""), case, form) for f in licence_type.fields
            }
            try:
                issued.append(
                    licence_issue(
                        licence_type=licence_type,
                        issuer_id=department_id,
                        holder_kind=code[0],
                        holder_code=code[1],
                        holder_name=identity.name,
                        data=data,
                        case_id=case.pk,
                        case_number=case.number,
                    )
                )
            except ValidationFailed as exc:
                # Retrying cannot fix missing case data: record it for the issuer to act on.
                logger.error("case %s: %s not issued: %s", case.number, licence_type.code, exc)
                audit_record(
                    action="licences.issue_failed",
                    object_type="cases.case",
                    object_id=case.pk,
                    detail={"type": licence_type.code, "message": exc.message[:200]},
                )
    return issued


# ---------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    created: int
    errors: list[str]


def _import_rows(content: bytes, filename: str) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        if sheet is None:
            return []
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        return [
            {h: "" if v is None else str(v).strip() for h, v in zip(header, row, strict=False)}
            for row in rows
            if any(v not in (None, "") for v in row)
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("文件不是 UTF-8 编码的 CSV 或 XLSX 文件"), field="file") from exc
    return [
        {k.strip(): (v or "").strip() for k, v in r.items() if k}
        for r in csv.DictReader(io.StringIO(text))
    ]


def _parse_date(value: str, label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValidationFailed(
            _("%(label)s“%(value)s”不是日期（YYYY-MM-DD）") % {"label": label, "value": value}
        ) from exc


def licences_import(
    *,
    content: bytes,
    filename: str,
    type_code: str,
    issuer_id: int,
    actor: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import existing licences from CSV or XLSX: columns ``holder_code``, ``holder_name``,
    ``issue_date``, ``valid_until`` (empty = long-term) and one per data item key. All rows
    are checked first; one bad row imports nothing and every bad row is reported."""
    licence_type = LicenceType.objects.filter(code=type_code).first()
    if licence_type is None:
        raise NotFound(_("证照类型 %(code)s 不存在") % {"code": type_code}, field="type")
    rows = _import_rows(content, filename)
    if not rows:
        raise ValidationFailed(_("文件中没有证照数据"), field="file")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(_("一次最多导入 %(n)d 条") % {"n": MAX_IMPORT_ROWS}, field="file")
    errors, prepared = [], []
    for number, row in enumerate(rows, start=2):
        try:
            holder = _holder_check(
                licence_type.holder_kind, row.get("holder_code", ""), row.get("holder_name", "")
            )
            _data_check(licence_type, row)
            issued = _parse_date(row.get("issue_date", ""), _("颁发日期")) or timezone.localdate()
            until = _parse_date(row.get("valid_until", ""), _("有效期至"))
            prepared.append((holder, row, issued, until))
        except ValidationFailed as exc:
            errors.append(_("第 %(row)d 行：%(message)s") % {"row": number, "message": exc.message})
    if errors:
        return ImportResult(0, errors)
    with transaction.atomic():
        for done, (holder, row, issued, until) in enumerate(prepared, start=1):
            licence_issue(
                licence_type=licence_type,
                issuer_id=issuer_id,
                holder_kind=holder.kind,
                holder_code=holder.code,
                holder_name=holder.name,
                data=row,
                issue_date=issued,
                valid_until=until,
                actor=actor,
            )
            if progress is not None and (done % 100 == 0 or done == len(prepared)):
                progress(_("已导入 %(done)d / %(total)d") % {"done": done, "total": len(prepared)})
    return ImportResult(len(prepared), [])


# ---------------------------------------------------------------------------- lifecycle

TRANSITIONS = {
    "suspend": ({LicenceStatus.VALID}, LicenceStatus.SUSPENDED),
    "reinstate": ({LicenceStatus.SUSPENDED}, LicenceStatus.VALID),
    "revoke": ({LicenceStatus.VALID, LicenceStatus.SUSPENDED}, LicenceStatus.REVOKED),
    "annul": ({LicenceStatus.VALID, LicenceStatus.SUSPENDED}, LicenceStatus.ANNULLED),
}


@transaction.atomic
def licence_status_change(*, actor: Any, licence_id: int, action: str, reason: str) -> Licence:
    """Suspend, reinstate, revoke or annul a licence: its issuing department only."""
    licence = (
        Licence.objects.select_for_update().select_related("type").filter(pk=licence_id).first()
    )
    if licence is None:
        raise NotFound(_("证照不存在"))
    if not staff_has_role(actor, roles=ISSUER_ROLES, department_id=licence.issuer_id):
        raise PermissionDenied(_("只有颁发该证照的部门可以变更其状态"))
    if action not in TRANSITIONS:
        raise ValidationFailed(_("不支持的操作"), field="action")
    allowed, target = TRANSITIONS[action]
    reason = (reason or "").strip()
    if len(reason) < 4 or len(reason) > 500:
        raise ValidationFailed(_("请写明理由（4至500字）"), field="reason")
    if licence.status not in allowed:
        raise Conflict(
            _("证照当前状态为“%(status)s”，不能执行该操作")
            % {"status": LicenceStatus(licence.status).label},
            code="wrong_status",
        )
    licence.status, licence.status_reason = target, reason
    licence.status_changed_at = timezone.now()
    licence.save(update_fields=["status", "status_reason", "status_changed_at"])
    LicenceEvent.objects.create(
        licence=licence, action=action, status=target, reason=reason, actor=actor
    )
    audit_record(
        action=f"licences.{action}",
        actor=actor,
        object_type="licences.licence",
        object_id=licence.pk,
        detail={"identifier": licence.identifier, "reason": reason[:200]},
    )
    event_emit(
        events.LicenceStatusChanged(
            licence_id=licence.pk,
            identifier=licence.identifier,
            type_name=licence.type.name,
            holder_hash=licence.holder_hash,
            status=target,
            reason=reason,
        )
    )
    return licence


# ---------------------------------------------------------------------------- consent


@transaction.atomic
def consent_grant(
    *,
    user: Any,
    licence_id: int,
    department_id: int,
    scope: str,
    purpose: str,
    expires_on: date,
) -> Consent:
    """The holder lets one department use one licence until a date (用证授权)."""
    licence = selectors.licence_for_holder(user=user, licence_id=licence_id)
    if scope not in ConsentScope.values:
        raise ValidationFailed(_("授权范围无效"), field="scope")
    purpose = (purpose or "").strip()
    if not 2 <= len(purpose) <= 200:
        raise ValidationFailed(_("请写明用途（2至200字）"), field="purpose")
    today = timezone.localdate()
    if expires_on <= today or expires_on > today + timedelta(days=MAX_CONSENT_DAYS):
        raise ValidationFailed(_("授权截止日期应在今天之后、一年之内"), field="expires_on")
    department = department_get(department_id)
    end = timezone.make_aware(datetime.combine(expires_on, datetime.max.time()))
    consent = Consent.objects.create(
        licence=licence,
        department=department,
        scope=scope,
        purpose=purpose,
        expires_at=end,
        granted_by=user,
    )
    audit_record(
        action="licences.consent_granted",
        actor=user,
        object_type="licences.consent",
        object_id=consent.pk,
        detail={"licence": licence.identifier, "department_id": department.pk, "scope": scope},
    )
    return consent


@transaction.atomic
def consent_revoke(*, user: Any, consent_id: int) -> Consent:
    consent = Consent.objects.select_related("licence").filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(_("授权记录不存在"))
    selectors.licence_for_holder(user=user, licence_id=consent.licence_id)
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        audit_record(
            action="licences.consent_revoked",
            actor=user,
            object_type="licences.consent",
            object_id=consent.pk,
        )
    return consent


# ---------------------------------------------------------------------------- verification


def licence_verify(document: Any) -> Verification:
    """Signature and validity against the published keys, then the current status."""
    result = verify_document(document, selectors.published_keys(), timezone.localdate())
    if result.licence is None:
        return result
    stored = Licence.objects.filter(identifier=result.licence["identifier"]).first()
    if stored is None:
        return Verification(False, "invalid", _("证照库中没有这份证照"))
    if stored.status in (LicenceStatus.REVOKED, LicenceStatus.ANNULLED):
        label = LicenceStatus(stored.status).label
        return Verification(False, "revoked", f"{label}：{stored.status_reason}", result.licence)
    if stored.status == LicenceStatus.SUSPENDED:
        return Verification(
            False, "suspended", _("已暂停：%s") % stored.status_reason, result.licence
        )
    return result
