"""Disclosure pages. Public: the publication lists, details, search and feeds (主动公开
only), the applicant's information requests. Workbench: publications, request handling,
deadline supervision and the annual report. Thin: parse, call a service or selector,
render; every page works without JavaScript."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_roles
from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.disclosure import forms, selectors, services
from tongban.disclosure.models import Kind, Publication, RequestStatus
from tongban.disclosure.selectors import PublicationFilter
from tongban.org.selectors import (
    department_list,
    departments_grouped,
    division_children,
    division_get,
    division_root,
)

View = Callable[..., HttpResponse]


def _date(raw: str, field: str, *, required: bool = False) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationFailed(_("请填写日期"), field=field)
        return None
    value = parse_date(raw) if len(raw) == 10 else None
    if value is None:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), field=field)
    return value


def _int(raw: str, field: str, message: str) -> int:
    try:
        return int((raw or "").strip())
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def _roles(request: HttpRequest) -> list[Any]:
    return staff_roles(request.user)  # type: ignore[arg-type]  # staff_only ensures a User


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


def _year(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


# --- Public pages ----------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """/disclosure/ opens the province's own disclosure page."""
    root = division_root()
    if root is None:
        raise NotFound(_("尚未设置行政区划"))
    return redirect("disclosure:list", division=root.code)


@require_safe
def publication_list(request: HttpRequest, division: str) -> HttpResponse:
    place = division_get(division)
    f = PublicationFilter(
        division=place.code,
        kind=request.GET.get("kind", "").strip()[:20],
        category=request.GET.get("category", "").strip()[:40],
        department=request.GET.get("department", "").strip()[:40],
        year=_year(request.GET.get("year", "").strip()),
    )
    page = selectors.publication_list(f, cursor=request.GET.get("cursor"))
    return render(
        request,
        "disclosure/list.html",
        {
            "division": place,
            "children": division_children(place.code),
            "filter": f,
            "page": page,
            "base_query": _query(request),
            "kinds": Kind.choices,
            "categories": selectors.categories(),
            "departments": department_list(division_code=place.code).items,
        },
    )


@require_safe
def publication_detail(request: HttpRequest, division: str, publication_id: int) -> HttpResponse:
    publication = selectors.publication_get_public(publication_id, division_code=division)
    return render(request, "disclosure/detail.html", {"p": publication})


@require_safe
def publication_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    f = PublicationFilter(division=request.GET.get("division", "").strip()[:6], q=q)
    page = selectors.publication_search(f, cursor=request.GET.get("cursor")) if q else None
    return render(
        request, "disclosure/search.html", {"q": q, "page": page, "base_query": _query(request)}
    )


def _department_choices() -> list[tuple[str, str]]:
    return [(str(d.pk), str(d)) for d in departments_grouped()]


