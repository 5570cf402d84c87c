import datetime

import pytest
from stdnum.cn import ric

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import (
    division_name,
    mask_resident_id,
    parse_resident_id,
    validate_credit_code,
    validate_division_code,
    validate_mobile,
)


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_valid_resident_id_gives_birth_date_and_area():
    resident = parse_resident_id("420102199003071232")
    assert resident.birth_date == datetime.date(1990, 3, 7)
    assert resident.area_code == "420102"
    assert resident.warnings == ()
    assert resident.masked == "4201**********1232"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("420102199003071231", "身份证号码校验位错误"),
        (with_check_digit("42010219900231123"), "出生日期不存在"),
        (with_check_digit("99990119900307123"), "地区代码不存在"),
        ("42010219900307", "应为18位"),
        ("42010219900307123A", "只能包含数字"),
        (with_check_digit("42010221990307123"), "出生日期不合理"),
    ],
)
def test_invalid_resident_ids_name_the_wrong_part(value, message):
    with pytest.raises(ValidationFailed) as info:
        parse_resident_id(value)
    assert message in info.value.message
    assert info.value.field == "id_number"


def test_area_created_after_birth_is_only_a_warning():
    # 330110 (余杭区) dates from 2001; python-stdnum's validate() rejects a 1990 birth there.
    number = with_check_digit("33011019900307123")
    assert not ric.is_valid(number)
    resident = parse_resident_id(number)
    assert resident.area_code == "330110"
    assert resident.warnings and "晚于出生年份" in resident.warnings[0]


def test_retired_area_code_is_accepted_for_people_born_while_it_existed():
    # 130122 获鹿县 existed 1983-1994.
    resident = parse_resident_id(with_check_digit("13012219850101123"))
    assert resident.warnings == ()


@pytest.mark.parametrize("code", ["91420100MA4KXL7P09", "Y1110000600037341Y", "N2130000MB0D36413G"])
def test_credit_codes_including_army_agriculture_and_other_registrars(code):
    assert validate_credit_code(code) == code


def test_credit_code_errors():
    with pytest.raises(ValidationFailed, match="校验位错误"):
        validate_credit_code("91420100MA4KXL7P08")
    with pytest.raises(ValidationFailed, match="应为18位"):
        validate_credit_code("9142")
    with pytest.raises(ValidationFailed, match="登记管理部门"):
        validate_credit_code("B1420100MA4KXL7P09")
    with pytest.raises(ValidationFailed, match="不含I、O、Z、S、V"):
        validate_credit_code("91420100MA4KXL7PO9")


def test_division_codes():
    assert division_name("429005") == "潜江市"
    assert validate_division_code("420102") == "420102"
    with pytest.raises(ValidationFailed, match="6位数字"):
        validate_division_code("42")
    with pytest.raises(ValidationFailed, match="不是现行"):
        validate_division_code("130122")  # retired in 1994


def test_mobile_and_masking():
    assert validate_mobile("+86 138-0000-1234") == "13800001234"
    with pytest.raises(ValidationFailed, match="手机号码"):
        validate_mobile("12345")
    assert mask_resident_id("420102199003071232") == "4201**********1232"
