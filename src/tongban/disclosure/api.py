"""/api/v1 endpoints of disclosure: public publications and search (主动公开 only), staff
management of publications, information requests (依申请公开) and the annual report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.disclosure import selectors, services
from tongban.disclosure.models import InfoRequest, Publication
from tongban.disclosure.selectors import PublicationFilter

router = Router(tags=["政务公开"], auth=API_AUTH)


class PublicationOut(Schema):
    id: int
    index_number: str
    title: str
    kind: str
    kind_label: str
    category: str
    division_code: str
    department: str
    doc_number: str
    summary: str
    written_on: date
    published_on: date | None
    validity: str
    snippet: str | None = None
    score: float | None = None


class PublicationDetailOut(PublicationOut):
    body: str


class StaffPublicationOut(PublicationDetailOut):
    attribute: str
    withheld_reason: str
    status: str


class PublicationPageOut(Schema):
    items: list[PublicationOut]
    next: str | None


class PublicationIn(Schema):
    department_id: int
    category: str
    kind: str
    title: str
    body: str
    written_on: date
    attribute: str
    summary: str = ""
    doc_number: str = ""
    withheld_reason: str = ""
    validity: str = "valid"
    effective_on: date | None = None
    invalid_on: date | None = None


class PublishIn(Schema):
    published_on: date | None = None


class PublicationWithdrawIn(Schema):
    reason: str


def _publication(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "index_number": p.index_number,
        "title": p.title,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "category": p.category.name,
        "division_code": p.division_id,
        "department": p.department.name,
        "doc_number": p.doc_number,
        "summary": p.summary,
        "written_on": p.written_on,
        "published_on": p.published_on,
        "validity": p.validity,
        "snippet": str(getattr(p, "snippet", "")) or None,
        "score": getattr(p, "score", None),
    }


def _staff_publication(p: Publication) -> StaffPublicationOut:
    return StaffPublicationOut(
        **_publication(p),
        body=p.body,
        attribute=p.attribute,
        withheld_reason=p.withheld_reason,
        status=p.status,
    )


def _input(payload: PublicationIn) -> services.PublicationInput:
    data = payload.dict()
    data["category_code"] = data.pop("category")
    return services.PublicationInput(**data)


@router.get(
    "/disclosure/publications",
    response={200: PublicationPageOut, **errors(422)},
    auth=None,
    summary="主动公开的政府信息；带 q 时为全文检索（按相关度排序，含高亮摘要）",
)
def publication_list(
    request: HttpRequest,
    division: str = "",
    kind: str = "",
    category: str = "",
    department: str = "",
    year: int | None = None,
    q: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> PublicationPageOut:
    f = PublicationFilter(division[:6], kind, category[:40], department[:40], year, q[:100])
    page = selectors.publication_list(f, cursor=cursor, size=size)
    return PublicationPageOut(
        items=[PublicationOut(**_publication(p)) for p in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/disclosure/publications/{publication_id}",
    response={200: PublicationDetailOut, **errors(404)},
    auth=None,
    summary="主动公开信息详情",
)
def publication_detail(request: HttpRequest, publication_id: int) -> PublicationDetailOut:
    p = selectors.publication_get_public(publication_id)
    return PublicationDetailOut(**_publication(p), body=p.body)


@router.post(
    "/disclosure/publications",
    response={201: StaffPublicationOut, **errors(401, 403, 404, 422)},
    summary="登记公开信息（本部门审批员或负责人），自动生成索引号",
)
def publication_create(request: HttpRequest, payload: PublicationIn) -> Any:
    p = services.publication_create(actor=caller(request), data=_input(payload))
    return Status(201, _staff_publication(p))


@router.put(
    "/disclosure/publications/{publication_id}",
    response={200: StaffPublicationOut, **errors(401, 403, 404, 422)},
    summary="修改公开信息（本部门审批员或负责人）",
)
def publication_update(
    request: HttpRequest, publication_id: int, payload: PublicationIn
) -> StaffPublicationOut:
    p = services.publication_update(
        actor=caller(request), publication_id=publication_id, data=_input(payload)
    )
    return _staff_publication(p)


@router.post(
    "/disclosure/publications/{publication_id}/publish",
    response={200: StaffPublicationOut, **errors(401, 403, 404, 409, 422)},
    summary="发布公开信息",
)
def publication_publish(
    request: HttpRequest, publication_id: int, payload: PublishIn
) -> StaffPublicationOut:
    p = services.publication_publish(
        actor=caller(request), publication_id=publication_id, published_on=payload.published_on
    )
    return _staff_publication(p)


@router.post(
    "/disclosure/publications/{publication_id}/withdraw",
    response={200: StaffPublicationOut, **errors(401, 403, 404, 409, 422)},
    summary="撤回已发布的公开信息",
)
def publication_withdraw(
    request: HttpRequest, publication_id: int, payload: PublicationWithdrawIn
) -> StaffPublicationOut:
    p = services.publication_withdraw(
        actor=caller(request), publication_id=publication_id, reason=payload.reason
    )
    return _staff_publication(p)


# --- Information requests --------------------------------------------------------------


class RequestIn(Schema):
    department_id: int
    description: str
    form: str
    phone: str
    address: str = ""
    email: str = ""
    purpose: str = ""


class RequestOut(Schema):
    id: int
    number: str
    department: str
    status: str
    status_label: str
    form: str
    description: str
    received_on: date | None
    deadline: date | None
    extension_days: int
    correction_note: str
    overdue: bool
    reply_type: str
    reply_type_label: str
    withheld_reason: str
    reply_text: str
    referral_agency: str
    public_location: str
    replied_on: date | None


class RequestPageOut(Schema):
    items: list[RequestOut]
    next: str | None


class RegisterIn(Schema):
    received_on: date | None = None


class CorrectionIn(Schema):
    note: str


class SupplyIn(Schema):
    description: str


class InfoRequestExtendIn(Schema):
    days: int
    reason: str


class InfoRequestReplyIn(Schema):
    reply_type: str
    reply_text: str
    withheld_reason: str = ""
    referral_agency: str = ""
    public_location: str = ""


def _request(r: InfoRequest) -> RequestOut:
    return RequestOut(
        id=r.pk,
        number=r.number,
        department=str(r.department),
        status=r.status,
        status_label=r.get_status_display(),
        form=r.form,
        description=r.description,
        received_on=r.received_on,
        deadline=r.deadline,
        extension_days=r.extension_days,
        correction_note=r.correction_note,
        overdue=r.overdue,
        reply_type=r.reply_type,
        reply_type_label=r.get_reply_type_display() if r.reply_type else "",
        withheld_reason=r.withheld_reason,
        reply_text=r.reply_text,
        referral_agency=r.referral_agency,
        public_location=r.public_location,
        replied_on=r.replied_on,
    )


def _request_page(request: HttpRequest, page: Any) -> RequestPageOut:
    return RequestPageOut(
        items=[_request(r) for r in page.items], next=next_url(request, page.next_cursor)
    )


@router.post(
    "/disclosure/requests",
    response={201: RequestOut, **errors(401, 403, 404, 422)},
    summary="提交政府信息公开申请（个人或法人用户）",
)
def request_submit(request: HttpRequest, payload: RequestIn) -> Any:
    r = services.request_submit(user=caller(request), data=services.RequestInput(**payload.dict()))
    return Status(201, _request(r))


@router.get(
    "/disclosure/requests/mine",
    response={200: RequestPageOut, **errors(401, 422)},
    summary="我的政府信息公开申请",
)
def request_mine(request: HttpRequest, cursor: str | None = None, size: int = 20) -> RequestPageOut:
    return _request_page(request, selectors.my_requests(caller(request), cursor=cursor, size=size))


@router.get(
    "/disclosure/requests/overdue",
    response={200: RequestPageOut, **errors(401, 403, 422)},
    summary="超期未答复的申请（电子监察员看辖区，部门工作人员看本部门）",
)
def request_overdue(
    request: HttpRequest, cursor: str | None = None, size: int = 20
) -> RequestPageOut:
    page = selectors.overdue_requests(caller(request), cursor=cursor, size=size)
    return _request_page(request, page)


@router.get(
    "/disclosure/requests",
    response={200: RequestPageOut, **errors(401, 403, 422)},
    summary="本部门受理的申请（部门工作人员）或辖区内的申请（电子监察员）",
)
def request_list(request: HttpRequest, cursor: str | None = None, size: int = 20) -> RequestPageOut:
    page = selectors.staff_request_list(caller(request), cursor=cursor, size=size)
    return _request_page(request, page)


@router.get(
    "/disclosure/requests/{request_id}",
    response={200: RequestOut, **errors(401, 403, 404)},
    summary="申请详情（申请人本人、受理部门或电子监察员）",
)
def request_detail(request: HttpRequest, request_id: int) -> RequestOut:
    return _request(selectors.request_get(caller(request), request_id))


@router.post(
    "/disclosure/requests/{request_id}/register",
    response={200: RequestOut, **errors(401, 403, 409, 422)},
    summary="登记申请（收到申请之日起计算答复期限）",
)
def request_register(request: HttpRequest, request_id: int, payload: RegisterIn) -> RequestOut:
    r = services.request_register(
        actor=caller(request), request_id=request_id, received_on=payload.received_on
    )
    return _request(r)


@router.post(
    "/disclosure/requests/{request_id}/correction",
    response={200: RequestOut, **errors(401, 403, 409, 422)},
    summary="一次性告知补正（收到申请7个工作日内）",
)
def request_correction(request: HttpRequest, request_id: int, payload: CorrectionIn) -> RequestOut:
    r = services.request_ask_correction(
        actor=caller(request), request_id=request_id, note=payload.note
    )
    return _request(r)


@router.post(
    "/disclosure/requests/{request_id}/supply",
    response={200: RequestOut, **errors(401, 403, 409, 422)},
    summary="申请人提交补正（答复期限自补正之日起重新计算）",
)
def request_supply(request: HttpRequest, request_id: int, payload: SupplyIn) -> RequestOut:
    r = services.request_supply_correction(
        user=caller(request), request_id=request_id, description=payload.description
    )
    return _request(r)


@router.post(
    "/disclosure/requests/{request_id}/extend",
    response={200: RequestOut, **errors(401, 403, 409, 422)},
    summary="延长答复期限（部门负责人同意，仅一次，最长20个工作日）",
)
def request_extend(
    request: HttpRequest, request_id: int, payload: InfoRequestExtendIn
) -> RequestOut:
    r = services.request_extend(
        actor=caller(request), request_id=request_id, days=payload.days, reason=payload.reason
    )
    return _request(r)


@router.post(
    "/disclosure/requests/{request_id}/reply",
    response={200: RequestOut, **errors(401, 403, 409, 422)},
    summary="答复申请（条例第三十六条规定的答复类型）",
)
def request_reply(request: HttpRequest, request_id: int, payload: InfoRequestReplyIn) -> RequestOut:
    r = services.request_reply(
        actor=caller(request), request_id=request_id, data=services.ReplyInput(**payload.dict())
    )
    return _request(r)


# --- Annual report ---------------------------------------------------------------------


class ReportRowOut(Schema):
    label: str
    person: int
    legal: int
    total: int


class ReportOut(Schema):
    year: int
    department: str
    received: ReportRowOut
    carried_over: ReportRowOut
    results: list[ReportRowOut]
    results_total: ReportRowOut
    carried_forward: ReportRowOut
    publications: dict[str, int]


def _row(row: selectors.ReportRow) -> ReportRowOut:
    return ReportRowOut(label=row.label, person=row.person, legal=row.legal, total=row.total)


@router.get(
    "/disclosure/report",
    response={200: ReportOut, **errors(401, 403, 404, 422)},
    summary="政府信息公开工作年度报告统计表（依申请公开情况与主动公开数量）",
)
def annual_report(request: HttpRequest, year: int, department_id: int) -> ReportOut:
    report = selectors.annual_report(caller(request), year=year, department_id=department_id)
    return ReportOut(
        year=report.year,
        department=report.department,
        received=_row(report.received),
        carried_over=_row(report.carried_over),
        results=[_row(r) for r in report.results],
        results_total=_row(report.results_total),
        carried_forward=_row(report.carried_forward),
        publications=dict(report.publications),
    )
