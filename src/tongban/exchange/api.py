"""Exchange over HTTP: the resource catalog, sharing requests and the access log under
/api/v1, and the exchange gateway (共享交换网关), a second API at /exchange/ for
department systems holding a client-credentials token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from tongban.accounts.auth import API_AUTH, caller
from tongban.accounts.selectors import oauth_client_for_token
from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.core.pagination import next_url
from tongban.core.schemas import ErrorOut, errors
from tongban.exchange import selectors, services
from tongban.exchange.selectors import (
    DataItem,
    MessageLog,
    Resource,
    ResourceFilter,
    SharingRequest,
)

router = Router(tags=["共享交换"])


class ResourceOut(Schema):
    code: str
    name: str
    summary: str
    provider_id: int
    provider_name: str
    classification: str
    theme: str
    format: str
    share_type: str
    share_type_label: str
    open_type: str
    open_type_label: str
    update_cycle: str
    published_on: date | None
    url: str


class ResourcePageOut(Schema):
    items: list[ResourceOut]
    next: str | None


class DataItemOut(Schema):
    key: str
    label: str
    data_type: str
    description: str
    sensitivity: str
    mask: str
    filterable: bool


class ResourceDetailOut(ResourceOut):
    share_condition: str
    items: list[DataItemOut]


def _resource(request: HttpRequest, r: Resource) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "summary": r.summary,
        "provider_id": r.provider_id,
        "provider_name": f"{r.provider.division.name}{r.provider.name}",
        "classification": r.classification,
        "theme": r.theme,
        "format": r.format,
        "share_type": r.share_type,
        "share_type_label": r.get_share_type_display(),
        "open_type": r.open_type,
        "open_type_label": r.get_open_type_display(),
        "update_cycle": r.update_cycle,
        "published_on": r.published_on,
        "url": request.build_absolute_uri(reverse("exchange_pages:resource", args=[r.code])),
    }


def _item(i: DataItem) -> DataItemOut:
    return DataItemOut(
        key=i.key,
        label=i.label,
        data_type=i.data_type,
        description=i.description,
        sensitivity=i.sensitivity,
        mask=i.mask,
        filterable=i.filterable,
    )


@router.get(
    "/resources", response={200: ResourcePageOut, **errors(422)}, summary="信息资源目录检索"
)
def resource_list(
    request: HttpRequest,
    q: str = "",
    department: str = "",
    theme: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> ResourcePageOut:
    """Search the resource catalog (jieba segmentation, e.g. 人口, 户籍, 营业执照); browse by
    provider department (id) and theme."""
    found = ResourceFilter(q=q[:100], department=department, theme=theme[:50])
    page = selectors.resource_search(found, cursor=cursor, size=size)
    return ResourcePageOut(
        items=[ResourceOut(**_resource(request, r)) for r in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/resources/{code}", response={200: ResourceDetailOut, **errors(404)}, summary="信息资源详情"
)
def resource_detail(request: HttpRequest, code: str) -> ResourceDetailOut:
    r = selectors.resource_get(code)
    return ResourceDetailOut(
        **_resource(request, r),
        share_condition=r.share_condition,
        items=[_item(i) for i in selectors.resource_items(r)],
    )


class SharingRequestIn(Schema):
    resource: str
    items: list[str]
    purpose: str
    consumer_department: int | None = None
    expires_on: date | None = None


class SharingRequestOut(Schema):
    id: int
    resource: str
    resource_name: str
    provider_id: int
    consumer_id: int
    consumer_name: str
    items: list[str]
    purpose: str
    status: str
    status_label: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    expires_on: date | None


class SharingRequestPageOut(Schema):
    items: list[SharingRequestOut]
    next: str | None


class SharingDecisionIn(Schema):
    reason: str = ""
    expires_on: date | None = None


def _request_out(r: SharingRequest) -> SharingRequestOut:
    return SharingRequestOut(
        id=r.pk,
        resource=r.resource.code,
        resource_name=r.resource.name,
        provider_id=r.resource.provider_id,
        consumer_id=r.consumer_id,
        consumer_name=r.consumer.name,
        items=list(r.items),
        purpose=r.purpose,
        status=r.status,
        status_label=r.get_status_display(),
        requested_at=r.requested_at,
        decided_by=r.decided_by.get_username() if r.decided_by else None,
        decided_at=r.decided_at,
        reason=r.reason,
        expires_on=r.expires_on,
    )


def _consumer(request: HttpRequest, given: int | None) -> int:
    if given is not None:
        return given
    departments = selectors.steward_departments(caller(request))
    if not departments:
        raise PermissionDenied(_("只有数据管理员可以提出共享申请"))
    if len(departments) > 1:
        raise ValidationFailed(
            _("请指定使用方部门（consumer_department）"), field="consumer_department"
        )
    return departments[0]


@router.post(
    "/sharing-requests",
    response={201: SharingRequestOut, **errors(401, 403, 404, 422)},
    auth=API_AUTH,
    summary="提出共享申请",
)
def sharing_request_create(request: HttpRequest, body: SharingRequestIn) -> Status:
    """A data steward of the consumer department asks for items of a resource; unconditional
    resources are granted at once, conditional ones wait for the provider's data steward."""
    created = services.sharing_request_create(
        actor=caller(request),
        consumer_id=_consumer(request, body.consumer_department),
        resource_code=body.resource,
        items=body.items,
        purpose=body.purpose,
        expires_on=body.expires_on,
    )
    return Status(201, _request_out(selectors.sharing_request_get(created.pk)))


