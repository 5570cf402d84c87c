"""Organisation writes. The org app owns administrative divisions (GB/T 2260) and the
government departments of each division, and defines the staff roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import validate_credit_code, validate_division_code
from tongban.core.services import audit_record
from tongban.core.upsert import Outcome, upsert
from tongban.org.models import Department, Division, DivisionLevel


def infer_level(code: str) -> DivisionLevel:
    if code.endswith("0000"):
        return DivisionLevel.PROVINCE
    if code.endswith("00") or code[2:4] == "90":
        # xx90yy codes are county-level cities administered directly by the province
        # (省直辖县级市, e.g. 潜江市 429005); they act as cities of that province.
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


@transaction.atomic
def division_upsert(
    *, code: str, name: str, parent_code: str | None, actor: Any = None
) -> Division:
    """Create or update a division; the code must be a current GB/T 2260 code."""
    code = validate_division_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写行政区划名称"), field="name")
    level = infer_level(code)
    parent = None
    if level == DivisionLevel.PROVINCE:
        if parent_code:
            raise ValidationFailed(_("省级行政区划没有上级"), field="parent_code")
    else:
        parent = Division.objects.filter(code=parent_code or "").first()
        if parent is None:
            raise ValidationFailed(_("上级行政区划不存在"), field="parent_code")
        if parent.code[:2] != code[:2] or parent.level == DivisionLevel.COUNTY:
            raise ValidationFailed(_("上级行政区划与区划代码不符"), field="parent_code")
    path = f"{parent.path}/{code}" if parent else code
    values = {
        "name": name,
        "level": level,
        "parent_id": parent.code if parent else None,
        "path": path,
    }
    division, outcome = upsert(Division, lookup={"code": code}, values=values)
    if outcome is Outcome.UNCHANGED:
        return division
    audit_record(
        action=f"division.{outcome.value}",
        actor=actor,
        object_type="division",
        object_id=code,
        detail={"name": name},
    )
    return division


@transaction.atomic
def department_upsert(
    *,
    division_code: str,
    code: str,
    name: str,
    credit_code: str = "",
    is_service_centre: bool = False,
    actor: Any = None,
) -> Department:
    """Create or update a department of a division, identified by its short code."""
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise ValidationFailed(_("行政区划不存在"), field="division_code")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写部门名称"), field="name")
    if credit_code:
        credit_code = validate_credit_code(credit_code)
    values = {"name": name, "credit_code": credit_code, "is_service_centre": is_service_centre}
    department, outcome = upsert(
        Department, lookup={"division": division, "code": code}, values=values
    )
    if outcome is Outcome.UNCHANGED:
        return department
    audit_record(
        action=f"department.{outcome.value}",
        actor=actor,
        object_type="department",
        object_id=department.pk,
        detail={"division": division_code, "name": name},
    )
    return department
