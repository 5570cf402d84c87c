"""Identity writes. The accounts app owns users (citizens, enterprises, staff), their
credentials and MFA devices, staff role grants, API tokens and the OIDC clients that
department systems use for single sign-on."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import AccessToken, get_application_model, set_token_value

from tongban.accounts.models import (
    CitizenProfile,
    EnterpriseProfile,
    StaffRole,
    User,
    UserKind,
)
from tongban.accounts.selectors import (
    can_reveal_personal_data,
    citizen_get,
    mfa_device_confirmed,
)
from tongban.core.crypto import lookup_hash
from tongban.core.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from tongban.core.identifiers import (
    mask_phone,
    parse_resident_id,
    validate_credit_code,
    validate_mobile,
)
from tongban.core.services import audit_record
from tongban.org.selectors import Role, department_get

ADMIN_SITE_ROLES = (Role.SYSADMIN, Role.DATA_STEWARD)
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{3,29}$")


def locked_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return _("连续登录失败次数过多，该账号已被临时锁定，请%(minutes)d分钟后再试") % {
        "minutes": minutes
    }


@dataclass(frozen=True)
class Registration:
    user: User
    warnings: tuple[str, ...]


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            _("用户名须以字母开头，由4至30位字母、数字、下划线、点或短横线组成"), field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("该用户名已被使用"), field="username")
    return username


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("；").join(exc.messages), field="password") from None


def _check_real_name(name: str) -> str:
    name = (name or "").strip()
    if not 2 <= len(name) <= 50:
        raise ValidationFailed(_("请填写2至50个字的真实姓名"), field="real_name")
    return name


@transaction.atomic
def citizen_register(
    *, username: str, password: str, real_name: str, id_number: str, phone: str
) -> Registration:
    """Register a natural person; the ID number must be valid and not yet registered."""
    real_name = _check_real_name(real_name)
    resident = parse_resident_id(id_number)
    phone = validate_mobile(phone)
    username = _check_username(username)
    id_hash = lookup_hash(resident.number)
    if CitizenProfile.objects.filter(id_number_hash=id_hash).exists():
        raise Conflict(_("该身份证号码已注册"), field="id_number")
    user = User(username=username, kind=UserKind.CITIZEN, display_name=real_name)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            CitizenProfile.objects.create(
                user=user,
                real_name=real_name,
                id_number=resident.number,
                id_number_hash=id_hash,
                id_number_masked=resident.masked,
                phone=phone,
                phone_hash=lookup_hash(phone),
                phone_masked=mask_phone(phone),
                area_code=resident.area_code,
            )
    except IntegrityError:
        # Two registrations of the same ID or username raced; the loser gets the same answer
        # it would have had a moment later.
        raise Conflict(_("该身份证号码或用户名已注册"), field="id_number") from None
    audit_record(
        action="citizen.register",
        actor=user,
        object_type="user",
        object_id=user.pk,
        detail={"id_number": resident.masked, "warnings": list(resident.warnings)},
    )
    return Registration(user, resident.warnings)


@transaction.atomic
def enterprise_register(
    *, username: str, password: str, name: str, credit_code: str, legal_representative: str
) -> User:
    """Register a legal person by its unified social credit code."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写单位名称"), field="name")
    code = validate_credit_code(credit_code)
    legal_representative = (legal_representative or "").strip()
    if not legal_representative:
        raise ValidationFailed(_("请填写法定代表人姓名"), field="legal_representative")
    username = _check_username(username)
    if EnterpriseProfile.objects.filter(credit_code=code).exists():
        raise Conflict(_("该统一社会信用代码已注册"), field="credit_code")
    user = User(username=username, kind=UserKind.ENTERPRISE, display_name=name)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    EnterpriseProfile.objects.create(
        user=user, name=name, credit_code=code, legal_representative=legal_representative
    )
    audit_record(action="enterprise.register", actor=user, object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def staff_create(*, username: str, password: str, display_name: str, actor: Any = None) -> User:
    username = _check_username(username)
    display_name = _check_real_name(display_name)
    user = User(username=username, kind=UserKind.STAFF, display_name=display_name)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(action="staff.create", actor=actor, object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def superuser_grant(*, user: User, actor: Any = None) -> None:
    """Make a staff account a platform superuser (Django admin, all permissions)."""
    if user.kind != UserKind.STAFF:
        raise ValidationFailed(_("只有工作人员可以成为超级管理员"), field="user")
    if user.is_superuser:
        return
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    audit_record(action="superuser.grant", actor=actor, object_type="user", object_id=user.pk)


@transaction.atomic
def staff_role_grant(*, user: User, department_id: int, role: str, actor: Any = None) -> StaffRole:
    if user.kind != UserKind.STAFF:
        raise ValidationFailed(_("只有工作人员可以被授予角色"), field="user")
    if role not in Role.values:
        raise ValidationFailed(_("角色不存在"), field="role")
    department = department_get(department_id)
    grant, created = StaffRole.objects.get_or_create(user=user, department=department, role=role)
    _sync_admin_access(user)
    if created:
        audit_record(
            action="staff_role.grant",
            actor=actor,
            object_type="user",
            object_id=user.pk,
            detail={"department": department.pk, "role": role},
        )
    return grant


@transaction.atomic
def staff_role_revoke(*, grant_id: int, actor: Any = None) -> None:
    grant = StaffRole.objects.filter(pk=grant_id).first()
    if grant is None:
        raise ValidationFailed(_("角色授权不存在"), field="grant_id")
    audit_record(
        action="staff_role.revoke",
        actor=actor,
        object_type="user",
        object_id=grant.user_id,
        detail={"department": grant.department_id, "role": grant.role},
    )
    grant.delete()
    _sync_admin_access(grant.user)


def _sync_admin_access(user: User) -> None:
    """Only administrators and data stewards (who maintain configuration) enter the admin."""
    needed = (
        user.is_superuser or StaffRole.objects.filter(user=user, role__in=ADMIN_SITE_ROLES).exists()
    )
    if user.is_staff != needed:
        user.is_staff = needed
        user.save(update_fields=["is_staff"])


def credentials_check(*, request: HttpRequest, username: str, password: str) -> User:
    """Check a username and password; failures are counted per username by django-axes.

    Once a username is locked, even the right password is refused until the cool-off ends.
    """
    user = authenticate(request, username=username or "", password=password or "")
    if getattr(request, "axes_locked_out", False):
        raise RateLimited(locked_message(), code="login_locked")
    if not isinstance(user, User) or not user.is_active:
        raise NotAuthenticated(_("用户名或密码错误"), code="invalid_credentials")
    return user


def password_login(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None
) -> User:
    """Credentials plus, for staff who use MFA, the current TOTP code (API clients)."""
    user = credentials_check(request=request, username=username, password=password)
    if user.kind == UserKind.STAFF and mfa_required_for(user):
        if not mfa_device_confirmed(user):
            raise PermissionDenied(
                _("请先在网页登录后绑定动态口令（MFA）"), code="mfa_setup_required"
            )
        if not otp_check(user=user, token=otp or ""):
            raise NotAuthenticated(_("动态口令错误或已过期"), code="invalid_otp", field="otp")
    return user


def mfa_required_for(user: User) -> bool:
    """Staff must use MFA when the setting says so, or once they have enrolled a device."""
    return bool(settings.TONGBAN_STAFF_MFA_REQUIRED) or mfa_device_confirmed(user)


def otp_check(*, user: User, token: str) -> bool:
    token = token.strip()
    if not token.isdigit():
        return False
    return any(
        device.verify_token(token)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


@transaction.atomic
def mfa_device_start(*, user: User) -> TOTPDevice:
    """Create (or reuse) the unconfirmed TOTP device a staff member is enrolling."""
    if user.kind != UserKind.STAFF:
        raise PermissionDenied(_("只有工作人员需要绑定动态口令"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


@transaction.atomic
def mfa_device_confirm(*, user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationFailed(_("没有待绑定的动态口令设备"), field="token")
    if not device.verify_token((token or "").strip()):
        raise ValidationFailed(_("动态口令错误，请输入验证器中当前显示的6位数字"), field="token")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="mfa.enrol", actor=user, object_type="user", object_id=user.pk)
    return device


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[str, int]:
    """Issue a bearer token for the API; only its checksum is stored."""
    seconds = int(settings.TONGBAN_API_TOKEN_SECONDS)
    raw = secrets.token_urlsafe(32)
    token = AccessToken(user=user, expires=timezone.now() + timedelta(seconds=seconds), scope="api")
    set_token_value(token, raw)
    token.save()
    audit_record(action="api_token.issue", actor=user, object_type="user", object_id=user.pk)
    return raw, seconds


@transaction.atomic
def personal_data_reveal(*, viewer: User, citizen_user_id: int, reason: str) -> dict[str, str]:
    """Show a citizen's full ID number and phone to staff with need-to-know; audited."""
    reason = (reason or "").strip()
    if not can_reveal_personal_data(viewer):
        # Audited by the error mapping, after this transaction has rolled back.
        raise PermissionDenied(_("您没有查看完整个人信息的权限"))
    if len(reason) < 4:
        raise ValidationFailed(_("请说明查看完整信息的理由（至少4个字）"), field="reason")
    profile = citizen_get(user_id=citizen_user_id)
    audit_record(
        action="pii.reveal",
        actor=viewer,
        object_type="user",
        object_id=citizen_user_id,
        detail={"reason": reason[:200], "fields": ["id_number", "phone"]},
    )
    return {"id_number": profile.id_number, "phone": profile.phone}


@transaction.atomic
def oidc_client_upsert(
    *,
    client_id: str,
    client_secret: str,
    name: str,
    redirect_uris: list[str],
    skip_authorization: bool,
    actor: Any = None,
) -> Any:
    """Register a department system as a confidential OIDC client (authorization code)."""
    application_model = get_application_model()
    existing = application_model.objects.filter(client_id=client_id).first()
    uris = " ".join(redirect_uris)
    if (
        existing is not None
        and existing.name == name
        and existing.redirect_uris == uris
        and existing.skip_authorization == skip_authorization
        and check_password(client_secret, existing.client_secret)
    ):
        return existing
    app = existing or application_model(client_id=client_id)
    app.name = name
    app.client_type = application_model.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
    app.redirect_uris = uris
    app.skip_authorization = skip_authorization
    app.algorithm = application_model.RS256_ALGORITHM
    app.client_secret = client_secret
    app.save()
    audit_record(
        action="oidc_client.upsert", actor=actor, object_type="oidc_client", object_id=client_id
    )
    return app
