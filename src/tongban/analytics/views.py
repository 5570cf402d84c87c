"""Decision support pages: the leaders' dashboard with its exports, the cases behind a
figure, the monthly reports and the public statistics (办件公示). Server-rendered SVG
charts, every one beside its table; no page needs JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.analytics import figures, selectors, services
from tongban.core.decorators import staff_only
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.tabular import csv_bytes, xlsx_bytes
from tongban.supervision.selectors import DRILLDOWN_METRICS


def _period(request: HttpRequest) -> selectors.Period:
    return selectors.period_from(request.GET.get("from", "")[:7], request.GET.get("to", "")[:7])


def _division(request: HttpRequest) -> str:
    return request.GET.get("division", "").strip()[:6]


@staff_only
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    lens = selectors.lens_for(request.user, _division(request))
    period = _period(request)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "lens": lens,
            "period": period,
            "summary": selectors.summary(lens, period),
            "figures": figures.dashboard(lens, period),
            "areas": selectors.navigable_divisions(request.user, lens),
            "query": selectors.period_query(lens, period),
        },
    )


@staff_only
@require_safe
def export(request: HttpRequest, figure_id: str, fmt: str) -> HttpResponse:
    lens = selectors.lens_for(request.user, _division(request))
    period = _period(request)
    _check_format(fmt)
    return _download(figures.figure(lens, period, figure_id), lens, period, fmt)


@require_safe
def public_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The table of the public statistics, for anyone."""
    lens = selectors.public_lens(_division(request))
    period = _period(request)
    _check_format(fmt)
    return _download(figures.public_figure(lens, period), lens, period, fmt)


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("只能导出 CSV 或 XLSX"), field="format")


def _download(
    figure: figures.Figure, lens: selectors.Lens, period: selectors.Period, fmt: str
) -> HttpResponse:
    months = f"{period.param(period.first)}-{period.param(period.last)}"
    name = f"{figure.id}-{lens.division_code}-{months}.{fmt}"
    if fmt == "csv":
        data = csv_bytes(figure.columns, figure.plain_rows())
        content_type = "text/csv; charset=utf-8"
    else:
        data = xlsx_bytes(figure.columns, figure.plain_rows(), sheet=figure.id)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_only
@require_safe
def cases(request: HttpRequest) -> HttpResponse:
    lens = selectors.lens_for(request.user, _division(request))
    period = _period(request)
    metric = request.GET.get("metric", "received")[:20]
    department = request.GET.get("department", "").strip()[:40]
    item = request.GET.get("item", "").strip()[:80]
    page = selectors.drilldown(
        lens,
        period,
        metric=metric,
        department=department,
        item=item,
        cursor=request.GET.get("cursor"),
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "analytics/cases.html",
        {
            "lens": lens,
            "period": period,
            "page": page,
            "metric": metric,
            "metric_label": dict(selectors.drilldown_labels()).get(metric, metric),
            "department": department,
            "item": item,
            "base_query": params.urlencode(),
            "metrics": [m for m in selectors.drilldown_labels() if m[0] in DRILLDOWN_METRICS],
            "query": selectors.period_query(lens, period),
        },
    )


@staff_only
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    lens = selectors.lens_for(request.user, _division(request))
    return render(
        request,
        "analytics/reports.html",
        {
            "lens": lens,
            "reports": selectors.reports_of(lens),
            "may_generate": selectors.may_generate_reports(request.user, lens),
            "months": selectors.report_months(),
        },
    )


@staff_only
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    lens = selectors.lens_for(request.user, request.POST.get("division", "")[:6])
    raw_month = request.POST.get("month", "").strip()[:7]
    if not raw_month:
        raise ValidationFailed(_("请选择月份"), field="month")
    month = selectors.period_from(raw_month, raw_month).first
    services.monthly_report_generate(
        user=request.user, division_code=lens.division_code, month=month
    )
    messages.success(request, _("已生成 %(month)s 月度报告") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('analytics:reports')}?division={lens.division_code}")


@staff_only
@require_safe
def report_file(request: HttpRequest, report_id: int) -> HttpResponse:
    archived = selectors.report_for_viewer(request.user, report_id)
    with archived.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    name = f"{archived.division_code}-{archived.month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
def public_statistics(request: HttpRequest) -> HttpResponse:
    """办件公示: totals and on-time rates per department, open to everyone."""
    lens = selectors.public_lens(_division(request))
    period = _period(request)
    totals = selectors.public_summary(lens, period)
    return render(
        request,
        "analytics/public.html",
        {
            "lens": lens,
            "period": period,
            "summary": totals,
            "on_time": selectors.percent(totals.on_time_rate),
            "online": selectors.percent(totals.online_rate),
            "figure": figures.public_figure(lens, period),
            "areas": selectors.public_divisions(lens),
            "query": selectors.period_query(lens, period),
        },
    )
