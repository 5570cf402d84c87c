"""Reads of divisions and departments."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.org.models import (
    DIVISION_WIDE_ROLES as DIVISION_WIDE_ROLES,
)
from tongban.org.models import (
    Department,
    Division,
)
from tongban.org.models import (
    DivisionLevel as DivisionLevel,
)
from tongban.org.models import (
    Role as Role,
)


def division_get(code: str) -> Division:
    division = Division.objects.filter(code=code).select_related("parent").first()
    if division is None:
        raise NotFound(_("行政区划不存在"), field="code")
    return division


def division_root() -> Division | None:
    return Division.objects.filter(parent__isnull=True).order_by("code").first()


def division_list(
    *, parent_code: str | None = None, cursor: str | None = None, size: int = 50
) -> Page[Division]:
    qs = Division.objects.all()
    if parent_code:
        qs = qs.filter(parent_id=parent_code)
    return keyset_page(qs, order=("code",), cursor=cursor, size=size)


def division_children(code: str) -> list[Division]:
    return list(Division.objects.filter(parent_id=code).order_by("code"))


def division_ancestors(division: Division) -> list[Division]:
    codes = division.path.split("/")
    by_code = Division.objects.in_bulk(codes)
    return [by_code[c] for c in codes if c in by_code]


def division_within(code: str, scope_path: str) -> bool:
    """Whether division ``code`` is the scope division or lies below it."""
    return Division.objects.filter(code=code, path__startswith=scope_path).exists()


def department_get(department_id: int) -> Department:
    department = Department.objects.select_related("division").filter(pk=department_id).first()
    if department is None:
        raise NotFound(_("部门不存在"), field="department_id")
    return department


def department_by_code(*, division_code: str, code: str) -> Department | None:
    return Department.objects.filter(division_id=division_code, code=code).first()


def department_list(
    *, division_code: str, cursor: str | None = None, size: int = 50
) -> Page[Department]:
    qs: QuerySet[Department] = Department.objects.filter(division_id=division_code)
    return keyset_page(qs.select_related("division"), order=("id",), cursor=cursor, size=size)


def department_page(
    *, division_code: str | None = None, cursor: str | None = None, size: int = 50
) -> Page[Department]:
    """Departments in id order, of one division when ``division_code`` is given: the ids
    other API clients address departments by. A malformed code is invalid input, an
    unknown one is not found."""
    qs: QuerySet[Department] = Department.objects.select_related("division")
    if division_code is not None:
        if len(division_code) != 6 or not division_code.isdigit():
            raise ValidationFailed(_("行政区划代码应为6位数字"), field="division")
        if not Division.objects.filter(code=division_code).exists():
            raise NotFound(_("行政区划不存在"), field="division")
        qs = qs.filter(division_id=division_code)
    return keyset_page(qs, order=("id",), cursor=cursor, size=size)


def department_full_name(department: Department) -> str:
    """The department's name as it signs: its division's name, then its own
    (武汉市 + 市场监督管理局 = 武汉市市场监督管理局)."""
    return f"{department.division.name}{department.name}"


def division_codes_under(path: str) -> list[str]:
    """Codes of the division at ``path`` and every division below it (bounded)."""
    rows = Division.objects.filter(Q(path=path) | Q(path__startswith=path + "/"))
    return list(rows.values_list("code", flat=True)[:5000])


def departments_grouped(*, limit: int = 2000) -> list[Department]:
    """Every department with its division, in division order, in one query (bounded)."""
    qs = Department.objects.select_related("division").order_by("division__path", "id")
    return list(qs[:limit])


def division_names(codes: list[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def department_names(division_codes: list[str]) -> dict[tuple[str, str], str]:
    """Names of the departments of the given divisions by (division code, department code)."""
    rows = Department.objects.filter(division_id__in=division_codes).values_list(
        "division_id", "code", "name"
    )
    return {(division, code): name for division, code, name in rows[:5000]}


def division_paths(codes: list[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "path"))
