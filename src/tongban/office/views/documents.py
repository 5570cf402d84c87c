"""Official document pages (公文) under /workbench/office/: the outgoing documents list
(拟稿/流转中/已分发), the draft form, one document with its trail, versions, attachments and
the user's open steps on it, the version diff, the document laid out (HTML) and as PDF;
the incoming queue (收文) and one receipt with its steps, circulation (传阅) and "已阅";
full-text search.

Thin: parse, call one service or selector, render. Every page works without JavaScript;
a form error is shown next to its field; a refusal (403) or a missing document (404) goes
to the error-page middleware. Opening a document always goes through ``document_open`` /
``receipt_open``, which check visibility and clearance and audit the open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.selectors import staff_roles
from tongban.core.decorators import staff_only
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.office.models import (
    Classification,
    Direction,
    DocumentStatus,
    RecipientKind,
    Urgency,
)
from tongban.office.rendering import render_html, render_pdf
from tongban.office.selectors import collab as collab_selectors
from tongban.office.selectors import documents as selectors
from tongban.office.selectors.rendering import rendered_document
from tongban.office.services import access
from tongban.office.services import documents as services
from tongban.org.selectors import Role, department_full_name

BOXES = ("drafts", "route", "dispatched", "all")
BOX_LABELS = {
    "drafts": gettext_lazy("拟稿"),
    "route": gettext_lazy("流转中"),
    "dispatched": gettext_lazy("已分发"),
    "all": gettext_lazy("全部"),
}
EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)
DRAFT_FIELDS = (
    "department",
    "title",
    "body",
    "main_recipients",
    "copy_recipients",
    "countersign_departments",
    "classification",
    "urgency",
    "secrecy_period",
    "direction",
    "note",
)
LIST_FIELDS = ("main_recipients", "copy_recipients", "countersign_departments")
# Service field names -> form field names (errors are shown beside the form field).
SERVICE_FIELDS = {
    "main_recipient_ids": "main_recipients",
    "copy_recipient_ids": "copy_recipients",
    "countersign_department_ids": "countersign_departments",
    "department_id": "department",
    "handling_department_ids": "handling_departments",
    "reader_ids": "readers",
}
STEP_LABELS = {
    "draft": gettext_lazy("拟稿"),
    "create": gettext_lazy("拟稿"),
    "edit": gettext_lazy("修改"),
    "update": gettext_lazy("修改"),
    "submit": gettext_lazy("提交"),
    "review": gettext_lazy("核稿"),
    "countersign": gettext_lazy("会签"),
    "sign": gettext_lazy("签发"),
    "issue": gettext_lazy("编号用印"),
    "number": gettext_lazy("编号"),
    "seal": gettext_lazy("用印"),
    "dispatch": gettext_lazy("分发"),
    "register": gettext_lazy("登记"),
    "propose": gettext_lazy("拟办"),
    "instruct": gettext_lazy("批示"),
    "handle": gettext_lazy("承办"),
    "file": gettext_lazy("归档"),
    "circulate": gettext_lazy("传阅"),
    "read": gettext_lazy("已阅"),
    "return": gettext_lazy("退回"),
}
DECISION_LABELS = {
    "approve": gettext_lazy("同意"),
    "approved": gettext_lazy("同意"),
    "agree": gettext_lazy("同意"),
    "reject": gettext_lazy("退回"),
    "rejected": gettext_lazy("退回"),
    "disagree": gettext_lazy("不同意"),
    "submit": gettext_lazy("提交"),
    "done": gettext_lazy("完成"),
}
RECEIPT_STEP_ACTIONS = {
    "register": gettext_lazy("登记"),
    "propose": gettext_lazy("提交拟办意见"),
    "instruct": gettext_lazy("批示"),
    "handle": gettext_lazy("办结"),
    "file": gettext_lazy("归档"),
}
DRAFT_ROLES = (Role.REVIEWER, Role.HEAD)


def step_label(step: str) -> str:
    """Chinese name of a workflow step or trail step code (the code itself if unknown)."""
    return str(STEP_LABELS.get(step, step))


def decision_label(decision: str) -> str:
    return str(DECISION_LABELS.get(decision, decision))


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 10]


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _error_context(exc: DomainError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    field = SERVICE_FIELDS.get(exc.field or "", exc.field or "")
    return {"error": exc.message, "error_field": field if field in fields else default}


@dataclass(frozen=True)
class DepartmentGroup:
    """Departments of one division, for <optgroup> / <fieldset> choices."""

    division: str
    departments: list[tuple[int, str]]  # (id, full name)


def department_groups() -> list[DepartmentGroup]:
    groups: list[DepartmentGroup] = []
    for department in selectors.departments_for_choice():
        division = department.division.name
        if not groups or groups[-1].division != division:
            groups.append(DepartmentGroup(division, []))
        groups[-1].departments.append((department.pk, department_full_name(department)))
    return groups


# ---------------------------------------------------------------------------- outgoing


@staff_only
@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "drafts")
    if box not in BOXES:
        box = "drafts"
    page = selectors.documents_for(request.user, box=box, cursor=request.GET.get("cursor") or None)
    return render(
        request,
        "office/document_list.html",
        {
            "box": box,
            "boxes": [(key, str(BOX_LABELS[key])) for key in BOXES],
            "box_label": str(BOX_LABELS[box]),
            "documents": page.items,
            "next_cursor": page.next_cursor,
        },
    )


def _issuing_departments(user: Any) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for grant in staff_roles(user):
        if grant.role in DRAFT_ROLES and grant.department.pk not in seen:
            seen[grant.department.pk] = department_full_name(grant.department)
    return list(seen.items())


def _draft_form_from(document: Any) -> dict[str, Any]:
    recipients = list(document.recipients.all())
    return {
        "department": str(document.issuer_id),
        "title": document.title,
        "body": document.body,
        "main_recipients": [str(r.department_id) for r in recipients if r.kind == "main"],
        "copy_recipients": [str(r.department_id) for r in recipients if r.kind == "copy"],
        "countersign_departments": [str(c.department_id) for c in document.countersigns.all()],
        "classification": str(document.classification),
        "urgency": document.urgency,
        "secrecy_period": document.secrecy_period,
        "direction": document.direction,
        "note": "",
    }


def _draft_form_posted(request: HttpRequest) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for name in DRAFT_FIELDS:
        if name in LIST_FIELDS:
            form[name] = request.POST.getlist(name)[:200]
        else:
            form[name] = request.POST.get(name, "")[:20000]
    return form


def _draft_values(form: dict[str, Any]) -> dict[str, Any]:
    classification = _int_or_none(form["classification"])
    return {
        "title": form["title"],
        "body": form["body"],
        "main_recipient_ids": _ids(form["main_recipients"]),
        "copy_recipient_ids": _ids(form["copy_recipients"]),
        "countersign_department_ids": _ids(form["countersign_departments"]),
        "classification": classification if classification is not None else -1,
        "urgency": form["urgency"],
        "secrecy_period": form["secrecy_period"],
        # A form loaded before the field existed posts none: 下行文, as every document was.
        "direction": form["direction"] or Direction.DOWN,
    }


def _draft_page(
    request: HttpRequest,
    *,
    form: dict[str, Any],
    document: Any = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "office/document_form.html",
        {
            "document": document,
            "form": form,
            "issuing_departments": _issuing_departments(request.user),
            "groups": department_groups(),
            "classifications": [(str(v), str(label)) for v, label in Classification.choices],
            "urgencies": [(str(v), str(label)) for v, label in Urgency.choices],
            "directions": [(str(v), str(label)) for v, label in Direction.choices],
            **extra,
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest) -> HttpResponse:
    """起草公文."""
    issuing = _issuing_departments(request.user)
    if not issuing:
        raise PermissionDenied(_("只有部门工作人员或负责人可以起草公文"))
    form: dict[str, Any] = {
        "department": str(issuing[0][0]),
        "classification": "0",
        "urgency": Urgency.NORMAL.value,
        "direction": Direction.DOWN.value,
        **{name: [] for name in LIST_FIELDS},
    }
    if request.method == "POST":
        form = _draft_form_posted(request)
        try:
            document = services.document_create(
                user=request.user,
                department_id=_int_or_none(form["department"]),
                **_draft_values(form),
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            return _draft_page(
                request, form=form, status=exc.status, **_error_context(exc, DRAFT_FIELDS, "title")
            )
        messages.success(request, _("草稿已保存。"))
        return redirect("office:document_detail", document_id=document.pk)
    return _draft_page(request, form=form)


@staff_only
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_open(user=request.user, document_id=document_id, purpose="edit")
    if document.drafter_id != request.user.pk or document.status not in EDITABLE:
        raise PermissionDenied(_("只有拟稿人可以修改草稿或退回的公文"))
    form = _draft_form_from(document)
    if request.method == "POST":
        form = _draft_form_posted(request)
        try:
            services.document_update(
                user=request.user,
                document_id=document.pk,
                note=form["note"][:200],
                **_draft_values(form),
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            return _draft_page(
                request,
                form=form,
                document=document,
                status=exc.status,
                **_error_context(exc, DRAFT_FIELDS, "title"),
            )
        messages.success(request, _("修改已保存。"))
        return redirect("office:document_detail", document_id=document.pk)
    return _draft_page(request, form=form, document=document)


@dataclass(frozen=True)
class TrailRow:
    step: str
    department: str
    actor: str
    decision: str
    comment: str
    at: Any
    version: int | None


def _trail_rows(entries: list[Any]) -> list[TrailRow]:
    return [
        TrailRow(
            step=step_label(e.step),
            department=department_full_name(e.department) if e.department_id else "",
            actor=collab_selectors.user_label(e.actor),
            decision=decision_label(e.decision),
            comment=e.comment,
            at=e.at,
            version=e.version,
        )
        for e in entries
    ]


@dataclass(frozen=True)
class TaskForm:
    task_id: int
    step: str
    label: str
    title: str


def _task_forms(tasks: list[Any]) -> list[TaskForm]:
    return [TaskForm(t.task_id, t.step, step_label(t.step), t.title) for t in tasks]


def _document_page(
    request: HttpRequest, document: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    recipients = list(document.recipients.select_related("department__division"))
    countersigns = list(document.countersigns.select_related("department__division", "signed_by"))
    trail = selectors.document_trail(document.pk)
    versions = list(document.versions.select_related("author").order_by("number"))
    context = {
        "document": document,
        "issuer": department_full_name(document.issuer),
        "main_recipients": [
            department_full_name(r.department) for r in recipients if r.kind == RecipientKind.MAIN
        ],
        "copy_recipients": [
            department_full_name(r.department) for r in recipients if r.kind == RecipientKind.COPY
        ],
        "countersigns": [
            {
                "department": department_full_name(c.department),
                "status": c.get_status_display(),
                "signed_by": collab_selectors.user_label(c.signed_by) if c.signed_by else "",
                "signed_at": c.signed_at,
                "comment": c.comment,
            }
            for c in countersigns
        ],
        "trail": _trail_rows([e for e in trail if e.receipt_id is None]),
        "trail_ok": selectors.trail_verify(document.pk),
        "versions": [
            {
                "number": v.number,
                "author": collab_selectors.user_label(v.author),
                "created_at": v.created_at,
                "note": v.note,
                "previous": versions[i - 1].number if i else None,
            }
            for i, v in enumerate(versions)
        ],
        "attachments": list(document.attachments.all()),
        "receipts": [
            {"department": department_full_name(r.department), "status": r.get_status_display()}
            for r in document.receipts.select_related("department__division")
        ],
        "tasks": _task_forms(selectors.office_tasks_for(request.user, document_id=document.pk)),
        "can_edit": document.drafter_id == request.user.pk and document.status in EDITABLE,
        "drafter": collab_selectors.user_label(document.drafter),
        "signer": collab_selectors.user_label(document.signer) if document.signer_id else "",
        "task_error": {},
        **extra,
    }
    return render(request, "office/document_detail.html", context, status=status)


@staff_only
@require_safe
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_open(user=request.user, document_id=document_id)
    return _document_page(request, document)


@staff_only
@require_POST
def document_submit(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        services.document_submit(user=request.user, document_id=document_id)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        document = access.document_open(user=request.user, document_id=document_id)
        return _document_page(request, document, status=exc.status, action_error=exc.message)
    messages.success(request, _("已提交核稿。"))
    return redirect("office:document_detail", document_id=document_id)


@staff_only
@require_POST
def document_attachment_add(request: HttpRequest, document_id: int) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(_("请选择要上传的附件"), field="file")
        services.attachment_add(user=request.user, document_id=document_id, upload=upload)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        document = access.document_open(user=request.user, document_id=document_id)
        return _document_page(request, document, status=exc.status, upload_error=exc.message)
    messages.success(request, _("附件已上传。"))
    return redirect("office:document_detail", document_id=document_id)


@staff_only
@require_safe
def document_attachment(request: HttpRequest, document_id: int, attachment_id: int) -> HttpResponse:
    """An attachment, downloaded (never shown inline); opening it is audited."""
    attachment = access.attachment_open(
        user=request.user, document_id=document_id, attachment_id=attachment_id
    )
    with attachment.file.open("rb") as handle:  # bounded by the upload size limit
        response = HttpResponse(handle.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = (
        content_disposition_header(True, attachment.name) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
@require_POST
def document_task(request: HttpRequest, document_id: int) -> HttpResponse:
    """Complete one of the user's steps (核稿, 会签, 签发, 编号用印) on the document."""
    task_id = _int_or_none(request.POST.get("task_id", "")) or 0
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")[:5000]
    try:
        services.office_task_complete(
            user=request.user, task_id=task_id, decision=decision, comment=comment
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        document = access.document_open(user=request.user, document_id=document_id)
        return _document_page(
            request,
            document,
            status=exc.status,
            task_error={"task_id": task_id, "message": exc.message, "comment": comment},
        )
    messages.success(
        request, _("已退回拟稿人。") if decision == "reject" else _("已办理，公文转入下一环节。")
    )
    return redirect("office:document_detail", document_id=document_id)


@staff_only
@require_safe
def document_diff(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_open(user=request.user, document_id=document_id, purpose="diff")
    a = _int_or_none(request.GET.get("a", ""))
    b = _int_or_none(request.GET.get("b", ""))
    if a is None or b is None:
        raise NotFound(_("请选择要比较的两个稿本"))
    lines = selectors.version_diff(document.pk, a, b)
    return render(
        request,
        "office/document_diff.html",
        {
            "document": document,
            "a": a,
            "b": b,
            "lines": lines,
            "added": sum(1 for ln in lines if ln.kind == "+"),
            "removed": sum(1 for ln in lines if ln.kind == "-"),
        },
    )


@staff_only
@require_safe
def document_html(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document laid out per GB/T 9704 as a web page."""
    document = access.document_open(user=request.user, document_id=document_id, purpose="html")
    return render(
        request,
        "office/document_render.html",
        {
            "document": document,
            "rendered": render_html(rendered_document(document), heading_level=1),
        },
    )


@staff_only
@require_safe
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_open(user=request.user, document_id=document_id, purpose="pdf")
    response = HttpResponse(render_pdf(rendered_document(document)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
@require_safe
def document_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    hits: list[Any] = []
    next_cursor = None
    if query:
        page = selectors.document_search(
            request.user, query, cursor=request.GET.get("cursor") or None
        )
        hits, next_cursor = page.items, page.next_cursor
    return render(
        request,
        "office/search.html",
        {"query": query, "hits": hits, "next_cursor": next_cursor},
    )


# ---------------------------------------------------------------------------- incoming


@staff_only
@require_safe
def incoming_list(request: HttpRequest) -> HttpResponse:
    page = selectors.incoming_for(request.user, cursor=request.GET.get("cursor") or None)
    rows = [
        {
            "receipt": r,
            "from": department_full_name(r.document.issuer),
            "to": department_full_name(r.department),
        }
        for r in page.items
    ]
    return render(
        request,
        "office/incoming_list.html",
        {"rows": rows, "next_cursor": page.next_cursor},
    )


def _receipt_page(
    request: HttpRequest, receipt: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    document = receipt.document
    trail = [e for e in selectors.document_trail(document.pk) if e.receipt_id == receipt.pk]
    circulations = list(receipt.circulations.select_related("reader", "sent_by").order_by("id"))
    mine = next(
        (c for c in circulations if c.reader_id == request.user.pk and c.read_at is None), None
    )
    readers = [
        (u.pk, collab_selectors.user_label(u))
        for u in collab_selectors.staff_in_departments([receipt.department_id])[:500]
        if u.pk != request.user.pk
    ]
    context = {
        "receipt": receipt,
        "document": document,
        "issuer": department_full_name(document.issuer),
        "department": department_full_name(receipt.department),
        "handlers": [
            {
                "department": department_full_name(h.department),
                "status": h.get_status_display(),
                "result": h.result,
                "done_at": h.done_at,
            }
            for h in receipt.handlers.select_related("department__division")
        ],
        "circulations": [
            {
                "reader": collab_selectors.user_label(c.reader),
                "sent_by": collab_selectors.user_label(c.sent_by),
                "sent_at": c.sent_at,
                "read_at": c.read_at,
                "comment": c.comment,
            }
            for c in circulations
        ],
        "unread_circulation": mine,
        "can_circulate": receipt.status != "pending" and bool(readers),
        "readers": readers,
        "trail": _trail_rows(trail),
        "tasks": _task_forms(selectors.office_tasks_for(request.user, receipt_id=receipt.pk)),
        "step_actions": {k: str(v) for k, v in RECEIPT_STEP_ACTIONS.items()},
        "groups": department_groups(),
        "task_error": {},
        "form": {},
        **extra,
    }
    return render(request, "office/receipt_detail.html", context, status=status)


@staff_only
@require_safe
def receipt_detail(request: HttpRequest, receipt_id: int) -> HttpResponse:
    return _receipt_page(request, access.receipt_open(user=request.user, receipt_id=receipt_id))


@staff_only
@require_POST
def receipt_task(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """Complete one step of the receipt (登记, 拟办, 批示, 承办, 归档)."""
    task_id = _int_or_none(request.POST.get("task_id", "")) or 0
    comment = request.POST.get("comment", "")[:5000]
    handling = request.POST.getlist("handling_departments")[:200]
    try:
        services.office_task_complete(
            user=request.user,
            task_id=task_id,
            decision=request.POST.get("decision", "approve"),
            comment=comment,
            handling_department_ids=_ids(handling) if "instruct_form" in request.POST else None,
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        receipt = access.receipt_open(user=request.user, receipt_id=receipt_id)
        return _receipt_page(
            request,
            receipt,
            status=exc.status,
            task_error={
                "task_id": task_id,
                "message": exc.message,
                "comment": comment,
                "handling": handling,
            },
        )
    messages.success(request, _("已办理。"))
    return redirect("office:receipt_detail", receipt_id=receipt_id)


@staff_only
@require_POST
def receipt_circulate(request: HttpRequest, receipt_id: int) -> HttpResponse:
    readers = request.POST.getlist("readers")[:500]
    try:
        count = services.receipt_circulate(
            user=request.user, receipt_id=receipt_id, reader_ids=_ids(readers)
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        receipt = access.receipt_open(user=request.user, receipt_id=receipt_id)
        return _receipt_page(
            request,
            receipt,
            status=exc.status,
            circulate_error=exc.message,
            form={"readers": readers},
        )
    messages.success(request, _("已送%(n)d人传阅。") % {"n": count})
    return redirect("office:receipt_detail", receipt_id=receipt_id)


@staff_only
@require_POST
def receipt_read(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """已阅: the reader's read receipt of a circulation, with an optional comment."""
    comment = request.POST.get("comment", "")[:500]
    try:
        services.circulation_read(user=request.user, receipt_id=receipt_id, comment=comment)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        receipt = access.receipt_open(user=request.user, receipt_id=receipt_id)
        return _receipt_page(
            request, receipt, status=exc.status, read_error=exc.message, form={"read": comment}
        )
    messages.success(request, _("已阅。"))
    return redirect("office:receipt_detail", receipt_id=receipt_id)
