"""Identity reads: who a user is, which roles they hold and where those roles apply."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import AccessToken, get_application_model

from tongban.accounts.models import CitizenProfile, StaffRole, User, UserKind
from tongban.core.crypto import lookup_hash
from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.pagination import Page, keyset_page
from tongban.org.selectors import DIVISION_WIDE_ROLES, Role, department_get, division_get

# Roles that may see a citizen's full identifiers after stating a reason.
REVEAL_ROLES = frozenset({Role.WINDOW_CLERK, Role.SYSADMIN})
CITIZEN_DIRECTORY_ROLES = frozenset({Role.WINDOW_CLERK, Role.SUPERVISOR, Role.SYSADMIN})


def user_for_api_token(raw_token: str) -> User | None:
    """The active user behind a platform API token, or None.

    Only tokens issued by ``POST /api/v1/auth/token`` count: they carry the ``api`` scope and
    no client application. Tokens that department systems obtain through OIDC are for
    those systems (userinfo), not for acting on the platform API as the user.
    """
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    token = (
        AccessToken.objects.select_related("user")
        .filter(token_checksum=checksum, expires__gt=timezone.now(), application__isnull=True)
        .first()
    )
    if token is None or "api" not in token.scope.split():
        return None
    if token.user is None or not token.user.is_active:
        return None
    user = token.user
    assert isinstance(user, User)
    return user


def oauth_client_for_token(raw_token: str) -> str | None:
    """The client_id behind an unexpired client-credentials access token, or None.

    Department systems calling the exchange gateway obtain these at ``/o/token/`` with
    ``grant_type=client_credentials``; tokens issued to a user never count.
    """
    if not raw_token:
        return None
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    token = (
        AccessToken.objects.select_related("application")
        .filter(
            token_checksum=checksum,
            expires__gt=timezone.now(),
            user__isnull=True,
            application__isnull=False,
        )
        .first()
    )
    if token is None or token.application is None:
        return None
    application = token.application
    if application.authorization_grant_type != application.GRANT_CLIENT_CREDENTIALS:
        return None
    return str(application.client_id)


OIDC_ORIGINS_CACHE_KEY = "tongban:oidc-redirect-origins"


def oidc_redirect_origins() -> list[str]:
    """Origins of every registered client's redirect URIs (cached; reset on registration)."""
    origins: list[str] | None = cache.get(OIDC_ORIGINS_CACHE_KEY)
    if origins is None:
        found = set()
        for uris in get_application_model().objects.values_list("redirect_uris", flat=True):
            for uri in uris.split():
                parts = urlsplit(uri)
                if parts.scheme in {"http", "https"} and parts.netloc:
                    found.add(f"{parts.scheme}://{parts.netloc}")
        origins = sorted(found)
        cache.set(OIDC_ORIGINS_CACHE_KEY, origins, 300)
    return origins


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def usernames_taken(usernames: list[str]) -> set[str]:
    return set(User.objects.filter(username__in=usernames).values_list("username", flat=True))


