"""Open data test helpers: catalog resources read from CSV files through a FILE adapter,
made with the exchange services as a data steward would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tongban.accounts.selectors import user_by_username
from tongban.exchange import services as exchange
from tongban.exchange.services import ItemSpec
from tongban.opendata import services
from tongban.org.selectors import department_by_code

DISTRICTS = ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区"]
STOP_ITEMS = [
    ItemSpec("stop", "站点名称", sensitivity="public"),
    ItemSpec("district", "所在区", sensitivity="public"),
    ItemSpec("lines", "线路数", data_type="integer", sensitivity="public"),
]


def user(username: str) -> Any:
    found = user_by_username(username)
    assert found is not None
    return found


def department_id(code: str) -> int:
    department = department_by_code(division_code="420100", code=code)
    assert department is not None
    return department.pk


def stop_rows(n: int) -> list[dict[str, Any]]:
    return [
        {"站点名称": f"公交站{i:03d}", "所在区": DISTRICTS[i % 5], "线路数": str(i % 7 + 1)}
        for i in range(1, n + 1)
    ]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def make_resource(
    tmp_path: Path,
    *,
    code: str,
    department: str = "zsj",
    open_type: str = "unconditional",
    items: list[ItemSpec] | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> str:
    """A catalog resource of the department read from a CSV file; returns its code."""
    items = items if items is not None else STOP_ITEMS
    rows = rows if rows is not None else stop_rows(120)
    path = tmp_path / f"{code}.csv"
    write_csv(path, rows)
    adapter = exchange.adapter_upsert(
        name=f"文件 {code}", kind="file", config={"path": str(path), "format": "csv"}
    )
    for item in items:
        exchange.field_mapping_set(adapter_id=adapter.pk, item_key=item.key, source=item.label)
    exchange.resource_upsert(
        code=code,
        name=f"资源 {code}",
        provider_id=department_id(department),
        format="file",
        share_type="unconditional",
        open_type=open_type,
        adapter_id=adapter.pk,
    )
    exchange.data_items_set(resource_code=code, items=items)
    return code


def publish(code: str, *, actor: str = "shuju", **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "resource_code": code,
        "name": f"stops-{code}",
        "title": "武汉市公交站点",
        "notes": "全市公交站点名称、所在区和经过线路数。",
        "groups": [],
        "tags": ["公交", "出行"],
        "license_id": "CC-BY-4.0",
        "frequency": "MONTHLY",
        "contact_name": "吴数据",
        "contact_email": "opendata@wuhan.example.gov.cn",
    }
    arguments.update(overrides)
    return services.dataset_publish(actor=user(actor), **arguments)