@router.get(
    "/sharing-requests",
    response={200: SharingRequestPageOut, **errors(401, 422)},
    auth=API_AUTH,
    summary="共享申请列表",
)
def sharing_request_list(
    request: HttpRequest,
    role: str = "consumer",
    status: str = "",
    cursor: str | None = None,
    size: int = 20,
) -> SharingRequestPageOut:
    """Requests of the caller's departments: as provider (to decide) or as consumer."""
    page = selectors.sharing_request_list(
        user=caller(request), role=role, status=status, cursor=cursor, size=size
    )
    return SharingRequestPageOut(
        items=[_request_out(r) for r in page.items], next=next_url(request, page.next_cursor)
    )


DECISION_ERRORS = {200: SharingRequestOut, **errors(401, 403, 404, 422)}


@router.post(
    "/sharing-requests/{request_id}/approve",
    response=DECISION_ERRORS,
    auth=API_AUTH,
    summary="批准共享申请",
)
def sharing_request_approve(
    request: HttpRequest, request_id: int, body: SharingDecisionIn
) -> SharingRequestOut:
    decided = services.sharing_request_approve(
        actor=caller(request), request_id=request_id, expires_on=body.expires_on, reason=body.reason
    )
    return _request_out(selectors.sharing_request_get(decided.pk))


@router.post(
    "/sharing-requests/{request_id}/refuse",
    response=DECISION_ERRORS,
    auth=API_AUTH,
    summary="拒绝共享申请（须说明理由）",
)
def sharing_request_refuse(
    request: HttpRequest, request_id: int, body: SharingDecisionIn
) -> SharingRequestOut:
    decided = services.sharing_request_refuse(
        actor=caller(request), request_id=request_id, reason=body.reason
    )
    return _request_out(selectors.sharing_request_get(decided.pk))


@router.post(
    "/sharing-requests/{request_id}/revoke",
    response=DECISION_ERRORS,
    auth=API_AUTH,
    summary="撤销共享授权（须说明理由）",
)
def sharing_request_revoke(
    request: HttpRequest, request_id: int, body: SharingDecisionIn
) -> SharingRequestOut:
    decided = services.grant_revoke(
        actor=caller(request), request_id=request_id, reason=body.reason
    )
    return _request_out(selectors.sharing_request_get(decided.pk))


