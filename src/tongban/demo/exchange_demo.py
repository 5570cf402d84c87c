"""The demo's data sharing: the legacy systems of 武汉市 behind adapters, their resources in
the catalog, 武汉市人社局's system as an exchange client with a grant, and the base
registries' sync service as an exchange client of 武汉市政务服务和大数据管理局 with grants on
the three resources and one ``RegistrySource`` per source it reads.

Everything goes through the exchange and registries services, as a data steward would do
it in the admin: adapters, field mappings and registry sources are configuration, not code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from tongban.accounts.selectors import staff_with_role, user_by_username
from tongban.demo.legacy import build
from tongban.exchange import services as exchange
from tongban.exchange.selectors import granted_keys, resource_get
from tongban.exchange.services import ItemSpec
from tongban.org.selectors import Role, department_by_code, department_get
from tongban.registries import services as registries
from tongban.registries.readers import item_keys

Progress = Callable[[str], None]

CITY = "420100"
CLIENT_ID, CLIENT_SECRET = "demo-rsj-system", "demo-rsj-secret"
# The base registries' sync service (a demo secret: fixed so that the demo is reproducible).
REGISTRIES_CLIENT_ID = "tongban-registries"
REGISTRIES_CLIENT_SECRET = "demo-Rg7vQ2kX9mLp4TzW8nHc3JdB6yFs5aEu"  # noqa: S105
POPULATION, ENTERPRISES, INSURED = "10100100001", "20100100001", "30200100001"
PAYING = {"正常参保": "active", "领取待遇": "active"}
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
                "order_by": "RYBH",
                "timeout": 5,
            },
            items=(
                ("person_no", "人员编号", "RYBH", ("trim",), "none", "internal", False),
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
                (
                    "division",
                    "户籍地址区划代码",
                    "HJDZ_QHDM",
                    ("trim",),
                    "none",
                    "internal",
                    False,
                ),
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
                "order_by": "NBXH",
                "timeout": 5,
            },
            items=(
                ("nbxh", "内部序号", "NBXH", ("trim",), "none", "internal", False),
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
                (
                    "legal_rep_id_number",
                    "法定代表人证件号码",
                    "FDDBR_ZJHM",
                    ("trim", "upper"),
                    "none",
                    "sensitive",
                    False,
                ),
                ("address", "住所", "ZS", ("trim",), "none", "public", False),
                ("division", "住所区划代码", "ZS_QHDM", ("trim",), "none", "public", False),
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
                ("person_no", "个人编号", "个人编号", ("trim",), "none", "internal", False),
                ("name", "姓名", "姓名", ("strip_spaces",), "none", "internal", False),
                ("sex", "性别", "性别", ("trim",), "none", "internal", False),
                ("id_number", "身份证号", "身份证号", ("trim", "upper"), "none", "sensitive", True),
                ("address", "联系地址", "联系地址", ("trim",), "none", "internal", False),
                ("insurance_status", "参保状态", "参保状态", ("trim",), "none", "internal", False),
                ("employer", "参保单位", "参保单位", ("trim",), "none", "internal", False),
                (
                    "employer_credit_code",
                    "单位统一社会信用代码",
                    "单位统一社会信用代码",
                    ("trim", "upper"),
                    "none",
                    "internal",
                    False,
                ),
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


# (source, kind, label, resource, {registry attribute: item key or value map}, derive)
REGISTRY_SOURCES: tuple[tuple[str, str, str, str, dict[str, object], str], ...] = (
    (
        "gongan",
        "person",
        "武汉市公安局户籍系统",
        POPULATION,
        {
            "source_id": "person_no",
            "name": "name",
            "id_number": "id_number",
            "sex": "sex",
            "birth_date": "birth_date",
            "address": "address",
            "division_code": "division",
            "status": "status",
        },
        "",
    ),
    (
        "scjg",
        "legal",
        "武汉市市场监管企业登记系统",
        ENTERPRISES,
        {
            "source_id": "nbxh",
            "credit_code": "credit_code",
            "name": "name",
            "legal_rep_name": "legal_representative",
            "legal_rep_id_number": "legal_rep_id_number",
            "address": "address",
            "division_code": "division",
            "status": "status",
        },
        "",
    ),
    (
        "rsj",
        "person",
        "武汉市人社局参保人员信息",
        INSURED,
        {
            "source_id": "person_no",
            "name": "name",
            "sex": "sex",
            "id_number": "id_number",
            "address": "address",
            # Paying or drawing a pension says the person is there; other states say nothing.
            "status": {"item": "insurance_status", "values": PAYING, "default": ""},
            "employer_credit_code": "employer_credit_code",
        },
        "",
    ),
    (
        "rsj",
        "legal",
        "武汉市人社局参保单位（由参保人员推出）",
        INSURED,
        {
            "employer_credit_code": "employer_credit_code",
            "employer_name": "employer",
            "status": {"item": "insurance_status", "values": PAYING, "default": ""},
        },
        "employers",
    ),
)
# Which provider steward approves the registries' request on each resource (None: the
# resource is shared unconditionally and the request is granted at once).
REGISTRY_APPROVERS = {POPULATION: "gaj-shuju", ENTERPRISES: None, INSURED: "rsj-shuju"}


def _registry_items(resource_code: str) -> list[str]:
    keys: list[str] = []
    for _source, _kind, _label, code, attributes, _derive in REGISTRY_SOURCES:
        if code == resource_code:
            keys += item_keys(attributes)
    return list(dict.fromkeys(keys))


def _grant_registries() -> None:
    """武汉市大数据局's data steward asks for the items the base registries read; the
    providers' stewards approve (市场监管's resource is unconditional)."""
    zsj = _department_id("zsj")
    steward = user_by_username("shuju")
    for code, approver in REGISTRY_APPROVERS.items():
        wanted = _registry_items(code)
        granted = granted_keys(consumer_id=zsj, resource_id=resource_get(code).pk)
        if granted is not None and set(wanted) <= set(granted):
            continue
        request = exchange.sharing_request_create(
            actor=steward,
            consumer_id=zsj,
            resource_code=code,
            items=wanted,
            purpose="人口库、法人库（基础库）数据同步与比对核查",
        )
        if approver is not None:
            exchange.sharing_request_approve(
                actor=user_by_username(approver),
                request_id=request.pk,
                reason="用于基础库建设，同意共享",
            )


def _load_registries() -> int:
    exchange.exchange_client_upsert(
        client_id=REGISTRIES_CLIENT_ID,
        client_secret=REGISTRIES_CLIENT_SECRET,
        name="通办基础库同步服务",
        department_id=_department_id("zsj"),
    )
    _grant_registries()
    for source, kind, label, code, attributes, derive in REGISTRY_SOURCES:
        registries.registry_source_upsert(
            source=source,
            kind=kind,
            label=label,
            resource_code=code,
            client_id=REGISTRIES_CLIENT_ID,
            attribute_map=dict(attributes),
            derive=derive,
        )
    return len(REGISTRY_SOURCES)


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
    sources = _load_registries()
    progress(f"  registries: client {REGISTRIES_CLIENT_ID}, {sources} registry sources")
    return len(resources)


# ------------------------------------------------------------------------- licence library

LICENCE_ADAPTER = "电子证照库（平台内数据源）"
# Masks stay off: the licence source itself returns a licence only to its issuer or to a
# department the holder authorised (consent), and a mask would break what is served — a
# masked holder name no longer matches the signed document, a masked JSON text is no
# longer JSON, and the signature could not be verified. Sensitivity is still recorded.
LICENCE_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("identifier", "证照标识", sensitivity="internal", filterable=True),
    ItemSpec("type_code", "证照类型代码", sensitivity="public", filterable=True),
    ItemSpec("type_name", "证照类型", sensitivity="public"),
    ItemSpec("number", "证照编号", sensitivity="internal"),
    ItemSpec("issuer", "颁发机构", sensitivity="public"),
    ItemSpec(
        "holder_code",
        "持证主体代码",
        description="统一社会信用代码或公民身份号码；查询必填，原样返回查询条件。",
        sensitivity="sensitive",
        filterable=True,
    ),
    ItemSpec("holder_name", "持证主体", sensitivity="sensitive"),
    ItemSpec("valid_until", "有效期至", data_type="date", sensitivity="internal"),
    ItemSpec(
        "status",
        "证照状态",
        description="valid 有效、expired 已过期、suspended 已暂停、revoked 已吊销或作废",
        sensitivity="internal",
    ),
    ItemSpec(
        "data",
        "证照数据项",
        description="JSON 文本：{数据项标识: 值}；仅完整授权时提供。",
        sensitivity="sensitive",
    ),
    ItemSpec(
        "signed_licence",
        "签名证照",
        description="JSON 文本：颁发部门签名的证照文档，可用公布的公钥验证；仅完整授权时提供。",
        sensitivity="internal",
    ),
)


def load_licence_resource(platform_department_id: int) -> None:
    """The licence library as a catalogued resource (idempotent): a ``platform`` adapter
    on the ``licences`` source, the resource 电子证照库 of 武汉市政务服务和大数据管理局,
    shared unconditionally, and a grant of all its items to the platform's department
    (none is needed, nor possible, when that department is the provider itself)."""
    adapter = exchange.adapter_upsert(
        name=LICENCE_ADAPTER, kind="platform", config={"source": "licences", "timeout": 5}
    )
    code = str(settings.TONGBAN_LICENCE_RESOURCE)
    provider = _department_id("zsj")
    exchange.resource_upsert(
        code=code,
        name="电子证照库",
        provider_id=provider,
        format="api",
        share_type="unconditional",
        summary=(
            "全省电子证照库：各部门颁发并签章的电子证照。使用部门只能获取本部门颁发的证照，"
            "或持证人授权本部门使用的证照；签名证照可用颁发部门公布的公钥验证。"
        ),
        classification="电子证照",
        theme="电子证照",
        update_cycle="实时",
        adapter_id=adapter.pk,
    )
    exchange.data_items_set(resource_code=code, items=list(LICENCE_ITEMS))
    if platform_department_id == provider:
        return
    resource = resource_get(code)
    keys = [spec.key for spec in LICENCE_ITEMS]
    granted = granted_keys(consumer_id=platform_department_id, resource_id=resource.pk)
    if granted is not None and set(keys) <= granted:
        return
    department = department_get(platform_department_id)
    stewards = staff_with_role(
        division_code=department.division_id,
        department_code=department.code,
        role=Role.DATA_STEWARD,
    )
    if not stewards:
        raise LookupError(f"department {platform_department_id} has no data steward")
    exchange.sharing_request_create(
        actor=get_user_model().objects.get(pk=stewards[0]),
        consumer_id=platform_department_id,
        resource_code=code,
        items=keys,
        purpose="办件申请材料自动获取（持证人授权的电子证照）",
    )
