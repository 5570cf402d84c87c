"""Identity API: tokens, the caller, citizen registration, staff views of citizens."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.accounts import selectors, services
from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle

router = Router(tags=["统一身份认证"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class RoleOut(Schema):
    role: str
    role_label: str
    department_id: int
    department: str
    division_code: str
    division: str


class CitizenOut(Schema):
    real_name: str
    id_number_masked: str
    phone_masked: str


class EnterpriseOut(Schema):
    name: str
    credit_code: str
    legal_representative: str


class MeOut(Schema):
    id: int
    username: str
    kind: str
    display_name: str
    citizen: CitizenOut | None = None
    enterprise: EnterpriseOut | None = None
    roles: list[RoleOut]


class CitizenRegisterIn(Schema):
    username: str
    password: str
    real_name: str
    id_number: str
    phone: str


class CitizenRegisteredOut(Schema):
    id: int
    username: str
    warnings: list[str]


class CitizenRowOut(Schema):
    user_id: int
    real_name: str
    id_number_masked: str
    phone_masked: str


class CitizenPageOut(Schema):
    items: list[CitizenRowOut]
    next: str | None


class RevealIn(Schema):
    reason: str


class RevealOut(Schema):
    id_number: str
    phone: str


@router.post(
    "/auth/token",
    response={200: TokenOut, **errors(400, 401, 403, 422, 429)},
    throttle=[ClientRateThrottle("token", settings.TONGBAN_RATE_TOKEN)],
    summary="用户名密码换取访问令牌",
    description="连续5次失败后该用户名被临时锁定（返回429）。启用MFA的工作人员须提供 otp。",
)
def token_create(request: HttpRequest, body: TokenIn) -> TokenOut:
    user = services.password_login(
        request=request, username=body.username, password=body.password, otp=body.otp
    )
    raw, seconds = services.api_token_issue(user=user)
    return TokenOut(access_token=raw, expires_in=seconds)


@router.get("/me", response={200: MeOut, **errors(401)}, auth=API_AUTH, summary="当前用户")
def me(request: HttpRequest) -> dict[str, object]:
    return selectors.user_summary(caller(request))


@router.post(
    "/citizens",
    response={201: CitizenRegisteredOut, **errors(400, 409, 422, 429)},
    throttle=[ClientRateThrottle("register", settings.TONGBAN_RATE_REGISTER)],
    summary="自然人注册",
    description="身份证号码校验位、出生日期和地区代码均会校验；同一号码重复注册返回409。",
)
def citizen_register(request: HttpRequest, body: CitizenRegisterIn) -> Status:
    registration = services.citizen_register(
        username=body.username,
        password=body.password,
        real_name=body.real_name,
        id_number=body.id_number,
        phone=body.phone,
    )
    user = registration.user
    return Status(
        201,
        CitizenRegisteredOut(
            id=user.pk, username=user.username, warnings=list(registration.warnings)
        ),
    )


@router.get(
    "/citizens",
    response={200: CitizenPageOut, **errors(401, 403, 422)},
    auth=API_AUTH,
    summary="自然人名录（工作人员，号码脱敏）",
)
def citizen_list(
    request: HttpRequest, q: str = "", cursor: str | None = None, size: int = 20
) -> CitizenPageOut:
    page = selectors.citizen_directory(viewer=caller(request), query=q, cursor=cursor, size=size)
    return CitizenPageOut(
        items=[
            CitizenRowOut(
                user_id=p.user_id,
                real_name=p.real_name,
                id_number_masked=p.id_number_masked,
                phone_masked=p.phone_masked,
            )
            for p in page.items
        ],
        next=next_url(request, page.next_cursor),
    )


@router.post(
    "/citizens/{user_id}/reveal",
    response={200: RevealOut, **errors(400, 401, 403, 404, 422)},
    auth=API_AUTH,
    summary="查看完整个人信息（须说明理由，记入审计）",
)
def citizen_reveal(request: HttpRequest, user_id: int, body: RevealIn) -> dict[str, str]:
    return services.personal_data_reveal(
        viewer=caller(request), citizen_user_id=user_id, reason=body.reason
    )
