"""Reading licences: the wallet, who may see which licence, published keys, documents,
and what the exchange gateway serves to a consuming department."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.selectors import applicant_identity, staff_has_role, staff_roles
from tongban.core.crypto import lookup_hash, sm3_hex
from tongban.core.errors import NotFound
from tongban.core.pagination import Page, keyset_page
from tongban.licences.documents import LicenceDocument
from tongban.licences.models import (
    Consent,
    ConsentScope,
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceStatus,
    LicenceType,
    SigningKey,
)
from tongban.licences.signed import signed_document

ISSUER_VIEW_ROLES = frozenset({"window_clerk", "reviewer", "head"})
SUMMARY_KEYS = ("identifier", "type_code", "type_name", "number", "issuer", "valid_until")


def published_keys() -> list[dict[str, Any]]:
    """Every department key, current and retired, as ``GET /api/v1/licences/keys`` lists it."""
    keys = SigningKey.objects.select_related("department__division").order_by("id")
    return [
        {
            "key_id": k.key_id,
            "algorithm": k.algorithm,
            "public_key": k.public_key,
            "issuer_code": k.department.credit_code,
            "issuer_name": f"{k.department.division.name}{k.department.name}",
            "created_at": timezone.localtime(k.created_at).isoformat(timespec="seconds"),
            "retired_at": (
                timezone.localtime(k.retired_at).isoformat(timespec="seconds")
                if k.retired_at
                else None
            ),
        }
        for k in keys
    ]


def _holder_hash(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    identity = applicant_identity(user)
    return identity.id_hash if identity is not None else None


def wallet(user: Any) -> QuerySet[Licence]:
    """我的证照: every licence whose holder is the user (as a person or an enterprise)."""
    holder = _holder_hash(user)
    if holder is None:
        return Licence.objects.none()
    return Licence.objects.filter(holder_hash=holder).select_related("type", "issuer__division")


def wallet_page(user: Any, *, cursor: str | None = None, size: int = 20) -> Page[Licence]:
    return keyset_page(wallet(user), order=("-id",), cursor=cursor, size=size)


def wallet_for_materials(user: Any, names: list[str]) -> dict[str, Licence]:
    """The holder's usable licence for each material name that is a licence type name."""
    found: dict[str, Licence] = {}
    for licence in wallet(user).filter(type__name__in=names, status=LicenceStatus.VALID):
        if licence.valid_until is None or licence.valid_until >= timezone.localdate():
            found.setdefault(licence.type.name, licence)
    return found


def licence_for_holder(*, user: Any, licence_id: int) -> Licence:
    holder = _holder_hash(user)
    licence = (
        Licence.objects.select_related("type", "issuer__division")
        .filter(pk=licence_id, holder_hash=holder or "-")
        .first()
    )
    if licence is None:
        raise NotFound(_("证照不存在"))
    return licence


def consented(licence: Licence, department_id: int, *, at: Any = None) -> Consent | None:
    """The live consent of the holder for ``department_id`` to use ``licence``, if any."""
    now = at or timezone.now()
    return (
        Consent.objects.filter(
            licence=licence, department_id=department_id, revoked_at=None, expires_at__gt=now
        )
        .order_by("-scope", "-expires_at")
        .first()
    )


def _staff_may_view(user: Any, licence: Licence) -> bool:
    if staff_has_role(user, roles=ISSUER_VIEW_ROLES, department_id=licence.issuer_id):
        return True
    return any(consented(licence, grant.department_id) for grant in staff_roles(user))


def licence_for_viewer(*, user: Any, licence_id: int) -> Licence:
    """The holder, staff of the issuing department, and staff of a department the holder
    authorised may open a licence; anyone else gets “not found”."""
    licence = (
        Licence.objects.select_related("type", "issuer__division").filter(pk=licence_id).first()
    )
    if licence is None:
        raise NotFound(_("证照不存在"))
    if _holder_hash(user) == licence.holder_hash or _staff_may_view(user, licence):
        return licence
    raise NotFound(_("证照不存在"))


def licence_by_identifier(identifier: str) -> Licence | None:
    return (
        Licence.objects.select_related("type", "issuer__division")
        .filter(identifier=identifier)
        .first()
    )


def signed_of(licence: Licence) -> dict[str, Any]:
    return signed_document(
        licence.payload, licence.key.algorithm, licence.key.key_id, _b64(licence.signature)
    )


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def licence_events(licence: Licence) -> list[LicenceEvent]:
    return list(licence.events.select_related("actor"))


