"""Citizen pages for applications (办件): apply, follow, provide materials, submit, withdraw,
the public status query and window appointments.

Thin views: every write goes through ``tongban.cases.services`` and every read through the
selectors; a ``DomainError`` is shown to the user with its Chinese message. Everything works
without JavaScript: plain forms, POST-redirect-GET on success, errors next to the fields.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import applicant_identity
from tongban.cases import selectors, services

# The cases app keeps its models private; its selectors module has the names we need.
from tongban.cases.selectors import Case, CaseStatus
from tongban.catalog import selectors as catalog
from tongban.catalog.services import form_fields_in_order, schema_errors
from tongban.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from tongban.core.throttling import ClientRateThrottle
from tongban.licences import selectors as licence_selectors
from tongban.licences import services as licence_services
from tongban.org.selectors import department_get
from tongban.supervision.selectors import rating_for_case

LONG_TEXT = 200  # strings allowed to be longer than this get a <textarea>
# Hints for the patterns of well-known fields; other patterns get a generic hint.
PATTERN_HINTS = {
    "id_number": gettext_lazy("18位居民身份证号码，最后一位可能是X"),
    "credit_code": gettext_lazy("18位统一社会信用代码"),
    "phone": gettext_lazy("11位手机号码，或区号加座机号码"),
}


# ---------------------------------------------------------------------------- form from schema


@dataclass
class FormField:
    """One input of an application form, built from a JSON Schema property."""

    key: str
    title: str
    kind: str  # text | textarea | number | integer | boolean | enum | date
    required: bool
    choices: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    max_length: int | None = None
    value: str = ""
    checked: bool = False
    error: str = ""

    @property
    def input_id(self) -> str:
        return f"f-{self.key}"

    @property
    def hint(self) -> str:
        return "；".join(self.hints)


def _schema_fields(schema: dict[str, Any]) -> list[FormField]:
    required = set(schema.get("required") or [])
    fields: list[FormField] = []
    for key, spec in form_fields_in_order(schema):
        if not isinstance(spec, dict):
            continue
        kind, hints = _kind(spec), []
        max_length = spec.get("maxLength") if isinstance(spec.get("maxLength"), int) else None
        if max_length:
            hints.append(_("不超过%(n)s个字") % {"n": max_length})
        if "pattern" in spec:
            hints.append(str(PATTERN_HINTS.get(key, _("须符合规定格式"))))
        if "minimum" in spec:
            hints.append(_("不小于%(n)s") % {"n": spec["minimum"]})
        if "maximum" in spec:
            hints.append(_("不大于%(n)s") % {"n": spec["maximum"]})
        if kind == "date":
            hints.append(_("格式：年-月-日，如 2026-03-01"))
        if spec.get("description"):
            hints.insert(0, str(spec["description"]))
        fields.append(
            FormField(
                key=str(key),
                title=str(spec.get("title") or key),
                kind=kind,
                required=key in required,
                choices=[str(c) for c in spec.get("enum") or []],
                hints=hints,
                max_length=max_length,
            )
        )
    return fields


def _kind(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "enum"
    kind = spec.get("type")
    if kind in ("number", "integer", "boolean"):
        return str(kind)
    if spec.get("format") == "date":
        return "date"
    if isinstance(spec.get("maxLength"), int) and spec["maxLength"] > LONG_TEXT:
        return "textarea"
    return "text"


def _fill(fields: list[FormField], values: dict[str, Any]) -> None:
    """Show stored form data (a dict from JSON) in the inputs."""
    for f in fields:
        value = values.get(f.key)
        if f.kind == "boolean":
            f.checked = value is True
        elif value is not None:
            f.value = str(value)


def _parse(fields: list[FormField], post: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted strings as typed JSON values, and the inputs that are not numbers."""
    form: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        if f.kind == "boolean":
            f.checked = post.get(f.key) == "1"
            form[f.key] = f.checked
            continue
        raw = str(post.get(f.key, "")).strip()
        f.value = raw
        if raw == "":
            continue  # left out: the schema says whether that is allowed
        if f.kind in ("number", "integer"):
            number = _number(raw, integer=f.kind == "integer")
            if number is None:
                kind = _("整数") if f.kind == "integer" else _("数字")
                errors[f.key] = _("%(title)s应为%(type)s") % {"title": f.title, "type": kind}
                continue
            form[f.key] = number
        else:
            form[f.key] = raw
    return form, errors