class MessageOut(Schema):
    seq: int
    message_id: str
    at: datetime
    client_id: str
    consumer_id: int | None
    provider_id: int | None
    resource_code: str
    purpose: str
    fields: list[str]
    filter_keys: list[str]
    status: int


class MessagePageOut(Schema):
    items: list[MessageOut]
    next: str | None


def _message(m: MessageLog) -> MessageOut:
    return MessageOut(
        seq=m.seq,
        message_id=str(m.message_id),
        at=m.at,
        client_id=m.client_id,
        consumer_id=m.consumer_id,
        provider_id=m.provider_id,
        resource_code=m.resource_code,
        purpose=m.purpose,
        fields=list(m.fields),
        filter_keys=list(m.filter_keys),
        status=m.status,
    )


@router.get(
    "/exchange-log",
    response={200: MessagePageOut, **errors(401, 422)},
    auth=API_AUTH,
    summary="数据访问记录",
)
def exchange_log(
    request: HttpRequest, role: str = "provider", cursor: str | None = None, size: int = 20
) -> MessagePageOut:
    """Who accessed what, when and for what purpose: the caller's departments' data as
    provider, or their own queries as consumer (filter values are never stored)."""
    page = selectors.message_log_list(user=caller(request), role=role, cursor=cursor, size=size)
    return MessagePageOut(
        items=[_message(m) for m in page.items], next=next_url(request, page.next_cursor)
    )


# ------------------------------------------------------------------------------ gateway


class ClientToken(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /o/token/`` (client credentials)."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return oauth_client_for_token(token)


gateway = NinjaAPI(
    title="Tongban 共享交换网关",
    version="1.0",
    description=(
        "部门业务系统以 OAuth2 客户端凭证（POST /o/token/，grant_type=client_credentials）"
        "获取访问令牌后调用。只能查询已获授权的数据项；每次调用都记入签名的交换日志。"
        "错误统一返回 {code, message, field}。"
    ),
    urls_namespace="exchange",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=ClientToken(),
)


class QueryIn(Schema):
    filters: dict[str, str | int | float] = {}
    fields: list[str]
    purpose: str
    limit: int = services.DEFAULT_LIMIT
    after: str | None = None


class QueryOut(Schema):
    items: list[dict[str, Any]]
    message_id: str
    next: str | None = None


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: Any = None
) -> HttpResponse:
    return gateway.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@gateway.exception_handler(DomainError)
def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@gateway.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("请提供有效的访问令牌（客户端凭证）"))


@gateway.exception_handler(ValidationError)
def _on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    parts = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    field = ".".join(parts) or None
    message = _("请求格式不正确：%(field)s") % {"field": field} if field else _("请求格式不正确")
    return _error(request, 422, "invalid", message, field)


@gateway.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return _error(request, 400, "bad_request", _("请求体不是有效的 JSON"))
    return _error(request, exc.status_code, "http_error", _("请求无法处理"))


@gateway.post(
    "/v1/{resource_code}/query",
    response={200: QueryOut, 401: ErrorOut, **errors(403, 404, 422, 429, 502, 504)},
    summary="查询共享数据",
)
def gateway_query(request: HttpRequest, resource_code: str, body: QueryIn) -> QueryOut:
    """Query granted data items of a resource. ``filters`` are equality conditions on
    filterable items, ``fields`` the items wanted, ``purpose`` the business reason,
    ``limit`` at most 100 (default 20). ``next`` in the answer is the cursor of the
    following page: send it back as ``after`` (null on the last page)."""
    answer = services.gateway_query(
        client_id=str(request.auth),  # type: ignore[attr-defined]
        resource_code=resource_code,
        filters=dict(body.filters),
        fields=list(body.fields),
        purpose=body.purpose,
        limit=body.limit,
        after=body.after,
    )
    return QueryOut(items=answer.items, message_id=answer.message_id, next=answer.next)
