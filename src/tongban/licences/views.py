"""Licence pages: the holder's wallet (我的证照) with downloads and consents (用证授权),
the public verification pages (证照查验), and the issuing department's list and status
changes. Thin: parse, call one service or selector, render; a ``DomainError`` from a form
is shown in the form, everything else goes to the error-page middleware (which audits
refusals)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.throttling import ClientRateThrottle
from tongban.licences import documents, selectors, services
from tongban.licences.models import ConsentScope, HolderKind, Licence
from tongban.licences.signed import Verification
from tongban.org.selectors import departments_grouped

CONSENT_DEFAULT_DAYS = 30
MAX_DOCUMENT_BYTES = 64 * 1024
THROTTLE_PURPOSE = "licence_verify"

ACTION_LABELS = {
    "issue": gettext_lazy("颁发"),
    "suspend": gettext_lazy("暂停"),
    "reinstate": gettext_lazy("恢复"),
    "revoke": gettext_lazy("吊销"),
    "annul": gettext_lazy("作废"),
}
VERDICT_LABELS = {**selectors.STATUS_LABELS, "invalid": gettext_lazy("无效")}


# ---------------------------------------------------------------------------- helpers


@dataclass
class Row:
    """One licence in a list."""

    licence: Licence
    issuer: str
    validity: str
    status: str
    status_label: str


def _validity(valid_until: date | None) -> str:
    return _("长期") if valid_until is None else valid_until.isoformat()


def _row(licence: Licence) -> Row:
    status = selectors.effective_status(licence)
    return Row(
        licence=licence,
        issuer=f"{licence.issuer.division.name}{licence.issuer.name}",
        validity=_validity(licence.valid_until),
        status=status,
        status_label=str(selectors.STATUS_LABELS[status]),
    )


def _verify_url(request: HttpRequest, licence: Licence) -> str:
    return request.build_absolute_uri(selectors.verify_path(licence))


def _certificate(request: HttpRequest, licence: Licence) -> dict[str, Any]:
    """What the certificate partial shows."""
    url = _verify_url(request, licence)
    doc = selectors.licence_document(licence, url)
    status = selectors.effective_status(licence)
    return {
        "licence": licence,
        "doc": doc,
        "validity": documents.validity_text(doc),
        "issue_date": documents.chinese_date(doc.issue_date),
        "status": status,
        "status_label": selectors.STATUS_LABELS[status],
        "qr": documents.qr_svg(url),
        "verify_url": url,
        "events": [
            {"event": e, "label": ACTION_LABELS.get(e.action, e.action)}
            for e in selectors.licence_events(licence)
        ],
    }


def _throttled(request: HttpRequest) -> bool:
    """Public verification shares the status query's rate, under its own counter."""
    throttle = ClientRateThrottle(THROTTLE_PURPOSE, settings.TONGBAN_RATE_STATUS)
    return not throttle.allow_request(request)


def masked_holder(holder: Any) -> str:
    """Enterprises are shown by name; persons only by surname (张*)."""
    if not isinstance(holder, dict):
        return ""
    name = str(holder.get("name", ""))
    if holder.get("kind") == HolderKind.PERSON:
        return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
    return name


def _verdict(result: Verification) -> dict[str, Any]:
    licence = result.licence or {}
    valid_until = licence.get("valid_until")
    return {
        "valid": result.valid,
        "status": result.status,
        "label": VERDICT_LABELS.get(result.status, VERDICT_LABELS["invalid"]),
        "reason": result.reason,
        "genuine": result.licence is not None,
        "type_name": licence.get("type_name", ""),
        "number": licence.get("number", ""),
        "identifier": licence.get("identifier", ""),
        "issuer": (licence.get("issuer") or {}).get("name", ""),
        "issue_date": licence.get("issue_date", ""),
        "valid_from": licence.get("valid_from", ""),
        "valid_until": valid_until or _("长期"),
        "holder": masked_holder(licence.get("holder")),
    }


# ---------------------------------------------------------------------------- wallet


@login_required
@require_safe
def wallet(request: HttpRequest) -> HttpResponse:
    page = selectors.wallet_page(request.user, cursor=request.GET.get("cursor") or None, size=20)
    return render(
        request,
        "licences/wallet.html",
        {"rows": [_row(x) for x in page.items], "next_cursor": page.next_cursor},
    )