def _request_form(request: HttpRequest, data: dict[str, str], errors: dict[str, str]) -> Any:
    fields = forms.bind(forms.request_fields(_department_choices()), data, errors)
    status = 422 if errors else 200
    context = {"fields": fields, "errors": errors}
    return render(request, "disclosure/request_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _request_form(request, {}, {})
    names = ("department_id", "description", "purpose", "form", "phone", "address", "email")
    data = {k: request.POST.get(k, "").strip()[:4000] for k in names}
    try:
        department_id = _int(data["department_id"], "department_id", _("请选择受理机关"))
        created = services.request_submit(
            user=request.user,
            data=services.RequestInput(
                department_id=department_id, **{k: data[k] for k in names[1:]}
            ),
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _request_form(request, data, {exc.field or "department_id": exc.message})
    messages.success(request, _("申请已提交，申请编号 %(n)s。") % {"n": created.number})
    return redirect("disclosure:request_detail", request_id=created.pk)


@login_required
@require_safe
def request_mine(request: HttpRequest) -> HttpResponse:
    page = selectors.my_requests(request.user, cursor=request.GET.get("cursor"))
    return render(request, "disclosure/request_mine.html", {"page": page})


@login_required
@require_safe
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    info = selectors.request_get(request.user, request_id)
    if info.applicant_id != request.user.pk:
        return redirect("workbench_disclosure:request_detail", request_id=info.pk)
    return render(request, "disclosure/request_detail.html", {"r": info, "errors": {}})


@login_required
@require_safe
def request_reply_file(request: HttpRequest, request_id: int) -> FileResponse:
    """The reply document, only for those who may see the request (not a public URL)."""
    info = selectors.request_get(request.user, request_id)
    if not info.reply_file:
        raise NotFound(_("该申请没有答复文件"))
    name = info.reply_file.name.rsplit("/", 1)[-1]
    return FileResponse(info.reply_file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def request_supply(request: HttpRequest, request_id: int) -> HttpResponse:
    description = request.POST.get("description", "").strip()[:4000]
    try:
        services.request_supply_correction(
            user=request.user, request_id=request_id, description=description
        )
    except ValidationFailed as exc:
        info = selectors.request_get(request.user, request_id)
        context = {"r": info, "errors": {"description": exc.message}, "supplied": description}
        return render(request, "disclosure/request_detail.html", context, status=422)
    messages.success(request, _("补正材料已提交，答复期限自今日起重新计算。"))
    return redirect("disclosure:request_detail", request_id=request_id)


# --- Workbench: publications -----------------------------------------------------------


@staff_only
@require_safe
def staff_publications(request: HttpRequest) -> HttpResponse:
    page = selectors.staff_publication_list(request.user, cursor=request.GET.get("cursor"))
    return render(request, "disclosure/workbench/publications.html", {"page": page})


def _publication_fields(request: HttpRequest) -> list[forms.Field]:
    ids = set(selectors.editable_department_ids(request.user))
    departments = [(str(g.department_id), str(g.department)) for g in _roles(request)]
    departments = list(dict.fromkeys(d for d in departments if int(d[0]) in ids))
    categories = [(c.code, str(c)) for c in selectors.categories()]
    return forms.publication_fields(departments, categories)


def _publication_data(p: Publication) -> dict[str, str]:
    values = {f: getattr(p, f) for f in ("kind", "title", "doc_number", "summary", "body")}
    values |= {f: getattr(p, f) for f in ("attribute", "withheld_reason", "validity")}
    dates = {f: getattr(p, f) for f in ("written_on", "effective_on", "invalid_on")}
    values |= {k: v.isoformat() if v else "" for k, v in dates.items()}
    return values | {"department_id": str(p.department_id), "category": p.category.code}


def _publication_input(data: dict[str, str]) -> services.PublicationInput:
    return services.PublicationInput(
        department_id=_int(data["department_id"], "department_id", _("请选择发布机构")),
        category_code=data["category"],
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        written_on=_date(data["written_on"], "written_on", required=True),  # type: ignore[arg-type]
        attribute=data["attribute"],
        summary=data["summary"],
        doc_number=data["doc_number"],
        withheld_reason=data["withheld_reason"],
        validity=data["validity"],
        effective_on=_date(data["effective_on"], "effective_on"),
        invalid_on=_date(data["invalid_on"], "invalid_on"),
    )


@staff_only
@require_http_methods(["GET", "POST"])
def publication_form(request: HttpRequest, publication_id: int | None = None) -> HttpResponse:
    existing = (
        selectors.staff_publication_get(request.user, publication_id) if publication_id else None
    )
    fields = _publication_fields(request)
    if not fields[0].options:
        raise PermissionDenied(_("只有部门审批员或负责人可以管理公开信息"))
    errors: dict[str, str] = {}
    data = _publication_data(existing) if existing else {"validity": "valid"}
    if request.method == "POST":
        data = {f.name: request.POST.get(f.name, "").strip()[:20000] for f in fields}
        try:
            saved = _save_publication(request, existing, data)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            errors = {exc.field or "title": exc.message}
        else:
            messages.success(request, _("已保存，索引号 %(n)s。") % {"n": saved.index_number})
            return redirect("workbench_disclosure:publications")
    context = {"fields": forms.bind(fields, data, errors), "errors": errors, "p": existing}
    return render(
        request,
        "disclosure/workbench/publication_form.html",
        context,
        status=422 if errors else 200,
    )


def _save_publication(
    request: HttpRequest, existing: Publication | None, data: dict[str, str]
) -> Publication:
    values = _publication_input(data)
    if existing is None:
        return services.publication_create(actor=request.user, data=values)
    return services.publication_update(actor=request.user, publication_id=existing.pk, data=values)


@staff_only
@require_POST
def publication_publish(request: HttpRequest, publication_id: int) -> HttpResponse:
    try:
        services.publication_publish(actor=request.user, publication_id=publication_id)
        messages.success(request, _("已发布。"))
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("workbench_disclosure:publications")


@staff_only
@require_POST
def publication_withdraw(request: HttpRequest, publication_id: int) -> HttpResponse:
    try:
        services.publication_withdraw(
            actor=request.user,
            publication_id=publication_id,
            reason=request.POST.get("reason", "")[:300],
        )
        messages.success(request, _("已撤回。"))
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("workbench_disclosure:publications")


# --- Workbench: requests ---------------------------------------------------------------


@staff_only
@require_safe
def staff_requests(request: HttpRequest) -> HttpResponse:
    overdue = request.GET.get("overdue") == "1"
    page = selectors.staff_request_list(
        request.user, overdue=overdue, cursor=request.GET.get("cursor")
    )
    context = {"page": page, "overdue": overdue, "base_query": _query(request)}
    return render(request, "disclosure/workbench/requests.html", context)


def _staff_request_page(
    request: HttpRequest, request_id: int, errors: dict[str, str], data: dict[str, str]
) -> HttpResponse:
    info = selectors.request_get(request.user, request_id)
    context = {
        "r": info,
        "errors": errors,
        "data": data,
        "can_handle": selectors.is_request_staff(request.user, info),
        "reply_fields": forms.bind(forms.reply_fields(), data, errors),
        "open": info.status == RequestStatus.REGISTERED,
    }
    return render(
        request, "disclosure/workbench/request_detail.html", context, status=422 if errors else 200
    )


@staff_only
@require_safe
def staff_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _staff_request_page(request, request_id, {}, {})


def _act(request: HttpRequest, request_id: int, action: str) -> None:
    post, user = request.POST, request.user
    if action == "register":
        services.request_register(
            actor=user,
            request_id=request_id,
            received_on=_date(post.get("received_on", ""), "received_on"),
        )
    elif action == "correction":
        services.request_ask_correction(
            actor=user, request_id=request_id, note=post.get("note", "")
        )
    elif action == "extend":
        days = _int(post.get("days", ""), "days", _("请填写延长的工作日数"))
        services.request_extend(
            actor=user, request_id=request_id, days=days, reason=post.get("reason", "")
        )
    else:
        data = services.ReplyInput(
            **{
                k: post.get(k, "").strip()
                for k in (
                    "reply_type",
                    "reply_text",
                    "withheld_reason",
                    "referral_agency",
                    "public_location",
                )
            }
        )
        services.request_reply(
            actor=user, request_id=request_id, data=data, reply_file=request.FILES.get("reply_file")
        )


ACTIONS = {
    "register": _("已登记"),
    "correction": _("已告知补正"),
    "extend": _("已延期"),
    "reply": _("已答复"),
}


@staff_only
@require_POST
def staff_request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise ValidationFailed(_("不支持的操作"), field="action")
    try:
        _act(request, request_id, action)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        data = {k: str(request.POST.get(k, ""))[:4000] for k in request.POST}
        return _staff_request_page(request, request_id, {exc.field or action: exc.message}, data)
    messages.success(request, ACTIONS[action])
    return redirect("workbench_disclosure:request_detail", request_id=request_id)


# --- Workbench: annual report ----------------------------------------------------------


@staff_only
@require_safe
def annual_report(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year", "")) or timezone.localdate().year
    departments = selectors.report_departments(request.user)
    raw = request.GET.get("department", "").strip()
    department_id = int(raw) if raw.isdigit() else (departments[0].pk if departments else 0)
    report = selectors.annual_report(request.user, year=year, department_id=department_id)
    if request.GET.get("format") == "csv":
        return _report_csv(report)
    context = {
        "report": report,
        "departments": departments,
        "department_id": department_id,
        "csv_query": f"year={year}&department={department_id}&format=csv",
    }
    return render(request, "disclosure/workbench/report.html", context)


def _report_csv(report: selectors.AnnualReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disclosure-report-{report.year}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow([_("项目"), _("自然人"), _("法人或其他组织"), _("总计")])
    rows = [report.received, report.carried_over, *report.results, report.results_total]
    for row in [*rows, report.carried_forward]:
        writer.writerow(["　" * row.indent + row.label, row.person, row.legal, row.total])
    writer.writerow([])
    writer.writerow([_("主动公开信息类别"), _("本年发布数量")])
    for label, count in report.publications:
        writer.writerow([label, count])
    return response
