"""Steward pages: the reconciliation summary and the conflict queue with its resolve form.
Every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.core.charts import bar_chart
from tongban.core.errors import Conflict, ValidationFailed
from tongban.registries import selectors, services
from tongban.registries.models import ConflictStatus


@login_required
@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    selectors.steward_scope(request.user)
    report = selectors.reconcile_report()
    link_rows = [
        (_("证件号码一致"), report.links.get("exact_id", 0)),
        (_("概率匹配"), report.links.get("probabilistic", 0)),
        (_("单独建档"), report.links.get("new", 0)),
        (_("源内重复"), report.duplicates),
        (_("生命状态不一致"), report.stale),
        (_("法定代表人在人口库"), report.legal_rep_persons),
    ]
    conflict_rows = [
        (
            selectors.attribute_label(attribute),
            counts.get("open", 0),
            counts.get("resolved", 0),
            counts.get("superseded", 0),
        )
        for attribute, counts in sorted(report.conflicts.items())
    ]
    chart_rows = link_rows + [
        (_("冲突：%(a)s") % {"a": label}, o + r) for label, o, r, _s in conflict_rows
    ]
    return render(
        request,
        "registries/summary.html",
        {
            "report": report,
            "records": [
                (selectors.source_label(k.split("/")[0]), k, n)
                for k, n in sorted(report.records.items())
            ],
            "link_rows": link_rows,
            "conflict_rows": conflict_rows,
            "chart": bar_chart(
                [(label, (n,)) for label, n in chart_rows], title=_("基础库对账结果")
            ),
        },
    )


@login_required
@require_safe
def conflicts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ConflictStatus.OPEN).strip()[:12]
    attribute = request.GET.get("attribute", "").strip()[:40]
    page = selectors.conflict_list(
        user=request.user, status=status, attribute=attribute, cursor=request.GET.get("cursor")
    )
    items = [
        {
            "conflict": c,
            "attribute_label": selectors.attribute_label(c.attribute),
            "values": [
                {
                    "key": f"{v['source']}:{v['source_id']}",
                    "value": selectors.display_value(c.attribute, v["value"]),
                    "source": selectors.source_label(v["source"]),
                    "source_id": v["source_id"],
                    "seen_at": v["seen_at"][:19].replace("T", " "),
                }
                for v in c.values
            ],
            "chosen": selectors.display_value(c.attribute, c.chosen_value)
            if c.chosen_value
            else "",
        }
        for c in page.items
    ]
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "registries/conflicts.html",
        {
            "items": items,
            "page": page,
            "status": status,
            "attribute": attribute,
            "statuses": ConflictStatus.choices,
            "base_query": params.urlencode(),
        },
    )


@login_required
@require_POST
def conflict_resolve(request: HttpRequest, conflict_id: int) -> HttpResponse:
    try:
        services.conflict_resolve(
            user=request.user,
            conflict_id=conflict_id,
            value_source=request.POST.get("value_source", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已采用所选来源的值，主记录已更新。"))
    return redirect("registries:conflicts")