def _number(raw: str, *, integer: bool) -> int | float | None:
    text = raw.replace(",", "").replace("，", "")
    try:
        if integer:
            return int(text)
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


def _validate(
    schema: dict[str, Any], fields: list[FormField], form: dict[str, Any], errors: dict[str, str]
) -> dict[str, str]:
    """Every problem at once (一次性告知), each next to its field, in the service's words."""
    known = {f.key for f in fields}
    for problem in schema_errors(schema, form):
        key = problem.field.split(".")[0] if problem.field else ""
        target = key if key in known else "__all__"
        if key in errors:
            continue  # the input was not even a number; that message says more
        errors.setdefault(target, problem.message)
    return errors


def _attach(fields: list[FormField], errors: dict[str, str]) -> None:
    for f in fields:
        f.error = errors.get(f.key, "")


def _initial_values(user: Any) -> dict[str, Any]:
    """Prefill who is applying from the verified account (they may still correct it)."""
    applicant = applicant_identity(user)
    if applicant is None:
        return {}
    if applicant.kind == "legal":
        return {"entity_name": applicant.name, "credit_code": applicant.id_masked}
    return {"applicant_name": applicant.name}


def _error_target(exc: DomainError) -> str:
    name = (exc.field or "").removeprefix("form.")
    return name if exc.field and exc.field.startswith("form.") else "__all__"


# ---------------------------------------------------------------------------- applying


def _applicant_required(request: HttpRequest) -> None:
    if applicant_identity(request.user) is None:  # type: ignore[arg-type]
        raise PermissionDenied(_("请使用个人或法人账号申请办事"))


@dataclass(frozen=True)
class ApplyTarget:
    service: str
    bundle: str
    division: str
    name: str
    schema: dict[str, Any]
    back_url: str


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_service(request: HttpRequest, code: str) -> HttpResponse:
    division = (request.POST.get("division") or request.GET.get("division") or "").strip()[:6]
    implementation = catalog.implementation_for(code, division_code=division or None)
    target = ApplyTarget(
        service=code,
        bundle="",
        division=division,
        name=implementation.item.name,
        schema=dict(implementation.form_schema or {}),
        back_url=reverse("catalog:guide", args=[code])
        + (f"?division={division}" if division else ""),
    )
    if not implementation.process_key:
        return _not_online(request, target)
    return _apply(request, target)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_bundle(request: HttpRequest, slug: str) -> HttpResponse:
    bundle = catalog.bundle_get(slug)
    target = ApplyTarget(
        service="",
        bundle=slug,
        division="",
        name=bundle.name,
        schema=dict(bundle.form_schema or {}),
        back_url=reverse("catalog:event", args=[slug]),
    )
    if not bundle.process_key or bundle.lead_department_id is None:
        return _not_online(request, target)
    return _apply(request, target)


def _not_online(request: HttpRequest, target: ApplyTarget) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"message": _("该事项尚未开通网上申报，请到窗口办理")},
        status=409,
    )


def _apply(request: HttpRequest, target: ApplyTarget) -> HttpResponse:
    _applicant_required(request)
    fields = _schema_fields(target.schema)
    if request.method != "POST":
        _fill(fields, _initial_values(request.user))
        return _render_form(request, target, fields, {}, key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "").strip()[:100]
    form, errors = _parse(fields, request.POST)
    errors = _validate(target.schema, fields, form, errors)
    if not errors:
        try:
            case, created = services.case_create(
                user=request.user,
                form=form,
                service=target.service,
                bundle=target.bundle,
                division_code=target.division or None,
                idempotency_key=key,
            )
        except Conflict as exc:
            if exc.code != "idempotency_key_reused":
                raise
            errors["__all__"] = _(
                "这份申请表已经提交过。如需另外申请，请使用下面的新表单重新提交。"
            )
            key = uuid.uuid4().hex  # a fresh form: the old key belongs to the first case
        except DomainError as exc:
            errors[_error_target(exc)] = exc.message
        else:
            if created:
                messages.success(
                    request,
                    _("已保存申请（办件编号 %(number)s）。请上传材料后提交。")
                    % {"number": case.number},
                )
            return redirect("applications:detail", case_id=case.pk)
    return _render_form(request, target, fields, errors, key=key, status=422)


