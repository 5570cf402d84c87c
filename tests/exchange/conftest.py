"""Fixtures of the exchange tests: two departments with data stewards, a legacy-style
population database, an adapter mapping it, and gateway clients with their tokens."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tongban.accounts.services import api_token_issue, staff_create, staff_role_grant
from tongban.exchange import adapters, services
from tongban.exchange.services import ItemSpec
from tongban.org.services import department_upsert, division_upsert

PASSWORD = "Tongban-Test-2026!"
SECRET = "consumer-secret-0123456789"

PEOPLE = [
    # XM (padded, legacy style), GMSFHM, XB, CSRQ, HJDZ, LXDH
    (
        "  张三 ",
        "420102199003071232",
        "1",
        "19900307",
        "湖北省武汉市江岸区中山大道1号",
        "13800001234",
    ),
    ("李四", "420902200005124560", "2", "20000512", "湖北省孝感市孝南区书院街2号", "13900005678"),
    (
        "王五\u3000",
        "420106198512120011",
        "1",
        "19851212",
        "湖北省武汉市武昌区中北路3号",
        "13700009999",
    ),
]

ITEMS = [
    ItemSpec("name", "姓名", mask="name", sensitivity="sensitive"),
    ItemSpec(
        "id_number", "公民身份号码", mask="id_number", sensitivity="sensitive", filterable=True
    ),
    ItemSpec("gender", "性别", sensitivity="internal"),
    ItemSpec("birth_date", "出生日期", data_type="date"),
    ItemSpec("address", "户籍地址", mask="address"),
    ItemSpec("phone", "联系电话", mask="phone", sensitivity="sensitive"),
]

MAPPINGS = [
    ("name", "XM", ["trim", "strip_spaces"]),
    ("id_number", "GMSFHM", ["trim", "upper"]),
    ("gender", "XB", ['code:{"1": "男", "2": "女"}']),
    ("birth_date", "CSRQ", ["date:%Y%m%d"]),
    ("address", "HJDZ", ["trim"]),
    ("phone", "LXDH", ["trim"]),
]


@dataclass
class World:
    provider: Any  # 公安厅
    consumer: Any  # 人社厅
    other: Any  # 民政厅
    provider_steward: Any
    consumer_steward: Any
    other_steward: Any
    reviewer: Any


def make_staff(username: str, name: str, department: Any, role: str) -> Any:
    user = staff_create(username=username, password=PASSWORD, display_name=name)
    staff_role_grant(user=user, department_id=department.pk, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    division_upsert(code="420000", name="湖北省", parent_code=None)
    provider = department_upsert(division_code="420000", code="gat", name="公安厅")
    consumer = department_upsert(division_code="420000", code="rst", name="人力资源和社会保障厅")
    other = department_upsert(division_code="420000", code="mzt", name="民政厅")
    return World(
        provider=provider,
        consumer=consumer,
        other=other,
        provider_steward=make_staff("gat-data", "公安数据", provider, "data_steward"),
        consumer_steward=make_staff("rst-data", "人社数据", consumer, "data_steward"),
        other_steward=make_staff("mzt-data", "民政数据", other, "data_steward"),
        reviewer=make_staff("rst-review", "人社审批", consumer, "reviewer"),
    )


def bearer(user: Any) -> dict[str, str]:
    token, _expires = api_token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def make_legacy_db(path: Path, rows: list[tuple[str, ...]] = PEOPLE) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE T_RK_JBXX (XM TEXT, GMSFHM TEXT, XB TEXT, CSRQ TEXT, HJDZ TEXT, LXDH TEXT)"
    )
    conn.executemany("INSERT INTO T_RK_JBXX VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def legacy_db(tmp_path) -> Path:
    return make_legacy_db(tmp_path / "legacy-rk.sqlite3")


@pytest.fixture(autouse=True)
def _fresh_pools():
    yield
    adapters.engines_dispose()


def add_mappings(adapter: Any) -> None:
    for key, source, transforms in MAPPINGS:
        services.field_mapping_set(
            adapter_id=adapter.pk, item_key=key, source=source, transforms=transforms
        )


def make_resource(
    world: World,
    *,
    code: str = "1010010001",
    share_type: str = "conditional",
    adapter: Any = None,
    name: str = "人口基本信息",
) -> Any:
    resource = services.resource_upsert(
        code=code,
        name=name,
        provider_id=world.provider.pk,
        format="table",
        share_type=share_type,
        summary="全省户籍人口的基本信息，含姓名、公民身份号码、性别、出生日期和户籍地址。",
        classification="基础信息资源/人口",
        theme="人口",
        update_cycle="实时",
        adapter_id=adapter.pk if adapter else None,
    )
    services.data_items_set(resource_code=code, items=ITEMS)
    return resource


@pytest.fixture
def population(world, legacy_db):
    """A conditional resource 人口基本信息 read from the legacy SQLite database."""
    adapter = services.adapter_upsert(
        name="公安人口库",
        kind="sql",
        config={"url": f"sqlite:///{legacy_db}", "table": "T_RK_JBXX", "timeout": 3},
    )
    add_mappings(adapter)
    return make_resource(world, adapter=adapter)


def client_token(client_id: str, secret: str = SECRET) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    return str(body["access_token"])


@pytest.fixture
def consumer_client(world):
    services.exchange_client_upsert(
        client_id="rst-shebao",
        client_secret=SECRET,
        name="社保业务系统",
        department_id=world.consumer.pk,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {client_token('rst-shebao')}"}


def grant(world: World, resource_code: str, items: list[str]) -> Any:
    request = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code=resource_code,
        items=items,
        purpose="社会保险参保登记核验身份",
    )
    if request.status == "pending":
        request = services.sharing_request_approve(
            actor=world.provider_steward, request_id=request.pk
        )
    return request


def query(headers: dict[str, str], code: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/exchange/v1/{code}/query", body, content_type="application/json", **headers
    )


ASK_FIELDS = ["name", "gender", "birth_date"]
