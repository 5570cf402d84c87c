"""Identifier validation: resident ID (GB 11643), credit code (GB 32100), division (GB/T 2260).

python-stdnum supplies the check digits and the division table; its validators are wrapped
because they reject real people and organisations: ``cn.ric.validate`` fails a person whose
county code was created after their birth, and ``cn.uscc`` fails codes registered by the
army, agriculture or "other" departments (first character A, N or Y). Messages are in
Chinese and name the part that is wrong, because citizens read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

from tongban.core.errors import ValidationFailed


@dataclass(frozen=True)
class AreaPeriod:
    """One name an area code carried, with the years it was in use (None = open)."""

    name: str
    start: int | None
    end: int | None


@lru_cache(maxsize=4096)
def area_periods(code: str) -> tuple[AreaPeriod, ...]:
    """Every name the GB/T 2260 table has recorded for a six-digit code."""
    props: dict[str, str] = {}
    for _part, values in numdb.get("cn/loc").info(code):
        props.update(values)
    if "county" not in props:
        return ()
    periods = []
    for entry in props["county"].split(","):
        if not entry.startswith("["):
            periods.append(AreaPeriod(entry, None, None))
            continue
        span, name = entry[1:].split("]", 1)
        start, end = span.split("-")
        periods.append(AreaPeriod(name, int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def division_name(code: str) -> str | None:
    """The current name of a division code, or None if the code is not in use today."""
    for period in area_periods(code):
        if period.end is None:
            return period.name
    return None


def validate_division_code(code: str, *, field_name: str = "code") -> str:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationFailed(_("行政区划代码应为6位数字"), field=field_name)
    if division_name(code) is None:
        raise ValidationFailed(
            _("行政区划代码 %(code)s 不是现行的 GB/T 2260 代码") % {"code": code}, field=field_name
        )
    return code


@dataclass(frozen=True)
class ResidentId:
    """A checked resident identity number with what it tells about its holder."""

    number: str
    birth_date: datetime.date
    area_code: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def masked(self) -> str:
        return mask_resident_id(self.number)


def mask_resident_id(number: str) -> str:
    """Show the first four and last four characters only: 4201**********1232."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "****"


def parse_resident_id(value: str, *, field_name: str = "id_number") -> ResidentId:
    """Validate a GB 11643 number: length, digits, check digit, real birth date, known area.

    An area code that exists but was created after the birth date is accepted with a
    warning: people keep the number they were given when their county was renamed.
    """
    number = ric.compact(value or "")
    if len(number) != 18:
        raise ValidationFailed(_("身份证号码应为18位"), field=field_name)
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise ValidationFailed(_("身份证号码只能包含数字，最后一位可以是X"), field=field_name)
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationFailed(_("身份证号码校验位错误，请核对后重新输入"), field=field_name)
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent:
        raise ValidationFailed(_("身份证号码中的出生日期不存在"), field=field_name) from None
    if birth > datetime.date.today() or birth.year < 1890:
        raise ValidationFailed(_("身份证号码中的出生日期不合理"), field=field_name)
    periods = area_periods(number[:6])
    if not periods:
        raise ValidationFailed(_("身份证号码中的地区代码不存在"), field=field_name)
    warnings: list[str] = []
    if not any(_period_covers(p, birth.year) for p in periods):
        warnings.append(_("身份证号码中的地区代码晚于出生年份设立，请确认号码无误"))
    return ResidentId(number, birth, number[:6], tuple(warnings))


def _period_covers(period: AreaPeriod, year: int) -> bool:
    return (period.start is None or year >= period.start) and (
        period.end is None or year <= period.end
    )


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_REGISTRARS = set("123456789ANY")


def validate_credit_code(value: str, *, field_name: str = "credit_code") -> str:
    """Validate a GB 32100 unified social credit code, including A/N/Y registrars."""
    code = uscc.compact(value or "")
    if len(code) != 18:
        raise ValidationFailed(_("统一社会信用代码应为18位"), field=field_name)
    if any(ch not in USCC_ALPHABET for ch in code):
        raise ValidationFailed(
            _("统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）"), field=field_name
        )
    if code[0] not in USCC_REGISTRARS:
        raise ValidationFailed(_("统一社会信用代码第1位登记管理部门代码无效"), field=field_name)
    if not code[2:8].isdigit():
        raise ValidationFailed(_("统一社会信用代码第3至8位应为行政区划代码"), field=field_name)
    if code[-1] != uscc.calc_check_digit(code):
        raise ValidationFailed(_("统一社会信用代码校验位错误，请核对后重新输入"), field=field_name)
    return code


def validate_mobile(value: str, *, field_name: str = "phone") -> str:
    number = (value or "").replace(" ", "").replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if len(number) != 11 or not number.isdigit() or number[0] != "1" or number[1] not in "3456789":
        raise ValidationFailed(_("请输入11位中国大陆手机号码"), field=field_name)
    return number


def mask_phone(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "****"