def staff_roles(user: User) -> list[StaffRole]:
    if not user.is_authenticated or user.kind != UserKind.STAFF:
        return []
    cached: list[StaffRole] | None = getattr(user, "_tongban_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user).select_related("department__division"))
        user._tongban_roles = cached  # type: ignore[attr-defined]
    return cached


def staff_has_role(
    user: User,
    role: str | None = None,
    *,
    roles: frozenset[str] | None = None,
    department_id: int | None = None,
    division_code: str | None = None,
) -> bool:
    """Whether ``user`` holds a role that applies to the given department or division.

    A role applies to its own department. Division-wide roles (supervisor, dispatcher,
    system administrator) apply to every department of their division and of the
    divisions below it. With no department or division given, any grant counts.
    """
    wanted = roles or (frozenset({role}) if role else frozenset(Role.values))
    for grant in staff_roles(user):
        if grant.role not in wanted:
            continue
        if department_id is None and division_code is None:
            return True
        if department_id is not None and grant.department_id == department_id:
            return True
        if grant.role in DIVISION_WIDE_ROLES:
            scope = grant.department.division.path
            target = _division_path(department_id, division_code)
            if target is not None and (target == scope or target.startswith(scope + "/")):
                return True
    return False


def _division_path(department_id: int | None, division_code: str | None) -> str | None:
    try:
        if department_id is not None:
            return department_get(department_id).division.path
        if division_code is not None:
            return division_get(division_code).path
    except NotFound:
        return None
    return None


def can_reveal_personal_data(user: User) -> bool:
    return staff_has_role(user, roles=REVEAL_ROLES)


def mfa_device_confirmed(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def citizen_get(*, user_id: int) -> CitizenProfile:
    profile = CitizenProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None:
        raise NotFound(_("该自然人用户不存在"))
    return profile


def citizen_directory(
    *, viewer: User, query: str = "", cursor: str | None = None, size: int = 20
) -> Page[CitizenProfile]:
    """Citizens as staff see them: masked identifiers only, newest first."""
    if not staff_has_role(viewer, roles=CITIZEN_DIRECTORY_ROLES):
        raise PermissionDenied(_("您没有查看自然人名录的权限"))
    qs: QuerySet[CitizenProfile] = CitizenProfile.objects.select_related("user")
    query = query.strip()
    if query:
        qs = qs.filter(real_name__contains=query)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def user_summary(user: User) -> dict[str, object]:
    """What the user may see about themselves (``GET /api/v1/me`` and 我的)."""
    data: dict[str, object] = {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "display_name": user.display_name or user.username,
    }
    citizen = CitizenProfile.objects.filter(user=user).first()
    if citizen is not None:
        data["citizen"] = {
            "real_name": citizen.real_name,
            "id_number_masked": citizen.id_number_masked,
            "phone_masked": citizen.phone_masked,
        }
    enterprise = getattr(user, "enterprise", None) if user.kind == UserKind.ENTERPRISE else None
    if enterprise is not None:
        data["enterprise"] = {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "legal_representative": enterprise.legal_representative,
        }
    data["roles"] = [
        {
            "role": grant.role,
            "role_label": str(Role(grant.role).label),
            "department_id": grant.department_id,
            "department": str(grant.department.name),
            "division_code": grant.department.division_id,
            "division": grant.department.division.name,
        }
        for grant in staff_roles(user)
    ]
    return data


@dataclass(frozen=True)
class Applicant:
    """Who applies (申请人): a natural person or a legal person, as a case records them."""

    kind: str
    name: str
    id_hash: str
    id_masked: str


def applicant_identity(user: User) -> Applicant | None:
    """The applicant a citizen or enterprise user is; None for staff and unknown users."""
    if user.kind == UserKind.CITIZEN:
        citizen = CitizenProfile.objects.filter(user=user).first()
        if citizen is not None:
            return Applicant(
                "person", citizen.real_name, citizen.id_number_hash, citizen.id_number_masked
            )
    if user.kind == UserKind.ENTERPRISE:
        enterprise = getattr(user, "enterprise", None)
        if enterprise is not None:
            code = enterprise.credit_code
            return Applicant("legal", enterprise.name, lookup_hash(code), code)
    return None


def staff_with_role(*, division_code: str, department_code: str, role: str) -> list[int]:
    """Ids of the staff holding ``role`` in one department (bounded)."""
    return list(
        StaffRole.objects.filter(
            department__division_id=division_code, department__code=department_code, role=role
        )
        .values_list("user_id", flat=True)
        .distinct()[:200]
    )


def applicant_identifier(user: User) -> tuple[str, str] | None:
    """(kind, plaintext ID number or credit code) of an applicant, for looking them up in a
    shared resource on their behalf; never for display (use ``applicant_identity``)."""
    if user.kind == UserKind.CITIZEN:
        citizen = CitizenProfile.objects.filter(user=user).first()
        return ("person", citizen.id_number) if citizen is not None else None
    if user.kind == UserKind.ENTERPRISE:
        enterprise = getattr(user, "enterprise", None)
        return ("legal", enterprise.credit_code) if enterprise is not None else None
    return None


def user_ids_for_holder(kind: str, code: str) -> list[int]:
    """The accounts of a person (by ID number) or an enterprise (by credit code)."""
    if kind == "person":
        found = CitizenProfile.objects.filter(id_number_hash=lookup_hash(code))
        return list(found.values_list("user_id", flat=True))
    return list(User.objects.filter(enterprise__credit_code=code).values_list("id", flat=True)[:10])
