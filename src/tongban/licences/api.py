"""E-licences over HTTP: published keys, the wallet, documents, verification, status
changes by the issuer, and holders' consents."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.errors import ValidationFailed
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle
from tongban.licences import documents, selectors, services
from tongban.licences.models import Consent, Licence

router = Router(tags=["电子证照"], auth=API_AUTH)
MAX_DOCUMENT_BYTES = 256 * 1024


class KeyOut(Schema):
    key_id: str
    algorithm: str
    public_key: str
    issuer_code: str
    issuer_name: str
    created_at: str
    retired_at: str | None


class KeysOut(Schema):
    keys: list[KeyOut]


class LicenceSummaryOut(Schema):
    id: int
    identifier: str
    number: str
    type_code: str
    type_name: str
    holder_name: str
    issuer: str
    issue_date: date
    valid_until: date | None
    status: str
    status_label: str
    case_number: str


class LicencePageOut(Schema):
    items: list[LicenceSummaryOut]
    next: str | None


class LicenceOut(LicenceSummaryOut):
    signed: dict[str, Any]
    verify_url: str


class VerifyOut(Schema):
    valid: bool
    status: str
    reason: str


class StatusIn(Schema):
    action: str
    reason: str


class ConsentIn(Schema):
    department_id: int
    scope: str = "full"
    purpose: str
    expires_on: date


class ConsentOut(Schema):
    id: int
    department_id: int
    department: str
    scope: str
    purpose: str
    expires_at: datetime
    revoked_at: datetime | None


def _summary(licence: Licence) -> dict[str, Any]:
    status = selectors.effective_status(licence)
    return {
        "id": licence.pk,
        "identifier": licence.identifier,
        "number": licence.number,
        "type_code": licence.type.code,
        "type_name": licence.type.name,
        "holder_name": licence.payload["holder"]["name"],
        "issuer": licence.payload["issuer"]["name"],
        "issue_date": licence.issue_date,
        "valid_until": licence.valid_until,
        "status": status,
        "status_label": str(selectors.STATUS_LABELS[status]),
        "case_number": licence.case_number,
    }


def _consent_out(consent: Consent) -> ConsentOut:
    department = consent.department
    return ConsentOut(
        id=consent.pk,
        department_id=department.pk,
        department=f"{department.division.name}{department.name}",
        scope=consent.scope,
        purpose=consent.purpose,
        expires_at=consent.expires_at,
        revoked_at=consent.revoked_at,
    )


@router.get(
    "/licences/keys",
    response=KeysOut,
    auth=None,
    summary="各颁发机构的签名公钥（含已停用密钥），用于离线查验证照",
)
def licence_keys(request: HttpRequest) -> KeysOut:
    return KeysOut(keys=[KeyOut(**k) for k in selectors.published_keys()])


@router.post(
    "/licences/verify",
    response={200: VerifyOut, **errors(413, 422, 429)},
    auth=None,
    throttle=[ClientRateThrottle("licence_verify", settings.TONGBAN_RATE_STATUS)],
    summary="查验电子证照：请求体为签名证照 JSON（{licence, signature}），无需登录",
)
def licence_verify(request: HttpRequest) -> Any:
    if len(request.body) > MAX_DOCUMENT_BYTES:
        return Status(413, {"code": "too_large", "message": "证照文件过大", "field": None})
    try:
        document = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("请求体不是 JSON", field="body") from exc
    return VerifyOut(**services.licence_verify(document).as_dict())


@router.get(
    "/licences",
    response={200: LicencePageOut, **errors(401, 422)},
    summary="我的证照（持证人本人或本企业的电子证照）",
)
def wallet(request: HttpRequest, cursor: str | None = None, size: int = 20) -> LicencePageOut:
    page = selectors.wallet_page(caller(request), cursor=cursor, size=size)
    return LicencePageOut(
        items=[LicenceSummaryOut(**_summary(x)) for x in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/licences/issued",
    response={200: LicencePageOut, **errors(401, 422)},
    summary="本部门颁发的证照（颁发部门工作人员）",
)
def issued(
    request: HttpRequest, q: str = "", cursor: str | None = None, size: int = 20
) -> LicencePageOut:
    page = selectors.issued_by(caller(request), cursor=cursor, size=size, query=q)
    return LicencePageOut(
        items=[LicenceSummaryOut(**_summary(x)) for x in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/licences/{licence_id}",
    response={200: LicenceOut, **errors(401, 404)},
    summary="证照详情与签名证照 JSON（持证人、颁发部门或获授权部门）",
)
def licence_detail(request: HttpRequest, licence_id: int) -> LicenceOut:
    licence = selectors.licence_for_viewer(user=caller(request), licence_id=licence_id)
    return LicenceOut(
        **_summary(licence),
        signed=selectors.signed_of(licence),
        verify_url=request.build_absolute_uri(selectors.verify_path(licence)),
    )


@router.get(
    "/licences/{licence_id}/document",
    response={200: None, **errors(401, 404)},
    summary="证照版式文件（PDF，A4，含查验二维码）",
)
def licence_document(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_viewer(user=caller(request), licence_id=licence_id)
    url = request.build_absolute_uri(selectors.verify_path(licence))
    pdf = documents.licence_pdf(selectors.licence_document(licence, url))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response


@router.post(
    "/licences/{licence_id}/status",
    response={200: LicenceSummaryOut, **errors(401, 403, 404, 409, 422)},
    summary="暂停、恢复、吊销或作废证照（仅颁发部门），须写明理由",
)
def licence_status(request: HttpRequest, licence_id: int, body: StatusIn) -> LicenceSummaryOut:
    licence = services.licence_status_change(
        actor=caller(request), licence_id=licence_id, action=body.action, reason=body.reason
    )
    return LicenceSummaryOut(**_summary(licence))


@router.get(
    "/licences/{licence_id}/consents",
    response={200: list[ConsentOut], **errors(401, 404)},
    summary="本证照的用证授权（持证人）",
)
def consents(request: HttpRequest, licence_id: int) -> list[ConsentOut]:
    licence = selectors.licence_for_holder(user=caller(request), licence_id=licence_id)
    return [_consent_out(c) for c in selectors.licence_consents(licence)]


@router.post(
    "/licences/{licence_id}/consents",
    response={201: ConsentOut, **errors(401, 404, 422)},
    summary="授权某部门使用本证照（范围、用途、截止日期）",
)
def consent_create(request: HttpRequest, licence_id: int, body: ConsentIn) -> Any:
    consent = services.consent_grant(
        user=caller(request),
        licence_id=licence_id,
        department_id=body.department_id,
        scope=body.scope,
        purpose=body.purpose,
        expires_on=body.expires_on,
    )
    return Status(201, _consent_out(consent))


@router.delete(
    "/licences/consents/{consent_id}",
    response={200: ConsentOut, **errors(401, 404)},
    summary="撤销用证授权",
)
def consent_delete(request: HttpRequest, consent_id: int) -> ConsentOut:
    return _consent_out(services.consent_revoke(user=caller(request), consent_id=consent_id))
