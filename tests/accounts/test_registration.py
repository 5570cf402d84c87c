import pytest
from django.db import connection
from stdnum.cn import ric

from tongban.accounts.models import CitizenProfile, User
from tongban.core.models import AuditEntry

VALID = {
    "username": "wangwu",
    "password": "Hubei-2026-secure",
    "real_name": "王五",
    "id_number": "",
    "phone": "13712345678",
}


def person(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def register(client, **overrides):
    body = {**VALID, "id_number": person("42010619850612123"), **overrides}
    return client.post("/api/v1/citizens", body, content_type="application/json")


@pytest.mark.django_db
def test_registration_succeeds_and_stores_no_plaintext(client):
    response = register(client)
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
    profile = CitizenProfile.objects.get(user__username="wangwu")
    assert profile.id_number == person("42010619850612123")
    assert profile.id_number_masked == "4201**********" + profile.id_number[-4:]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM accounts_citizenprofile WHERE id = %s", [profile.pk]
        )
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id.startswith("sm4gcm:") and profile.id_number not in stored_id
    assert "13712345678" not in stored_phone
    assert AuditEntry.objects.filter(action="citizen.register").exists()


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("420102199003071231", "身份证号码校验位错误"),
        (person("42010219900230123"), "出生日期不存在"),
        (person("42990019900307123"), "地区代码不存在"),
    ],
    ids=["check-digit", "impossible-birth-date", "area-never-existed"],
)
@pytest.mark.django_db
def test_bad_id_numbers_are_refused_with_a_field_message(client, id_number, message):
    response = register(client, id_number=id_number)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "id_number" and message in body["message"]
    assert not User.objects.filter(username="wangwu").exists()


@pytest.mark.django_db
def test_person_born_before_their_county_code_existed_can_register(client):
    number = person("33011019900307123")  # 余杭区 code created 2001
    response = register(client, id_number=number)
    assert response.status_code == 201, response.content
    assert "晚于出生年份" in response.json()["warnings"][0]


@pytest.mark.django_db
def test_same_id_twice_is_a_conflict(client):
    assert register(client).status_code == 201
    again = register(client, username="wangwu2", phone="13712345679")
    assert again.status_code == 409
    assert again.json() == {
        "code": "conflict",
        "message": "该身份证号码已注册",
        "field": "id_number",
    }
    assert User.objects.filter(username__startswith="wangwu").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"username": "1abc"}, "username", 422),
        ({"password": "12345678"}, "password", 422),
        ({"real_name": "王"}, "real_name", 422),
        ({"phone": "0271234567"}, "phone", 422),
    ],
)
@pytest.mark.django_db
def test_other_fields_are_validated(client, overrides, field, status):
    response = register(client, **overrides)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert not CitizenProfile.objects.exists()


@pytest.mark.django_db
def test_taken_username_is_a_conflict(client, demo):
    response = register(client, username="zhangsan")
    assert response.status_code == 409 and response.json()["field"] == "username"


@pytest.mark.django_db
def test_malformed_bodies_get_the_uniform_error_shape(client):
    missing = client.post("/api/v1/citizens", {"username": "x"}, content_type="application/json")
    assert missing.status_code == 422
    assert set(missing.json()) == {"code", "message", "field"}
    assert missing.json()["field"] in {"password", "real_name", "id_number", "phone"}
    garbage = client.post("/api/v1/citizens", "{not json", content_type="application/json")
    assert garbage.status_code in (400, 422)
    assert set(garbage.json()) == {"code", "message", "field"}