def licence_consents(licence: Licence) -> list[Consent]:
    return list(licence.consents.select_related("department__division"))


def effective_status(licence: Licence, today: date | None = None) -> str:
    """What a consumer should be told: the stored status, or ``expired`` past its date."""
    if licence.status != LicenceStatus.VALID:
        return "revoked" if licence.status == LicenceStatus.ANNULLED else str(licence.status)
    day = today or timezone.localdate()
    if licence.valid_until is not None and licence.valid_until < day:
        return "expired"
    return "valid"


STATUS_LABELS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "suspended": gettext_lazy("已暂停"),
    "revoked": gettext_lazy("已吊销或作废"),
}


def issued_by(
    user: Any, *, cursor: str | None = None, size: int = 20, query: str = ""
) -> Page[Licence]:
    """Licences issued by the departments where the user works (issuer's staff list)."""
    departments = [g.department_id for g in staff_roles(user) if g.role in ISSUER_VIEW_ROLES]
    qs = Licence.objects.filter(issuer_id__in=departments).select_related(
        "type", "issuer__division"
    )
    query = query.strip()
    if query:
        qs = qs.filter(Q(identifier__icontains=query) | Q(number=query) | Q(case_number=query))
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def licence_types() -> list[LicenceType]:
    return list(LicenceType.objects.filter(active=True))


# ---------------------------------------------------------------------------- exchange


def licences_for_consumer(
    *,
    department_id: int,
    holder_code: str,
    type_code: str = "",
    identifier: str = "",
) -> list[dict[str, Any]]:
    """What the exchange gateway serves: the holder's licences that the consuming
    department issued itself or that the holder authorised it to use, with their current
    status; ``summary`` consents get no data items and no signed document."""
    qs = Licence.objects.filter(holder_hash=lookup_hash(holder_code.strip().upper()))
    if type_code:
        qs = qs.filter(type__code=type_code)
    if identifier:
        qs = qs.filter(identifier=identifier)
    rows = []
    for licence in qs.select_related("type", "issuer__division", "key").order_by("id")[:50]:
        own = licence.issuer_id == department_id
        consent = None if own else consented(licence, department_id)
        if not own and consent is None:
            continue
        full = own or (consent is not None and consent.scope == ConsentScope.FULL)
        rows.append(_exchange_row(licence, full=full))
    return rows


def _exchange_row(licence: Licence, *, full: bool) -> dict[str, Any]:
    payload = licence.payload
    row: dict[str, Any] = {key: payload.get(key) for key in SUMMARY_KEYS}
    row["issuer"] = payload["issuer"]["name"]
    row["holder_name"] = payload["holder"]["name"]
    row["status"] = effective_status(licence)
    if full:
        row["data"] = {item["key"]: item["value"] for item in payload["data"]}
        row["signed_licence"] = signed_of(licence)
    return row


def holder_kind_label(kind: str) -> str:
    return _("公民身份号码") if kind == HolderKind.PERSON else _("统一社会信用代码")


def licence_document(licence: Licence, verify_url: str) -> LicenceDocument:
    """What the HTML view and the PDF show; personal ID numbers stay masked."""
    payload = licence.payload
    valid_until = payload.get("valid_until")
    return LicenceDocument(
        identifier=licence.identifier,
        number=licence.number,
        type_name=payload["type_name"],
        holder_label=holder_kind_label(licence.holder_kind),
        holder_code=licence.holder_masked,
        holder_name=payload["holder"]["name"],
        issuer_name=payload["issuer"]["name"],
        issuer_code=payload["issuer"]["code"],
        issue_date=date.fromisoformat(payload["issue_date"]),
        valid_from=date.fromisoformat(payload["valid_from"]),
        valid_until=date.fromisoformat(valid_until) if valid_until else None,
        items=tuple((item["label"], item["value"]) for item in payload["data"] if item["value"]),
        status_label=_status_label_zh(licence),
        verify_url=verify_url,
        signature_algorithm=licence.key.algorithm,
        key_id=licence.key.key_id,
        signature_digest=sm3_hex(licence.signature.encode())[:32],
    )


def _status_label_zh(licence: Licence) -> str:
    """The document is a Chinese legal text whatever the reader's language."""
    with translation.override("zh-hans"):
        return str(STATUS_LABELS[effective_status(licence)])


def verify_path(licence: Licence) -> str:
    """The public verification page of a licence (what its QR code points to)."""
    return f"/licences/verify/{licence.identifier}/"
