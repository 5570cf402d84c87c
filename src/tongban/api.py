"""The HTTP API: one NinjaAPI, every app's router under /api/v1, one error shape.

Errors are always ``{"code", "message", "field"}``; the message is for people (Simplified
Chinese unless a browser session chose English). Domain errors raised by services are
mapped here and nowhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from tongban.accounts.api import router as accounts_router
from tongban.analytics.api import router as analytics_router
from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.services import audit_denial
from tongban.disclosure.api import router as disclosure_router
from tongban.exchange.api import router as exchange_router
from tongban.interaction.api import router as interaction_router
from tongban.knowledge.api import router as knowledge_router
from tongban.licences.api import router as licences_router
from tongban.notify.api import router as notify_router
from tongban.office.api import router as office_router
from tongban.org.api import router as org_router
from tongban.participation.api import router as participation_router
from tongban.registries.api import router as registries_router
from tongban.supervision.api import router as supervision_router
from tongban.workflow.api import router as workflow_router


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times leave the API in the platform's zone with their offset (+08:00), not in UTC."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


ERROR_RESPONSE = {"$ref": "#/components/schemas/ErrorOut"}
INPUT_ERRORS = {
    400: "Bad Request",  # a JSON body that does not parse (on_http_error)
    422: "Unprocessable Entity",  # a parameter or body field of the wrong shape
}


def input_errors(operation: dict[str, Any]) -> dict[int, str]:
    """The input errors this API's handlers answer for an operation, whatever its router
    declared: 422 for any operation taking input, 400 too for one taking a JSON body."""
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        return INPUT_ERRORS
    if body or operation.get("parameters"):
        return {422: INPUT_ERRORS[422]}
    return {}


class TongbanAPI(NinjaAPI):
    """Every operation documents the input errors raised for it by the parsing layer (a
    path id that is not an integer, a body that is not JSON), not only its own errors."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, description in input_errors(operation).items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": ERROR_RESPONSE}},
                        },
                    )
        return schema


api = TongbanAPI(
    renderer=LocalTimeRenderer(),
    title="Tongban 一网通办 API",
    version="1.0",
    description=(
        "一网通办平台接口。错误统一返回 {code, message, field}：code 为稳定的英文标识，"
        "message 为面向用户的说明（默认简体中文）。"
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/v1", accounts_router)
api.add_router("/v1", org_router)
api.add_router("/v1", catalog_router)
api.add_router("/v1", workflow_router)
api.add_router("/v1", supervision_router)
api.add_router("/v1", cases_router)
api.add_router("/v1", notify_router)
api.add_router("/v1", exchange_router)
api.add_router("/v1", registries_router)
api.add_router("/v1", licences_router)
api.add_router("/v1", interaction_router)
api.add_router("/v1", knowledge_router)
api.add_router("/v1", participation_router)
api.add_router("/v1", disclosure_router)
api.add_router("/v1", analytics_router)
api.add_router("/v1", office_router)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, PermissionDenied):
        audit_denial(actor=request.user, path=request.path, message=exc.message)
    return error_response(request, exc.status, exc.code, exc.message, exc.field)


FIELD_MESSAGES = {
    "missing": gettext_lazy("缺少必填字段"),
    "string_type": gettext_lazy("应为文本"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON"),
    "model_attributes_type": gettext_lazy("请求体格式不正确"),
}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(part for part in location if part != "payload") or None
    reason = str(FIELD_MESSAGES.get(str(first.get("type", "")), _("格式不正确")))
    message = _("%(field)s：%(reason)s") % {"field": field, "reason": reason} if field else reason
    return error_response(request, 422, "invalid", message, field)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "not_authenticated", _("请先登录或提供有效的访问令牌"))


@api.exception_handler(NinjaAuthorizationError)
def on_forbidden(request: HttpRequest, exc: NinjaAuthorizationError) -> HttpResponse:
    audit_denial(actor=request.user, path=request.path, message=str(exc.message))
    return error_response(request, 403, "permission_denied", _("没有权限执行此操作"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("请求的资源不存在"))


# Errors django-ninja raises itself, reworded for people (its own texts are English).
HTTP_ERRORS = {
    400: ("bad_request", gettext_lazy("请求体不是有效的 JSON")),
    403: ("csrf_failed", gettext_lazy("安全校验（CSRF）未通过，请刷新页面后重试")),
    429: ("rate_limited", gettext_lazy("请求过于频繁，请稍后再试")),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", _("请求无法处理")))
    response = error_response(request, exc.status_code, code, str(message))
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer in the API's error shape, not with an HTML page."""
    return JsonResponse(
        {"code": "not_found", "message": _("接口不存在，请查看 /api/docs"), "field": None},
        status=404,
    )