def _render_form(
    request: HttpRequest,
    target: ApplyTarget,
    fields: list[FormField],
    errors: dict[str, str],
    *,
    key: str,
    status: int = 200,
    case: Case | None = None,
) -> HttpResponse:
    _attach(fields, errors)
    return render(
        request,
        "portal/cases/apply.html",
        {
            "target": target,
            "fields": fields,
            "errors": errors,
            "general_error": errors.get("__all__", ""),
            "idempotency_key": key,
            "case": case,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_form(request: HttpRequest, case_id: int) -> HttpResponse:
    """Change the form of a draft or of a case sent back for correction."""
    case = selectors.case_for_applicant(user=request.user, case_id=case_id)
    schema = services.case_form_schema(case)
    target = ApplyTarget(
        service=case.item_code if case.bundle_id is None else "",
        bundle=case.item_code if case.bundle_id is not None else "",
        division=case.division_code,
        name=case.item_name,
        schema=schema,
        back_url=reverse("applications:detail", args=[case.pk]),
    )
    fields = _schema_fields(schema)
    if request.method != "POST":
        _fill(fields, case.form or {})
        return _render_form(request, target, fields, {}, key="", case=case)
    form, errors = _parse(fields, request.POST)
    errors = _validate(schema, fields, form, errors)
    if not errors:
        try:
            services.case_form_update(user=request.user, case_id=case.pk, form=form)
        except DomainError as exc:
            errors[_error_target(exc)] = exc.message
        else:
            messages.success(request, _("申请表已保存。"))
            return redirect("applications:detail", case_id=case.pk)
    return _render_form(request, target, fields, errors, key="", status=422, case=case)


# ---------------------------------------------------------------------------- my cases


STATUS_CHOICES = CaseStatus.choices


@login_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()[:30]
    error = ""
    try:
        page = selectors.case_list_for_applicant(
            user=request.user, status=status, cursor=request.GET.get("cursor") or None, size=20
        )
    except ValidationFailed as exc:
        error, status = exc.message, ""
        page = selectors.case_list_for_applicant(user=request.user, size=20)
    return render(
        request,
        "portal/cases/list.html",
        {"page": page, "status": status, "statuses": STATUS_CHOICES, "error": error},
        status=422 if error else 200,
    )


@dataclass
class MaterialRow:
    """A required material on the case page: what was provided and the forms to provide it."""

    index: int
    name: str
    required: bool
    provided: Any = None
    error: str = ""


CONSENT_DAYS = 90


@dataclass
class LicenceRow:
    """A licence the case needs (电子证照): what the applicant's wallet holds and whether
    the handling department may already use it."""

    index: int
    name: str
    department_name: str = ""
    licence: Any = None
    consent: Any = None


def _licence_rows(request: HttpRequest, case: Case) -> list[LicenceRow]:
    """Before the first submission: each licence material with the wallet's licence and
    the consent of the handling department, if any."""
    if case.status != CaseStatus.DRAFT:
        return []
    specs = services.licence_material_specs(case)
    if not specs:
        return []
    wallet = licence_selectors.wallet_for_materials(request.user, [n for n, _d in specs])
    rows = []
    for index, (name, department_id) in enumerate(specs, 1):
        row = LicenceRow(index=index, name=name, licence=wallet.get(name))
        if department_id is not None:
            department = department_get(department_id)
            row.department_name = f"{department.division.name}{department.name}"
            if row.licence is not None:
                row.consent = licence_selectors.consented(row.licence, department_id)
        rows.append(row)
    return rows


def _form_rows(case: Case) -> list[tuple[str, str]]:
    """(title, value) of the stored form, in the schema's order."""
    fields = _schema_fields(services.case_form_schema(case))
    values = case.form or {}
    rows = []
    for f in fields:
        if f.key not in values:
            continue
        value = values[f.key]
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        rows.append((f.title, str(value)))
    known = {f.key for f in fields}
    rows += [(str(k), str(v)) for k, v in values.items() if k not in known]
    return rows


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    material_errors: dict[int, str] | None = None,
    submit_error: str = "",
    status: int = 200,
) -> HttpResponse:
    provided = {m.name: m for m in selectors.case_materials(case)}
    errors = material_errors or {}
    rows = [
        MaterialRow(
            index=i,
            name=name,
            required=required,
            provided=provided.get(name),
            error=errors.get(i, ""),
        )
        for i, (name, required) in enumerate(services.required_material_names(case), 1)
    ]
    editable = case.status in services.EDITABLE
    return render(
        request,
        "portal/cases/detail.html",
        {
            "case": case,
            "timeline": selectors.case_timeline(case),
            "form_rows": _form_rows(case),
            "materials": rows,
            "licences": _licence_rows(request, case),
            "reusable": selectors.reusable_files(user=request.user) if editable else [],
            "correction": selectors.case_open_correction(case),
            "fetched": selectors.case_fetched(case),
            "editable": editable,
            "withdrawable": case.status in services.WITHDRAWABLE,
            "submit_error": submit_error,
            "show_rating": case.status == CaseStatus.COMPLETED,
            "rating": rating_for_case(case.pk),
            "case_id": case.pk,
            "upload_max_mb": int(settings.TONGBAN_UPLOAD_MAX_BYTES) // (1024 * 1024),
        },
        status=status,
    )


@login_required
@require_safe
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    if case.applicant_id != request.user.pk:
        # Staff following a link meant for the applicant: their own view of the case.
        return redirect("workbench:case", case_id=case.pk)
    return _case_page(request, case)


@login_required
@require_POST
def material_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_applicant(user=request.user, case_id=case_id)
    names = [name for name, _required in services.required_material_names(case)]
    try:
        index = int(request.POST.get("material", ""))
        name = names[index - 1]
    except (ValueError, IndexError):
        index, name = 0, ""
    upload = request.FILES.get("file")
    reuse_raw = request.POST.get("reuse", "").strip()
    try:
        if not name:
            raise ValidationFailed(_("请选择要提交的材料"), field="name")
        reuse_id = None
        if upload is None:
            if "reuse" not in request.POST:
                raise ValidationFailed(_("请选择要上传的文件"), field="file")
            if not reuse_raw.isdigit():
                raise ValidationFailed(_("请选择要复用的材料"), field="reuse")
            reuse_id = int(reuse_raw)
        material = services.case_material_add(
            user=request.user, case_id=case.pk, name=name, upload=upload, reuse_file_id=reuse_id
        )
    except DomainError as exc:
        case.refresh_from_db()
        return _case_page(request, case, material_errors={index: exc.message}, status=exc.status)
    if material.reused:
        messages.success(request, _("已复用材料：%(name)s") % {"name": material.name})
    else:
        messages.success(request, _("已上传材料：%(name)s") % {"name": material.name})
    return redirect(reverse("applications:detail", args=[case.pk]) + f"#material-{index}")


@login_required
@require_POST
def licence_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant lets the handling department use a licence of their wallet (用证授权)
    for this case, so that it is taken from the licence library at submission."""
    case = selectors.case_for_applicant(user=request.user, case_id=case_id)
    specs = dict(services.licence_material_specs(case)) if case.status == CaseStatus.DRAFT else {}
    name = request.POST.get("material", "").strip()
    department_id = specs.get(name)
    licence = licence_selectors.wallet_for_materials(request.user, [name]).get(name)
    if department_id is None or licence is None:
        messages.error(request, _("没有可授权的证照"))
        return redirect(reverse("applications:detail", args=[case.pk]) + "#licences")
    try:
        consent = licence_services.consent_grant(
            user=request.user,
            licence_id=licence.pk,
            department_id=department_id,
            scope="full",
            purpose=_("办件 %(number)s 申请材料") % {"number": case.number},
            expires_on=timezone.localdate() + timedelta(days=CONSENT_DAYS),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已授权受理部门使用您的%(name)s（至 %(until)s）")
            % {
                "name": name,
                "until": timezone.localtime(consent.expires_at).date().isoformat(),
            },
        )
    return redirect(reverse("applications:detail", args=[case.pk]) + "#licences")


@login_required
@require_POST
def case_submit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_applicant(user=request.user, case_id=case_id)
    try:
        case = services.case_submit(user=request.user, case_id=case.pk)
    except DomainError as exc:
        case.refresh_from_db()
        return _case_page(request, case, submit_error=exc.message, status=exc.status)
    messages.success(
        request, _("申请已提交（办件编号 %(number)s），请等待窗口受理。") % {"number": case.number}
    )
    return redirect("applications:detail", case_id=case.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """A confirmation page with an optional reason; POST withdraws the case."""
    case = selectors.case_for_applicant(user=request.user, case_id=case_id)
    error = ""
    if request.method == "POST":
        try:
            services.case_withdraw(
                user=request.user, case_id=case.pk, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已撤回申请。"))
            return redirect("applications:detail", case_id=case.pk)
    return render(
        request,
        "portal/cases/withdraw.html",
        {
            "case": case,
            "error": error,
            "withdrawable": case.status in services.WITHDRAWABLE,
            "reason": request.POST.get("reason", ""),
        },
        status=409 if error else 200,
    )


# ---------------------------------------------------------------------------- public status


@require_http_methods(["GET", "HEAD", "POST"])
def status_query(request: HttpRequest) -> HttpResponse:
    """办件查询 without signing in. POST keeps the ID number out of URLs and logs."""
    context: dict[str, Any] = {"number": "", "error": "", "found": None}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:40]
        context["number"] = number
        # The same counter as GET /api/v1/applications/status: one budget per client.
        throttle = ClientRateThrottle("status", settings.TONGBAN_RATE_STATUS)
        if not throttle.allow_request(request):
            context["error"] = _("查询过于频繁，请稍后再试。")
            status = 429
        else:
            try:
                context["found"] = selectors.status_query(
                    number=number, id_number=request.POST.get("id_number", "")[:40]
                )
            except DomainError as exc:
                context["error"], status = exc.message, exc.status
    return render(request, "portal/cases/status.html", context, status=status)


# ---------------------------------------------------------------------------- appointments


@login_required
@require_safe
def appointments(request: HttpRequest) -> HttpResponse:
    windows = selectors.windows_of()
    chosen = None
    raw = request.GET.get("window", "")
    if raw.isdigit():
        chosen = next((w for w in windows if w.pk == int(raw)), None)
    return render(
        request,
        "portal/cases/appointments.html",
        {
            "windows": windows,
            "chosen": chosen,
            "slots": selectors.slots_open(window_id=chosen.pk) if chosen else [],
            "mine": selectors.appointments_of(user=request.user),
        },
    )


@login_required
@require_POST
def appointment_book(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("slot", "")
    window = request.POST.get("window", "")
    try:
        if not raw.isdigit():
            raise ValidationFailed(_("请选择预约时段"), field="slot")
        booked = services.appointment_book(user=request.user, slot_id=int(raw))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        slot = booked.slot
        messages.success(
            request,
            _("预约成功：%(window)s，%(start)s。")
            % {"window": slot.window.name, "start": _when(slot.starts_at)},
        )
    target = reverse("applications:appointments")
    return redirect(f"{target}?window={window}" if window.isdigit() else target)


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        services.appointment_cancel(user=request.user, appointment_id=appointment_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消预约。"))
    return redirect("applications:appointments")
