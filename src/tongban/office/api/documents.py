"""Official documents (公文) over HTTP: drafting, submitting, the outgoing boxes, the
incoming queue (收文), one document with its route and trail, versions, attachments, the
laid-out PDF, full-text search, and the receipt steps that need more than approve/reject
(批示 with handling departments, 传阅, 已阅). Every other step is completed in the staff
inbox (POST /api/v1/tasks/{id}/complete)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.office.models import Document, Receipt, RecipientKind
from tongban.office.rendering import render_pdf
from tongban.office.selectors import documents as selectors
from tongban.office.selectors.rendering import rendered_document
from tongban.office.services import access
from tongban.office.services import documents as services
from tongban.org.selectors import department_full_name

router = Router(tags=["协同办公"], auth=API_AUTH)

# Service argument names -> the API's field names, for error responses.
FIELDS = {
    "main_recipient_ids": "main_recipients",
    "copy_recipient_ids": "copy_recipients",
    "countersign_department_ids": "countersign_departments",
    "department_id": "department",
    "handling_department_ids": "handling_departments",
    "reader_ids": "readers",
}


def _api_field(exc: DomainError) -> DomainError:
    if exc.field in FIELDS:
        exc.field = FIELDS[exc.field]
    return exc


class DocumentIn(Schema):
    title: str
    body: str
    main_recipients: list[int]
    copy_recipients: list[int] = []
    countersign_departments: list[int] = []
    classification: int = 0
    urgency: str = "normal"
    secrecy_period: str = ""
    direction: str = "down"
    department: int | None = None


class DocumentPatch(Schema):
    title: str | None = None
    body: str | None = None
    main_recipients: list[int] | None = None
    copy_recipients: list[int] | None = None
    countersign_departments: list[int] | None = None
    classification: int | None = None
    urgency: str | None = None
    secrecy_period: str | None = None
    direction: str | None = None
    note: str = ""


class DocumentDepartmentOut(Schema):
    id: int
    division_code: str
    code: str
    name: str


class CountersignOut(Schema):
    department: DocumentDepartmentOut
    status: str
    status_label: str
    comment: str
    signed_by: str | None
    signed_at: datetime | None


class TrailOut(Schema):
    step: str
    department: DocumentDepartmentOut | None
    actor: str
    actor_name: str
    decision: str
    comment: str
    version: int | None
    receipt: int | None
    at: datetime
    digest: str


class VersionOut(Schema):
    number: int
    title: str
    author: str
    note: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    created_at: datetime


class ReceiptSummaryOut(Schema):
    id: int
    document: int
    title: str
    issuer: DocumentDepartmentOut
    document_number: str
    department: DocumentDepartmentOut
    kind: str
    status: str
    status_label: str
    number: str
    received_at: datetime


class DocumentSummaryOut(Schema):
    id: int
    title: str
    issuer: DocumentDepartmentOut
    status: str
    status_label: str
    number: str
    classification: int
    classification_label: str
    urgency: str
    urgency_label: str
    direction: str
    direction_label: str
    version: int
    drafter: str
    created_at: datetime
    updated_at: datetime


class DocumentOut(DocumentSummaryOut):
    body: str
    secrecy_period: str
    main_recipients: list[DocumentDepartmentOut]
    copy_recipients: list[DocumentDepartmentOut]
    countersigns: list[CountersignOut]
    signer: str | None
    signed_at: datetime | None
    issued_on: date | None
    sealed_at: datetime | None
    content_digest: str
    dispatched_at: datetime | None
    trail: list[TrailOut]
    trail_intact: bool
    versions: list[VersionOut]
    attachments: list[AttachmentOut]
    receipts: list[ReceiptSummaryOut]


class DocumentPageOut(Schema):
    items: list[DocumentSummaryOut]
    next: str | None


class ReceiptPageOut(Schema):
    items: list[ReceiptSummaryOut]
    next: str | None


class SearchHitOut(Schema):
    document: DocumentSummaryOut
    title_html: str
    snippet: str
    score: float


class SearchPageOut(Schema):
    items: list[SearchHitOut]
    next: str | None


class DiffLineOut(Schema):
    kind: str
    text: str


class DiffOut(Schema):
    a: int
    b: int
    lines: list[DiffLineOut]


class HandlerOut(Schema):
    department: DocumentDepartmentOut
    status: str
    result: str
    done_at: datetime | None


class CirculationOut(Schema):
    reader: str
    sent_by: str
    sent_at: datetime
    read_at: datetime | None
    comment: str


class ReceiptOut(ReceiptSummaryOut):
    registered_at: datetime | None
    proposal: str
    instruction: str
    filed_at: datetime | None
    handlers: list[HandlerOut]
    circulations: list[CirculationOut]
    trail: list[TrailOut]


class InstructIn(Schema):
    task: int
    instruction: str
    handling_departments: list[int]


class CirculateIn(Schema):
    readers: list[int]


class CirculatedOut(Schema):
    circulated: int


class ReadIn(Schema):
    comment: str = ""


def _department(department: Any) -> DocumentDepartmentOut:
    return DocumentDepartmentOut(
        id=department.pk,
        division_code=department.division_id,
        code=department.code,
        name=department_full_name(department),
    )


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.username)


def _summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "issuer": _department(document.issuer),
        "status": document.status,
        "status_label": str(document.get_status_display()),
        "number": document.number,
        "classification": document.classification,
        "classification_label": str(document.get_classification_display()),
        "urgency": document.urgency,
        "urgency_label": str(document.get_urgency_display()),
        "direction": document.direction,
        "direction_label": str(document.get_direction_display()),
        "version": document.version,
        "drafter": document.drafter.username,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
    }


def _trail(entries: list[Any]) -> list[TrailOut]:
    return [
        TrailOut(
            step=e.step,
            department=_department(e.department) if e.department_id else None,
            actor=e.actor.username,
            actor_name=_name(e.actor),
            decision=e.decision,
            comment=e.comment,
            version=e.version,
            receipt=e.receipt_id,
            at=e.at,
            digest=e.digest,
        )
        for e in entries
    ]


def _receipt_summary(receipt: Receipt) -> dict[str, Any]:
    return {
        "id": receipt.pk,
        "document": receipt.document_id,
        "title": receipt.document.title,
        "issuer": _department(receipt.document.issuer),
        "document_number": receipt.document.number,
        "department": _department(receipt.department),
        "kind": receipt.kind,
        "status": receipt.status,
        "status_label": str(receipt.get_status_display()),
        "number": receipt.number,
        "received_at": receipt.received_at,
    }


def _detail(document: Document) -> DocumentOut:
    recipients = list(document.recipients.select_related("department__division"))
    countersigns = list(document.countersigns.select_related("department__division", "signed_by"))
    receipts = list(
        document.receipts.select_related("department__division", "document__issuer__division")
    )
    return DocumentOut(
        **_summary(document),
        body=document.body,
        secrecy_period=document.secrecy_period,
        main_recipients=[
            _department(r.department) for r in recipients if r.kind == RecipientKind.MAIN
        ],
        copy_recipients=[
            _department(r.department) for r in recipients if r.kind == RecipientKind.COPY
        ],
        countersigns=[
            CountersignOut(
                department=_department(c.department),
                status=c.status,
                status_label=str(c.get_status_display()),
                comment=c.comment,
                signed_by=c.signed_by.username if c.signed_by else None,
                signed_at=c.signed_at,
            )
            for c in countersigns
        ],
        signer=document.signer.username if document.signer else None,
        signed_at=document.signed_at,
        issued_on=document.issued_on,
        sealed_at=document.sealed_at,
        content_digest=document.content_digest,
        dispatched_at=document.dispatched_at,
        trail=_trail(selectors.document_trail(document.pk)),
        trail_intact=selectors.trail_verify(document.pk),
        versions=[
            VersionOut(
                number=v.number,
                title=v.title,
                author=v.author.username,
                note=v.note,
                created_at=v.created_at,
            )
            for v in document.versions.select_related("author").order_by("number")
        ],
        attachments=[_attachment(a) for a in document.attachments.all()],
        receipts=[ReceiptSummaryOut(**_receipt_summary(r)) for r in receipts],
    )


def _attachment(attachment: Any) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.name,
        size=attachment.size,
        content_type=attachment.content_type,
        sha256=attachment.sha256,
        created_at=attachment.created_at,
    )


def _receipt_detail(receipt: Receipt) -> ReceiptOut:
    trail = [e for e in selectors.document_trail(receipt.document_id) if e.receipt_id == receipt.pk]
    return ReceiptOut(
        **_receipt_summary(receipt),
        registered_at=receipt.registered_at,
        proposal=receipt.proposal,
        instruction=receipt.instruction,
        filed_at=receipt.filed_at,
        handlers=[
            HandlerOut(
                department=_department(h.department),
                status=h.status,
                result=h.result,
                done_at=h.done_at,
            )
            for h in receipt.handlers.select_related("department__division").order_by("id")
        ],
        circulations=[
            CirculationOut(
                reader=c.reader.username,
                sent_by=c.sent_by.username,
                sent_at=c.sent_at,
                read_at=c.read_at,
                comment=c.comment,
            )
            for c in receipt.circulations.select_related("reader", "sent_by").order_by("id")
        ],
        trail=_trail(trail),
    )


def _fields(call: Any, **kwargs: Any) -> Any:
    try:
        return call(**kwargs)
    except DomainError as exc:
        raise _api_field(exc) from None


@router.post(
    "/documents",
    response={201: DocumentOut, **errors(401, 403, 404, 422)},
    summary=(
        "起草公文（拟稿）：标题、正文、主送、抄送、会签部门（部门 id）、密级、紧急程度、"
        "行文方向（down 下行文、parallel 平行文、up 上行文）"
    ),
)
def document_create(request: HttpRequest, body: DocumentIn) -> Status:
    document = _fields(
        services.document_create,
        user=caller(request),
        title=body.title,
        body=body.body,
        main_recipient_ids=body.main_recipients,
        copy_recipient_ids=body.copy_recipients,
        countersign_department_ids=body.countersign_departments,
        classification=body.classification,
        urgency=body.urgency,
        secrecy_period=body.secrecy_period,
        direction=body.direction,
        department_id=body.department,
    )
    return Status(201, _detail(selectors.document_get(document.pk) or document))


@router.get(
    "/documents",
    response={200: DocumentPageOut, **errors(401, 403, 422)},
    summary="公文列表：box=drafts 拟稿，route 流转中，dispatched 已分发，all 全部（仅可见公文）",
)
def document_list(
    request: HttpRequest, box: str = "all", cursor: str | None = None, size: int = 20
) -> DocumentPageOut:
    page = selectors.documents_for(caller(request), box=box, cursor=cursor, size=size)
    return DocumentPageOut(
        items=[DocumentSummaryOut(**_summary(d)) for d in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/documents/incoming",
    response={200: ReceiptPageOut, **errors(401, 403, 422)},
    summary="收文队列：本部门收到的公文与本部门承办的收文",
)
def incoming_list(
    request: HttpRequest, cursor: str | None = None, size: int = 20
) -> ReceiptPageOut:
    page = selectors.incoming_for(caller(request), cursor=cursor, size=size)
    return ReceiptPageOut(
        items=[ReceiptSummaryOut(**_receipt_summary(r)) for r in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/documents/search",
    response={200: SearchPageOut, **errors(401, 403, 422)},
    summary="公文全文检索（标题与正文，仅可见公文，命中处高亮）",
)
def document_search(
    request: HttpRequest, q: str = "", cursor: str | None = None, size: int = 20
) -> SearchPageOut:
    if not q.strip():
        raise ValidationFailed("请输入检索词", field="q")
    page = selectors.document_search(caller(request), q, cursor=cursor, size=size)
    return SearchPageOut(
        items=[
            SearchHitOut(
                document=DocumentSummaryOut(**_summary(hit.document)),
                title_html=str(hit.title_html),
                snippet=str(hit.snippet),
                score=hit.score,
            )
            for hit in page.items
        ],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, **errors(401, 403, 404)},
    summary="公文详情：状态、文号、主送抄送、会签、意见（流转记录）、稿本与附件",
)
def document_detail(request: HttpRequest, document_id: int) -> DocumentOut:
    return _detail(access.document_open(user=caller(request), document_id=document_id))


@router.patch(
    "/documents/{document_id}",
    response={200: DocumentOut, **errors(401, 403, 404, 409, 422)},
    summary="修改草稿或退回的公文（拟稿人）；标题或正文变化时生成新稿本",
)
def document_update(request: HttpRequest, document_id: int, body: DocumentPatch) -> DocumentOut:
    user = caller(request)
    document = _fields(
        services.document_update,
        user=user,
        document_id=document_id,
        title=body.title,
        body=body.body,
        main_recipient_ids=body.main_recipients,
        copy_recipient_ids=body.copy_recipients,
        countersign_department_ids=body.countersign_departments,
        classification=body.classification,
        urgency=body.urgency,
        secrecy_period=body.secrecy_period,
        direction=body.direction,
        note=body.note,
    )
    return _detail(selectors.document_get(document.pk) or document)


@router.post(
    "/documents/{document_id}/submit",
    response={200: DocumentOut, **errors(401, 403, 404, 409, 422)},
    summary="提交公文，开始流转（核稿、会签、签发、编号用印分发）",
)
def document_submit(request: HttpRequest, document_id: int) -> DocumentOut:
    document = _fields(services.document_submit, user=caller(request), document_id=document_id)
    return _detail(selectors.document_get(document.pk) or document)


@router.get(
    "/documents/{document_id}/versions/diff",
    response={200: DiffOut, **errors(401, 403, 404, 422)},
    summary="比较两个稿本（a、b 为稿本号）",
)
def version_diff(request: HttpRequest, document_id: int, a: int, b: int) -> DiffOut:
    document = access.document_open(user=caller(request), document_id=document_id, purpose="diff")
    lines = selectors.version_diff(document.pk, a, b)
    return DiffOut(a=a, b=b, lines=[DiffLineOut(kind=ln.kind, text=ln.text) for ln in lines])


@router.post(
    "/documents/{document_id}/attachments",
    response={201: AttachmentOut, **errors(401, 403, 404, 409, 422)},
    summary="上传附件（multipart：file；拟稿人，草稿或退回状态）",
)
def attachment_add(
    request: HttpRequest,
    document_id: int,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter marker
) -> Status:
    attachment = services.attachment_add(user=caller(request), document_id=document_id, upload=file)
    return Status(201, _attachment(attachment))


@router.get(
    "/documents/{document_id}/attachments/{attachment_id}",
    response={200: None, **errors(401, 403, 404)},
    summary="下载附件（记入审计日志）",
)
def attachment_download(request: HttpRequest, document_id: int, attachment_id: int) -> FileResponse:
    attachment = access.attachment_open(
        user=caller(request), document_id=document_id, attachment_id=attachment_id
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/documents/{document_id}/document",
    response={200: None, **errors(401, 403, 404)},
    summary="公文版式文件（PDF，A4，GB/T 9704 格式）",
)
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_open(user=caller(request), document_id=document_id, purpose="pdf")
    response = HttpResponse(render_pdf(rendered_document(document)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/receipts/{receipt_id}",
    response={200: ReceiptOut, **errors(401, 403, 404)},
    summary="收文详情：收文编号、拟办、批示、承办、传阅与意见",
)
def receipt_detail(request: HttpRequest, receipt_id: int) -> ReceiptOut:
    return _receipt_detail(access.receipt_open(user=caller(request), receipt_id=receipt_id))


@router.post(
    "/receipts/{receipt_id}/instruct",
    response={200: ReceiptOut, **errors(401, 403, 404, 409, 422)},
    summary="批示（部门负责人）：批示意见与承办部门（部门 id，本级行政区划）",
)
def receipt_instruct(request: HttpRequest, receipt_id: int, body: InstructIn) -> ReceiptOut:
    user = caller(request)
    receipt = access.receipt_open(user=user, receipt_id=receipt_id, purpose="instruct")
    if body.task not in {
        t.task_id for t in selectors.office_tasks_for(user, receipt_id=receipt.pk)
    }:
        raise NotFound("任务不存在或不属于您", field="task")
    _fields(
        services.office_task_complete,
        user=user,
        task_id=body.task,
        decision="approve",
        comment=body.instruction,
        handling_department_ids=body.handling_departments,
    )
    return _receipt_detail(selectors.receipt_get(receipt.pk) or receipt)


@router.post(
    "/receipts/{receipt_id}/circulate",
    response={200: CirculatedOut, **errors(401, 403, 404, 409, 422)},
    summary="传阅：送本部门（或承办部门）工作人员阅知，返回新送阅人数",
)
def receipt_circulate(request: HttpRequest, receipt_id: int, body: CirculateIn) -> CirculatedOut:
    count = _fields(
        services.receipt_circulate,
        user=caller(request),
        receipt_id=receipt_id,
        reader_ids=body.readers,
    )
    return CirculatedOut(circulated=count)


@router.post(
    "/receipts/{receipt_id}/read",
    response={200: ReceiptOut, **errors(401, 403, 404, 409)},
    summary="已阅：传阅人的阅读回执，可附意见",
)
def receipt_read(request: HttpRequest, receipt_id: int, body: ReadIn) -> ReceiptOut:
    user = caller(request)
    services.circulation_read(user=user, receipt_id=receipt_id, comment=body.comment)
    return _receipt_detail(access.receipt_open(user=user, receipt_id=receipt_id, purpose="read"))
