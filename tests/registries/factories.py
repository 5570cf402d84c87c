"""Small in-test registry sources: valid identifiers made with their check digits."""

from __future__ import annotations

from typing import Any

from stdnum.cn import ric, uscc


def resident_id(area: str, birth: str, seq: str) -> str:
    body = f"{area}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def mistype(number: str, position: int = 10) -> str:
    """One wrong digit: the check digit no longer fits."""
    digit = str((int(number[position]) + 1) % 10)
    wrong = number[:position] + digit + number[position + 1 :]
    assert ric.calc_check_digit(wrong) != wrong[-1]
    return wrong


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


ZHANG = resident_id("420102", "19900307", "123")
LI = resident_id("420106", "19851112", "246")
WANG = resident_id("420902", "19780101", "357")  # 孝感市孝南区
ZHAO = resident_id("420102", "19920506", "468")
CHUWEI = credit_code("91420100MA4KXL7P0")


def gongan_rows() -> list[dict[str, Any]]:
    return [
        {
            "source_id": "G1",
            "id_number": ZHANG,
            "name": "张三",
            "address": "武汉市江岸区解放大道100号",
            "phone": "13800001234",
            "status": "正常",
        },
        {
            "source_id": "G2",
            "id_number": LI,
            "name": "李四",
            "address": "武汉市武昌区中南路8号",
            "status": "正常",
        },
        {
            "source_id": "G3",
            "id_number": WANG,
            "name": "王五",
            "address": "孝感市孝南区槐荫大道1号",
            "status": "正常",
        },
        {
            "source_id": "G4",
            "id_number": ZHAO,
            "name": "赵六",
            "address": "武汉市江岸区沿江大道5号",
            "status": "注销",
        },
    ]


def rsj_rows() -> list[dict[str, Any]]:
    return [
        # Traditional characters, the same address: linked exactly, no conflict.
        {
            "source_id": "R1",
            "id_number": ZHANG,
            "name": "張三",
            "address": "武汉市江岸区解放大道100号",
            "status": "参保缴费",
        },
        # Different address: a conflict.
        {
            "source_id": "R2",
            "id_number": LI.lower(),
            "name": "李四 ",
            "address": "武汉市洪山区珞喻路1037号",
            "status": "参保缴费",
        },
        # A mistyped ID number (one digit): linked by probability.
        {
            "source_id": "R3",
            "id_number": mistype(WANG),
            "name": "王 五",
            "sex": "男",
            "birth_date": "1978-01-01",
            "address": "孝感市孝南区槐荫大道1号",
            "status": "参保缴费",
        },
        # Cancelled in the household register, still insured: a status conflict.
        {
            "source_id": "R4",
            "id_number": ZHAO,
            "name": "赵六",
            "address": "武汉市江岸区沿江大道5号",
            "status": "参保缴费",
        },
    ]


def scjg_rows() -> list[dict[str, Any]]:
    return [
        {
            "source_id": "S1",
            "credit_code": CHUWEI,
            "name": "湖北楚味餐饮有限公司",
            "address": "武汉市江汉区建设大道1号",
            "status": "存续",
            "legal_rep_name": "张三",
            "legal_rep_id_number": ZHANG,
        },
    ]