@dataclass
class DepartmentGroup:
    division: str
    departments: list[tuple[int, str]]


def _department_groups() -> list[DepartmentGroup]:
    return [
        DepartmentGroup(
            division=division_name,
            departments=[(d.pk, f"{division_name}{d.name}") for d in departments],
        )
        for division_name, departments in itertools.groupby(
            departments_grouped(), key=lambda d: d.division.name
        )
    ]


def _consent_rows(licence: Licence) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for consent in selectors.licence_consents(licence):
        if consent.revoked_at:
            state = _("已撤销")
        elif consent.expires_at <= now:
            state = _("已过期")
        else:
            state = _("生效中")
        rows.append(
            {
                "consent": consent,
                "department": f"{consent.department.division.name}{consent.department.name}",
                "state": state,
                "active": consent.revoked_at is None and consent.expires_at > now,
            }
        )
    return rows


def _holder_page(
    request: HttpRequest,
    licence: Licence,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    default_until = timezone.localdate() + timedelta(days=CONSENT_DEFAULT_DAYS)
    values = {
        "department_id": "",
        "scope": ConsentScope.SUMMARY,
        "purpose": "",
        "expires_on": default_until.isoformat(),
        **(form or {}),
    }
    context = _certificate(request, licence)
    context.update(
        {
            "consents": _consent_rows(licence),
            "groups": _department_groups(),
            "scopes": ConsentScope.choices,
            "form": values,
            "errors": errors or {},
        }
    )
    return render(request, "licences/detail.html", context, status=status)


@login_required
@require_safe
def licence_detail(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    return _holder_page(request, licence)


@login_required
@require_safe
def licence_pdf(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    doc = selectors.licence_document(licence, _verify_url(request, licence))
    response = HttpResponse(documents.licence_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response


@login_required
@require_safe
def licence_signed(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    body = json.dumps(selectors.signed_of(licence), ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.json"'
    return response


def _consent_input(post: Any) -> tuple[int, date]:
    raw_department = post.get("department_id", "").strip()
    if not raw_department.isdigit():
        raise ValidationFailed(_("请选择被授权部门"), field="department_id")
    raw_date = post.get("expires_on", "").strip()
    try:
        expires_on = date.fromisoformat(raw_date)
    except ValueError:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), field="expires_on") from None
    return int(raw_department), expires_on


@login_required
@require_POST
def consent_grant(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    form = {
        key: request.POST.get(key, "").strip()[:200]
        for key in ("department_id", "scope", "purpose", "expires_on")
    }
    try:
        department_id, expires_on = _consent_input(request.POST)
        consent = services.consent_grant(
            user=request.user,
            licence_id=licence.pk,
            department_id=department_id,
            scope=form["scope"],
            purpose=form["purpose"],
            expires_on=expires_on,
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        field = exc.field if exc.field in form else "department_id"
        status = exc.status if exc.status != 404 else 422
        return _holder_page(request, licence, form=form, errors={field: exc.message}, status=status)
    messages.success(
        request,
        _("已授权%(department)s使用本证照，至 %(until)s。")
        % {
            "department": f"{consent.department.division.name}{consent.department.name}",
            "until": expires_on.isoformat(),
        },
    )
    return redirect("my_licences:detail", licence_id=licence.pk)


@login_required
@require_POST
def consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = services.consent_revoke(user=request.user, consent_id=consent_id)
    messages.success(request, _("已撤销该用证授权。"))
    return redirect("my_licences:detail", licence_id=consent.licence_id)


# ---------------------------------------------------------------------------- verification


def _read_document(request: HttpRequest) -> tuple[str, Any]:
    """The pasted text or the uploaded file, parsed; raises ``ValidationFailed``."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationFailed(_("文件过大，签名文件不超过 64 KB"), field="file")
        try:
            text = upload.read(MAX_DOCUMENT_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("文件不是 UTF-8 编码的 JSON"), field="file") from None
        field = "file"
    else:
        text = request.POST.get("document", "")
        field = "document"
    if not text.strip():
        raise ValidationFailed(_("请粘贴签名证照文件的内容，或选择要上传的文件"), field="document")
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(_("内容过长，签名文件不超过 64 KB"), field=field)
    try:
        return text, json.loads(text)
    except ValueError:
        raise ValidationFailed(
            _("无法读取：内容不是有效的 JSON，请粘贴完整的签名文件"), field=field
        ) from None


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """证照查验 without signing in: paste or upload a signed licence (.json)."""
    context: dict[str, Any] = {"document": "", "error": "", "error_field": "", "result": None}
    status = 200
    if request.method == "POST":
        context["document"] = request.POST.get("document", "")[:MAX_DOCUMENT_BYTES]
        if _throttled(request):
            context["error"], context["error_field"] = _("查验过于频繁，请稍后再试。"), "document"
            status = 429
        else:
            try:
                _text, document = _read_document(request)
            except ValidationFailed as exc:
                context["error"], context["error_field"] = exc.message, exc.field
                status = exc.status
            else:
                context["result"] = _verdict(services.licence_verify(document))
    return render(request, "licences/verify.html", context, status=status)


@require_safe
def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    """Where the QR code points: the current status of one licence."""
    if _throttled(request):
        return render(
            request, "error.html", {"message": _("查验过于频繁，请稍后再试。")}, status=429
        )
    licence = selectors.licence_by_identifier(identifier[:120])
    if licence is None:
        raise NotFound(_("未找到该证照，请核对证照标识或二维码。"))
    result = services.licence_verify(selectors.signed_of(licence))
    return render(
        request, "licences/verify_identifier.html", {"result": _verdict(result), "by_id": True}
    )


# ---------------------------------------------------------------------------- issuing department


def issuer_staff_only(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(g.role in selectors.ISSUER_VIEW_ROLES for g in staff_roles(request.user)):  # type: ignore[arg-type]
            raise PermissionDenied(_("该页面仅供颁发部门的工作人员使用"))
        return view(request, *args, **kwargs)

    return wrapper


@issuer_staff_only
@require_safe
def issued(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:120]
    page = selectors.issued_by(
        request.user, cursor=request.GET.get("cursor") or None, size=20, query=query
    )
    return render(
        request,
        "licences/issued.html",
        {"rows": [_row(x) for x in page.items], "next_cursor": page.next_cursor, "q": query},
    )


def _staff_page(
    request: HttpRequest,
    licence: Licence,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    error_field: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _certificate(request, licence)
    may_change = staff_has_role(
        request.user,  # type: ignore[arg-type]
        roles=services.ISSUER_ROLES,
        department_id=licence.issuer_id,
    )
    actions = [
        (action, ACTION_LABELS[action])
        for action, (allowed, _target) in services.TRANSITIONS.items()
        if licence.status in allowed
    ]
    context.update(
        {
            "may_change": may_change,
            "actions": actions,
            "form": form or {"action": "", "reason": ""},
            "error": error,
            "error_field": error_field,
            "status_reason": licence.status_reason,
        }
    )
    return render(request, "licences/staff_detail.html", context, status=status)


@issuer_staff_only
@require_safe
def staff_detail(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.licence_for_viewer(user=request.user, licence_id=licence_id)
    return _staff_page(request, licence)


@issuer_staff_only
@require_POST
def status_change(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = {
        "action": request.POST.get("action", "").strip()[:20],
        "reason": request.POST.get("reason", "")[:600],
    }
    try:
        # The service decides who may change what; its PermissionDenied is a 403 page
        # and an audit entry (core middleware).
        licence = services.licence_status_change(
            actor=request.user, licence_id=licence_id, action=form["action"], reason=form["reason"]
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        current = selectors.licence_for_viewer(user=request.user, licence_id=licence_id)
        field = exc.field if exc.field in form else "action"
        return _staff_page(
            request, current, form=form, error=exc.message, error_field=field, status=exc.status
        )
    messages.success(
        request,
        _("已%(action)s证照 %(number)s。")
        % {"action": ACTION_LABELS[form["action"]], "number": licence.number},
    )
    return redirect("workbench_licences:detail", licence_id=licence.pk)
