"""Demo licence types (证照类型) and the credit codes of the demo departments.

Type codes follow the national pattern: the defining authority's credit code and a 3-digit
number. The authorities' and departments' credit codes here are made up but valid
(GB 11714 organisation code check and GB 32100 check character).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stdnum.cn import uscc

from tongban.licences import services as licences

ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(body: str) -> str:
    """A GB 11714 organisation code: 8 characters and their check character."""
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def government_credit_code(area: str, number: int) -> str:
    """A credit code of a government body (registrar 1, type 1) in ``area``."""
    head = "11" + area + _org_code(f"MB{number:06d}")
    return head + uscc.calc_check_digit(head)


SAMR = government_credit_code("100000", 143028)  # 国家市场监督管理总局 (made up)
FIRE = government_credit_code("100000", 201907)  # 国家消防救援局 (made up)
MEE = government_credit_code("100000", 180012)  # 生态环境部 (made up)
MCA = government_credit_code("100000", 130011)  # 民政部 (made up)
MOHRSS = government_credit_code("100000", 130015)  # 人力资源和社会保障部 (made up)


def _f(key: str, label: str, source: str, required: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "source": source, "required": required}


LICENCE_TYPES: list[dict[str, Any]] = [
    {
        "code": SAMR + "001",
        "name": "营业执照",
        "holder_kind": "legal",
        "validity_years": None,
        "item_codes": ["0101001000"],
        "fields": [
            _f("entity_name", "名称", "form:entity_name"),
            _f("entity_type", "类型", "const:有限责任公司（自然人投资或控股）"),
            _f("legal_representative", "法定代表人", "form:legal_representative"),
            _f("registered_capital", "注册资本（万元）", "form:registered_capital"),
            _f("business_scope", "经营范围", "form:business_scope"),
            _f("address", "住所", "form:address"),
        ],
    },
    {
        "code": SAMR + "002",
        "name": "食品经营许可证",
        "holder_kind": "legal",
        "validity_years": 5,
        "item_codes": ["0101002000"],
        "fields": [
            _f("entity_name", "经营者名称", "form:entity_name"),
            _f("legal_representative", "法定代表人（负责人）", "form:legal_representative"),
            _f("address", "经营场所", "form:address"),
            _f("business_items", "经营项目", "form:business_items|const:热食类食品制售"),
            _f("business_area", "经营场所面积（平方米）", "form:business_area", required=False),
        ],
    },
    {
        "code": FIRE + "001",
        "name": "消防安全检查合格证",
        "holder_kind": "legal",
        "validity_years": None,
        "item_codes": ["0112001000"],
        "fields": [
            _f("entity_name", "单位名称", "form:entity_name"),
            _f("address", "场所地址", "form:address"),
            _f("floor_area", "建筑面积（平方米）", "form:floor_area|form:business_area"),
            _f("seats", "座位数", "form:seats", required=False),
            _f("usage", "场所用途", "const:公众聚集场所（餐饮）"),
        ],
    },
    {
        "code": MEE + "001",
        "name": "排污登记回执",
        "holder_kind": "legal",
        "validity_years": 5,
        "item_codes": ["0718001000"],
        "fields": [
            _f("entity_name", "单位名称", "form:entity_name"),
            _f("address", "生产经营场所地址", "form:address"),
            _f("pollutants", "主要污染物", "form:pollutants"),
            _f("treatment", "污染治理设施", "form:treatment", required=False),
        ],
    },
    {
        "code": MCA + "001",
        "name": "结婚证",
        "holder_kind": "person",
        "validity_years": None,
        "item_codes": ["0713001000"],
        "fields": [
            _f("name", "持证人", "applicant:name"),
            _f("partner_name", "另一方姓名", "form:partner_name"),
            _f("registration", "登记事项", "const:内地居民结婚登记"),
        ],
    },
    {
        "code": MOHRSS + "001",
        "name": "社会保障卡",
        "holder_kind": "person",
        "validity_years": 10,
        "item_codes": ["2006001000"],
        "fields": [
            _f("name", "姓名", "applicant:name"),
            _f("card_kind", "卡类型", "const:第三代社会保障卡"),
            _f("bank", "合作银行", "form:bank"),
        ],
    },
]


def load_licence_types(progress: Callable[[str], None]) -> int:
    for spec in LICENCE_TYPES:
        licences.licence_type_upsert(**spec)
    progress(f"  licence types: {len(LICENCE_TYPES)}")
    return len(LICENCE_TYPES)


def load_sample_licences(progress: Callable[[str], None]) -> int:
    """A social security card in 张三's wallet, so the wallet shows something before any
    case completes (the flagship case's four licences come from its approval)."""
    from tongban.demo import data
    from tongban.licences.selectors import licence_types
    from tongban.org.selectors import department_by_code

    _username, name, id_number, _phone = data.CITIZENS[0]
    card = next(t for t in licence_types() if t.name == "社会保障卡")
    if card.licences.exists():
        return 0
    department = department_by_code(division_code="420100", code="rsj")
    assert department is not None
    licences.licence_issue(
        licence_type=card,
        issuer_id=department.pk,
        holder_kind="person",
        holder_code=id_number,
        holder_name=name,
        data={"name": name, "card_kind": "第三代社会保障卡", "bank": "中国工商银行"},
    )
    progress("  sample licences: 1")
    return 1
