"""Fixtures of the disclosure tests: the catalog, publications and requests made through
the services as staff would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tongban.accounts.selectors import user_by_username
from tongban.demo.disclosure_demo import load_disclosure
from tongban.disclosure import services
from tongban.disclosure.models import InfoRequest, Publication
from tongban.org.selectors import department_by_code


def user(username: str) -> Any:
    found = user_by_username(username)
    assert found is not None
    return found


def department_id(code: str, division: str = "420100") -> int:
    department = department_by_code(division_code=division, code=code)
    assert department is not None
    return department.pk


@pytest.fixture
def catalog(demo):
    services.category_upsert(code="fgwj", name="法规文件")
    services.category_upsert(code="gfxwj", name="规范性文件", parent_code="fgwj")
    services.category_upsert(code="tzgg", name="通知公告")


@pytest.fixture
def full_demo(demo):
    return load_disclosure(lambda _line: None)


def publication_input(**overrides: Any) -> services.PublicationInput:
    values: dict[str, Any] = {
        "department_id": department_id("scjg"),
        "category_code": "gfxwj",
        "kind": "policy",
        "title": "关于加强校园周边食品安全管理的通知",
        "body": "各区市场监管部门要加强校园周边食品经营者的日常检查，规范小餐饮经营行为。",
        "written_on": date(2026, 3, 2),
        "attribute": "active",
        "doc_number": "武市监规〔2026〕3号",
    }
    return services.PublicationInput(**(values | overrides))


def publish(**overrides: Any) -> Publication:
    """A publication registered and published by the scjg reviewer."""
    p = services.publication_create(actor=user("scjg"), data=publication_input(**overrides))
    return services.publication_publish(
        actor=user("scjg"), publication_id=p.pk, published_on=date(2026, 3, 5)
    )


def submit(applicant: str = "zhangsan", dept: str = "scjg") -> InfoRequest:
    data = services.RequestInput(
        department_id=department_id(dept),
        description="申请公开2026年本市食品安全抽检不合格产品的处理结果",
        form="electronic",
        phone="13800001234",
        email="zs@example.cn",
    )
    return services.request_submit(user=user(applicant), data=data)


def registered(received: date, applicant: str = "zhangsan") -> InfoRequest:
    r = submit(applicant)
    return services.request_register(actor=user("scjg"), request_id=r.pk, received_on=received)
