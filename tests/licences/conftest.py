"""Licence tests: the demo organisations and accounts, the demo licence types, and a helper
that issues a licence to a demo holder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tongban.demo.licences_demo import load_licence_types
from tongban.licences import services
from tongban.licences.models import Licence, LicenceType
from tongban.org.selectors import department_by_code

HBCANYIN = ("91420100MA4KXL7P09", "湖北楚味餐饮有限公司")
ZHANGSAN = ("420102199003071232", "张三")
BUSINESS_DATA = {
    "entity_name": "湖北楚味餐饮有限公司",
    "legal_representative": "张三",
    "registered_capital": "50",
    "business_scope": "餐饮服务；食品销售",
    "address": "武汉市江汉区解放大道 100 号",
}


def department_id(code: str, division: str = "420100") -> int:
    found = department_by_code(division_code=division, code=code)
    assert found is not None
    return found.pk


@pytest.fixture
def licence_types(demo) -> dict[str, LicenceType]:
    load_licence_types(lambda _line: None)
    return {t.name: t for t in LicenceType.objects.all()}


@pytest.fixture
def issue(licence_types) -> Callable[..., Licence]:
    """Issue a licence of a demo type: a business licence for 湖北楚味 by default."""

    def _issue(
        type_name: str = "营业执照",
        issuer: str = "scjg",
        holder: tuple[str, str] = HBCANYIN,
        data: dict[str, Any] | None = None,
        issue_date: date | None = None,
        valid_until: Any = "default",
    ) -> Licence:
        licence_type = licence_types[type_name]
        return services.licence_issue(
            licence_type=licence_type,
            issuer_id=department_id(issuer),
            holder_kind=licence_type.holder_kind,
            holder_code=holder[0],
            holder_name=holder[1],
            data=data if data is not None else BUSINESS_DATA,
            issue_date=issue_date,
            valid_until=valid_until,
        )

    return _issue
