"""The demo's data sharing: the legacy systems of 武汉市 behind adapters, their resources in
the catalog, and 武汉市人社局's system as an exchange client with a grant.

Everything goes through the exchange services, as a data steward would do it in the admin:
adapters and field mappings are configuration, not code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tongban.accounts.selectors import user_by_username
from tongban.demo.legacy import build
from tongban.exchange import services as exchange
from tongban.exchange.selectors import granted_keys, resource_get
from tongban.exchange.services import ItemSpec
from tongban.org.selectors import department_by_code

Progress = Callable[[str], None]

CITY = "420100"
CLIENT_ID, CLIENT_SECRET = "demo-rsj-system", "demo-rsj-secret"
SEX = json.dumps({"0": "未知", "1": "男", "2": "女", "9": "未说明"}, ensure_ascii=False)
PERSON_STATUS = json.dumps({"0": "正常", "1": "注销"}, ensure_ascii=False)
ENTERPRISE_STATUS = json.dumps({"1": "存续", "2": "注销", "3": "吊销"}, ensure_ascii=False)


@dataclass(frozen=True)
class DemoResource:
    code: str
    name: str
    provider: str
    theme: str
    share_type: str
    summary: str
    adapter: str
    kind: str
    config: dict[str, object]
    # (key, label, source column, transforms, mask, sensitivity, filterable)
    items: tuple[tuple[str, str, str, tuple[str, ...], str, str, bool], ...]


def _resources(legacy: Path) -> list[DemoResource]:
    return [
        DemoResource(
            code="10100100001",
            name="人口基本信息",
            provider="gaj",
            theme="人口",
            share_type="conditional",
            summary="武汉市公安局户籍系统的人口基本信息：姓名、身份证号、性别、出生日期、户籍地址。",
            adapter="武汉市公安局户籍系统（只读）",
            kind="sql",
            config={
                "url": f"sqlite:///{legacy / 'gongan_hjxt.sqlite3'}",
                "table": "T_RK_JBXX",
                "timeout": 5,
            },
            items=(
                ("name", "姓名", "XM", ("trim",), "none", "internal", True),
                (
                    "id_number",
                    "公民身份号码",
                    "GMSFHM",
                    ("trim", "upper"),
                    "none",
                    "sensitive",
                    True,
                ),
                ("sex", "性别", "XB", (f"code:{SEX}",), "none", "internal", False),
                ("birth_date", "出生日期", "CSRQ", ("date:%Y%m%d",), "none", "internal", False),
                ("address", "户籍地址", "HJDZ", ("trim",), "none", "internal", False),
                ("phone", "联系电话", "LXDH", ("trim",), "phone", "sensitive", False),
                (
                    "status",
                    "户籍状态",
                    "ZXBZ",
                    (f"code:{PERSON_STATUS}",),
                    "none",
                    "internal",
                    False,
                ),
            ),
        ),
        DemoResource(
            code="20100100001",
            name="企业登记信息",
            provider="scjg",
            theme="法人",
            share_type="unconditional",
            summary="武汉市市场监督管理局企业登记系统：统一社会信用代码、名称、法定代表人、住所、状态。",
            adapter="武汉市市场监管企业登记系统（只读）",
            kind="sql",
            config={
                "url": f"sqlite:///{legacy / 'scjg_qydj.sqlite3'}",
                "table": "QY_JBXX",
                "timeout": 5,
            },
            items=(
                (
                    "credit_code",
                    "统一社会信用代码",
                    "TYSHXYDM",
                    ("trim", "upper"),
                    "none",
                    "public",
                    True,
                ),
                ("name", "企业名称", "QYMC", ("trim",), "none", "public", True),
                ("legal_representative", "法定代表人", "FDDBR", ("trim",), "none", "public", False),
                ("address", "住所", "ZS", ("trim",), "none", "public", False),
                ("founded_on", "成立日期", "CLRQ", ("date:%Y-%m-%d",), "none", "public", False),
                (
                    "status",
                    "登记状态",
                    "DJZT",
                    (f"code:{ENTERPRISE_STATUS}",),
                    "none",
                    "public",
                    False,
                ),
            ),
        ),
        DemoResource(
            code="30200100001",
            name="社会保险参保信息",
            provider="rsj",
            theme="社会保障",
            share_type="conditional",
            summary="武汉市人社局定期导出的参保人员信息（文件交换）。",
            adapter="武汉市人社局参保人员导出文件",
            kind="file",
            config={"path": str(legacy / "rsj_shebao_export.csv"), "format": "csv"},
            items=(
                ("name", "姓名", "姓名", ("strip_spaces",), "none", "internal", False),
                ("id_number", "身份证号", "身份证号", ("trim", "upper"), "none", "sensitive", True),
                ("insurance_status", "参保状态", "参保状态", ("trim",), "none", "internal", False),
                ("employer", "参保单位", "参保单位", ("trim",), "none", "internal", False),
                ("last_paid", "最近缴费月份", "最近缴费月份", ("trim",), "none", "internal", False),
            ),
        ),
    ]


def _department_id(code: str) -> int:
    department = department_by_code(division_code=CITY, code=code)
    if department is None:
        raise LookupError(f"demo department {CITY}/{code} is missing")
    return department.pk


def _register(resource: DemoResource) -> None:
    adapter = exchange.adapter_upsert(
        name=resource.adapter, kind=resource.kind, config=resource.config
    )
    for key, _label, source, transforms, _mask, _sensitivity, _filterable in resource.items:
        exchange.field_mapping_set(
            adapter_id=adapter.pk, item_key=key, source=source, transforms=list(transforms)
        )
    exchange.resource_upsert(
        code=resource.code,
        name=resource.name,
        provider_id=_department_id(resource.provider),
        format="table",
        share_type=resource.share_type,
        summary=resource.summary,
        theme=resource.theme,
        update_cycle="实时" if resource.kind == "sql" else "每日",
        adapter_id=adapter.pk,
    )
    exchange.data_items_set(
        resource_code=resource.code,
        items=[
            ItemSpec(
                key=key,
                label=label,
                mask=mask,
                sensitivity=sensitivity,
                filterable=filterable,
            )
            for key, label, _source, _t, mask, sensitivity, filterable in resource.items
        ],
    )


def _grant_population_to_rsj() -> None:
    """人社 asks 公安 for name, ID number and household address (not the phone); 公安's data
    steward approves: the grant the demo client works with."""
    rsj = _department_id("rsj")
    resource = resource_get("10100100001")
    if granted_keys(consumer_id=rsj, resource_id=resource.pk) is not None:
        return
    request = exchange.sharing_request_create(
        actor=user_by_username("rsj-shuju"),
        consumer_id=rsj,
        resource_code="10100100001",
        items=["name", "id_number", "address"],
        purpose="社会保险参保登记时核验参保人身份和户籍地址",
    )
    exchange.sharing_request_approve(
        actor=user_by_username("gaj-shuju"), request_id=request.pk, reason="用途明确，同意共享"
    )


def load_exchange(progress: Progress, *, var_dir: Path) -> int:
    """Build the legacy sources (idempotent), register them and the demo client."""
    legacy = var_dir / "legacy"
    build(legacy, progress)
    resources = _resources(legacy)
    for resource in resources:
        _register(resource)
    exchange.exchange_client_upsert(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name="武汉市人社局社保业务系统",
        department_id=_department_id("rsj"),
    )
    _grant_population_to_rsj()
    progress(f"  exchange: {len(resources)} resources, client {CLIENT_ID}")
    return len(resources)
