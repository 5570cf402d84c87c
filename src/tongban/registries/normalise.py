"""Normalisation of source rows into the registries' attribute vocabulary.

Sources spell the same thing differently: 張三, 张 三 and "张三 " are one name; 注销, 已注销
and cancelled are one status. Every row becomes a dict of canonical attribute names with
cleaned values before it is stored, and comparison keys (``comparable``) fold the
remaining harmless differences (spaces, traditional characters, full-width digits).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from stdnum.cn import ric, uscc

from tongban.core.identifiers import USCC_ALPHABET, USCC_REGISTRARS
from tongban.registries.hanzi import to_simplified

PERSON = "person"
LEGAL = "legal"

# Canonical attributes per kind; any other key of a source row is dropped.
ATTRIBUTES = {
    PERSON: (
        "id_number",
        "name",
        "sex",
        "birth_date",
        "address",
        "phone",
        "status",
        "division_code",
        "employer_credit_code",
    ),
    LEGAL: (
        "credit_code",
        "name",
        "address",
        "status",
        "legal_rep_name",
        "legal_rep_id_number",
        "division_code",
    ),
}
# Attributes held encrypted at rest wherever they are stored on their own.
PERSONAL = frozenset({"id_number", "phone", "address", "legal_rep_id_number", "birth_date"})
# Attributes whose disagreement between sources is a conflict for a steward.
CONFLICT_ATTRIBUTES = {
    PERSON: ("name", "address", "status"),
    LEGAL: ("name", "address", "status", "legal_rep_name"),
}
# Attributes masked in API answers and pages.
MASKED = frozenset({"id_number", "phone", "legal_rep_id_number"})

# Source-side words for a status, folded to stable codes.
STATUS_WORDS = {
    PERSON: {
        "active": (
            "active",
            "normal",
            "正常",
            "在册",
            "有效",
            "insured",
            "参保",
            "参保缴费",
            "正常参保",
            "在职",
        ),
        "cancelled": ("cancelled", "canceled", "注销", "已注销", "死亡", "迁出", "户口注销"),
        "suspended": ("suspended", "暂停", "暂停缴费", "中断", "停保", "终止"),
    },
    LEGAL: {
        "active": ("active", "存续", "在业", "开业", "正常", "paying", "缴费", "正常缴费", "参保"),
        "deregistered": ("deregistered", "注销", "已注销", "cancelled", "canceled"),
        "revoked": ("revoked", "吊销", "已吊销", "吊销未注销"),
        "suspended": ("suspended", "暂停缴费", "停保", "中断"),
    },
}
STATUS_LABELS = {
    "active": "正常",
    "cancelled": "已注销",
    "deregistered": "已注销",
    "revoked": "已吊销",
    "suspended": "暂停",
}
SEX_WORDS = {"M": ("m", "male", "1", "男"), "F": ("f", "female", "2", "女")}

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), simplified characters, no whitespace."""
    return _SPACES.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


def clean_text(value: Any) -> str:
    """A display value: NFKC, trimmed, inner runs of spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def clean_identifier(value: Any) -> str:
    """Upper case, no spaces or separators: 42010219900307123x -> 42010219900307123X."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def resident_id_valid(number: str) -> bool:
    """Length, digits and check digit of a GB 11643 number (the area table is not asked:
    see core.identifiers for why it rejects real people)."""
    if len(number) != 18 or not number[:-1].isdigit():
        return False
    if not (number[-1].isdigit() or number[-1] == "X"):
        return False
    if number[-1] != ric.calc_check_digit(number):
        return False
    try:
        ric.get_birth_date(number)
    except Exception:
        return False
    return True


def credit_code_valid(code: str) -> bool:
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    if code[0] not in USCC_REGISTRARS or not code[2:8].isdigit():
        return False
    return code[-1] == uscc.calc_check_digit(code)


def identifier_valid(kind: str, value: str) -> bool:
    return resident_id_valid(value) if kind == PERSON else credit_code_valid(value)


def _status(kind: str, value: Any) -> str:
    word = fold(str(value)).lower()
    for code, words in STATUS_WORDS[kind].items():
        if word in words:
            return code
    return word


def _sex(value: Any) -> str:
    word = fold(str(value)).lower()
    for code, words in SEX_WORDS.items():
        if word in words:
            return code
    return ""


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 8:
        try:
            return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        except ValueError:
            return ""
    return ""


def normalise(kind: str, row: dict[str, Any]) -> dict[str, str]:
    """The canonical attributes of one source row; empty values are dropped.

    A person's birth date, sex and division are taken from a valid ID number when the
    source does not carry them; a legal person's division from its credit code.
    """
    out: dict[str, str] = {}
    for key in ATTRIBUTES[kind]:
        raw = row.get(key)
        if raw is None or str(raw).strip() == "":
            continue
        if key in {"id_number", "credit_code", "legal_rep_id_number", "employer_credit_code"}:
            value = clean_identifier(raw)
        elif key == "status":
            value = _status(kind, raw)
        elif key == "sex":
            value = _sex(raw)
        elif key == "birth_date":
            value = _date(raw)
        elif key == "phone":
            value = re.sub(r"\D", "", str(raw))
        else:
            value = clean_text(raw)
        if value:
            out[key] = value
    number = out.get("id_number" if kind == PERSON else "credit_code", "")
    if kind == PERSON and resident_id_valid(number):
        out.setdefault("birth_date", ric.get_birth_date(number).isoformat())
        out.setdefault("sex", "M" if int(number[16]) % 2 else "F")
        out.setdefault("division_code", number[:6])
    if kind == LEGAL and credit_code_valid(number):
        out.setdefault("division_code", number[2:8])
    return out


PROVINCES = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


def fold_address(value: str) -> str:
    """An address without the province in front: many systems leave 湖北省 out."""
    text = fold(value)
    for province in PROVINCES:
        if text.startswith(province) and province not in _MUNICIPALITIES:
            return text[len(province) :]
    return text


def comparable(attribute: str, value: str) -> str:
    """The form two values are compared in: equal here means "the same" to a steward."""
    if attribute == "address":
        return fold_address(value)
    if attribute in {"name", "legal_rep_name"}:
        return fold(value)
    return value
