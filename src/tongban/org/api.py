"""Public reads of divisions and departments."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.org import selectors
from tongban.org.selectors import Division

router = Router(tags=["组织机构"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class DivisionPageOut(Schema):
    items: list[DivisionOut]
    next: str | None


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    division_code: str
    credit_code: str


class DepartmentPageOut(Schema):
    items: list[DepartmentOut]
    next: str | None


class OrgDepartmentOut(Schema):
    id: int
    code: str
    name: str
    full_name: str
    division: str
    division_name: str


class OrgDepartmentPageOut(Schema):
    items: list[OrgDepartmentOut]
    next: str | None


def _division(d: Division) -> DivisionOut:
    return DivisionOut(code=d.code, name=d.name, level=d.level, parent_code=d.parent_id)


@router.get("/divisions", response={200: DivisionPageOut, **errors(422)}, summary="行政区划列表")
def division_list(
    request: HttpRequest, parent: str | None = None, cursor: str | None = None, size: int = 50
) -> DivisionPageOut:
    page = selectors.division_list(parent_code=parent, cursor=cursor, size=size)
    return DivisionPageOut(
        items=[_division(d) for d in page.items], next=next_url(request, page.next_cursor)
    )


@router.get("/divisions/{code}", response={200: DivisionOut, **errors(404)}, summary="行政区划")
def division_detail(request: HttpRequest, code: str) -> DivisionOut:
    return _division(selectors.division_get(code))


@router.get(
    "/divisions/{code}/departments",
    response={200: DepartmentPageOut, **errors(404, 422)},
    summary="区划内的政务部门",
)
def department_list(
    request: HttpRequest, code: str, cursor: str | None = None, size: int = 50
) -> DepartmentPageOut:
    selectors.division_get(code)
    page = selectors.department_list(division_code=code, cursor=cursor, size=size)
    return DepartmentPageOut(
        items=[
            DepartmentOut(
                id=d.pk,
                code=d.code,
                name=d.name,
                division_code=d.division_id,
                credit_code=d.credit_code,
            )
            for d in page.items
        ],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/org/departments",
    response={200: OrgDepartmentPageOut, **errors(404, 422)},
    summary="政务部门列表（部门 id 供其他接口引用）",
)
def org_department_list(
    request: HttpRequest, division: str | None = None, cursor: str | None = None, size: int = 50
) -> OrgDepartmentPageOut:
    """Departments by id, optionally of one division (``division``: a GB/T 2260 code).
    Other endpoints (documents, internal requests) address departments by these ids."""
    page = selectors.department_page(division_code=division or None, cursor=cursor, size=size)
    return OrgDepartmentPageOut(
        items=[
            OrgDepartmentOut(
                id=d.pk,
                code=d.code,
                name=d.name,
                full_name=selectors.department_full_name(d),
                division=d.division_id,
                division_name=d.division.name,
            )
            for d in page.items
        ],
        next=next_url(request, page.next_cursor),
    )
