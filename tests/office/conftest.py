"""Fixtures shared by the office tests: the demo organisation (divisions, departments,
staff with their roles, issuer profiles) and its people and departments by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.org.selectors import department_by_code


@dataclass(frozen=True)
class OfficeOrg:
    """The demo departments and staff the office tests use."""

    wh_scjg: Any  # 武汉市市场监督管理局 (issuer)
    wh_xfzd: Any  # 武汉市消防救援支队
    wh_sthjj: Any  # 武汉市生态环境局
    wh_zsj: Any  # 武汉市政务服务和大数据管理局
    xg_scjg: Any  # 孝感市市场监督管理局 (recipient)

    def user(self, username: str) -> Any:
        return get_user_model().objects.get(username=username)


def _department(division: str, code: str) -> Any:
    department = department_by_code(division_code=division, code=code)
    assert department is not None, (division, code)
    return department


@pytest.fixture
def office_org(demo: Any) -> OfficeOrg:
    """The demo province's organisation (loaded by the shared ``demo`` fixture): users
    scjg (drafter), scjg-hegao (核稿), scjg-head (签发), xfzd-head and sthjj-head
    (会签), xg-scjg and xg-scjg-head (收文), chuangkou (outside every route)."""
    return OfficeOrg(
        wh_scjg=_department("420100", "scjg"),
        wh_xfzd=_department("420100", "xfzd"),
        wh_sthjj=_department("420100", "sthjj"),
        wh_zsj=_department("420100", "zsj"),
        xg_scjg=_department("420900", "scjg"),
    )


@pytest.fixture
def office_staff(office_org: OfficeOrg) -> Any:
    """Make a staff user holding ``role`` in ``department`` (demo password)."""
    from tongban.accounts.services import staff_create, staff_role_grant
    from tongban.demo.data import DEMO_PASSWORD

    def _make(username: str, department: Any, role: str, name: str = "") -> Any:
        user = staff_create(
            username=username, password=DEMO_PASSWORD, display_name=name or username
        )
        staff_role_grant(user=user, department_id=department.pk, role=role)
        return get_user_model().objects.get(pk=user.pk)

    return _make
