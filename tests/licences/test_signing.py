"""Signed licences: identifiers, canonical form, tampering, keys of other departments,
key rotation, Ed25519, and the status a verification reports."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.licences.conftest import department_id
from tongban.core.errors import ValidationFailed
from tongban.licences import selectors, services
from tongban.licences.models import SigningKey
from tongban.licences.signed import (
    NotCanonical,
    canonical_bytes,
    identifier_valid,
    licence_identifier,
    verify_document,
)
from tongban.licences.signing import software_signer

pytestmark = pytest.mark.django_db


def test_identifier_matches_a_real_national_identifier():
    # DOMAIN.md: a real 证照标识 whose check character is U.
    found = licence_identifier("11100000000013338W011", "11430000006122244L", "20230000403", 1)
    assert found == ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U")
    assert identifier_valid(found)
    assert not identifier_valid(found[:-1] + "V")
    assert not identifier_valid("1.2.156.3005.2.x")


def test_canonical_form_is_sorted_compact_utf8_and_refuses_floats():
    assert canonical_bytes({"b": 1, "a": "证"}) == '{"a":"证","b":1}'.encode()
    with pytest.raises(NotCanonical):
        canonical_bytes({"capital": 50.5})


def _leaf_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*path, i))]
    return [path] if isinstance(value, str) and value else []


def _set(document: dict, path: tuple, value: Any) -> None:
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _altered(text: str, position: int) -> str:
    char = text[position]
    return text[:position] + ("1" if char != "1" else "2") + text[position + 1 :]


def test_changing_any_character_of_a_signed_licence_fails(issue):
    signed = selectors.signed_of(issue())
    keys = selectors.published_keys()
    assert verify_document(signed, keys, date.today()).valid
    paths = _leaf_paths(signed["licence"])
    assert len(paths) > 20
    for path in paths:
        value = _get(signed["licence"], path)
        for position in {0, len(value) // 2, len(value) - 1}:
            forged = copy.deepcopy(signed)
            _set(forged["licence"], path, _altered(value, position))
            result = verify_document(forged, keys, date.today())
            assert not result.valid and result.status == "invalid", (path, position)
    for position in range(0, len(signed["signature"]["value"]) - 2, 7):
        forged = copy.deepcopy(signed)
        forged["signature"]["value"] = _altered(signed["signature"]["value"], position)
        assert not verify_document(forged, keys, date.today()).valid


def _get(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def test_a_licence_signed_or_verified_with_another_departments_key_fails(issue):
    licence = issue()
    issue("消防安全检查合格证", issuer="xfzd", data={**_fire_data()})
    signed = selectors.signed_of(licence)
    fire_key = SigningKey.objects.get(department_id=department_id("xfzd"))
    keys = selectors.published_keys()

    claimed = copy.deepcopy(signed)
    claimed["signature"]["key_id"] = fire_key.key_id
    result = verify_document(claimed, keys, date.today())
    assert (result.valid, result.status) == (False, "invalid")

    resigned = copy.deepcopy(signed)
    signer = software_signer(fire_key.algorithm, bytes.fromhex(fire_key.private_key))
    resigned["signature"]["key_id"] = fire_key.key_id
    resigned["signature"]["value"] = _b64(signer.sign(canonical_bytes(signed["licence"])))
    result = verify_document(resigned, keys, date.today())
    assert not result.valid and "颁发机构" in result.reason

    assert services.licence_verify(signed).valid


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


def _fire_data() -> dict[str, str]:
    return {
        "entity_name": "湖北楚味餐饮有限公司",
        "address": "武汉市江汉区解放大道 100 号",
        "floor_area": "120",
        "usage": "公众聚集场所（餐饮）",
    }


def test_status_reported_by_verification(issue, api_token, client):
    revoked, suspended, fine = issue(), issue(), issue()
    headers = api_token("scjg")
    for licence, action in ((revoked, "revoke"), (suspended, "suspend")):
        response = client.post(
            f"/api/v1/licences/{licence.pk}/status",
            {"action": action, "reason": "经营者申请注销登记"},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content
    expired = issue(
        "食品经营许可证",
        data={**_food_data()},
        issue_date=date.today() - timedelta(days=4 * 365),
        valid_until=date.today() - timedelta(days=1),
    )

    def verify(licence):
        response = client.post(
            "/api/v1/licences/verify",
            json.dumps(selectors.signed_of(licence), ensure_ascii=False),
            content_type="application/json",
        )
        assert response.status_code == 200
        return response.json()

    assert verify(fine) == {"valid": True, "status": "valid", "reason": "签名有效，证照在有效期内"}
    assert verify(revoked)["status"] == "revoked"
    assert "经营者申请注销登记" in verify(revoked)["reason"]
    assert verify(suspended)["status"] == "suspended"
    assert verify(expired)["status"] == "expired"
    assert not verify(expired)["valid"]


def _food_data() -> dict[str, str]:
    return {
        "entity_name": "湖北楚味餐饮有限公司",
        "legal_representative": "张三",
        "address": "武汉市江汉区解放大道 100 号",
        "business_items": "热食类食品制售",
    }


def test_verify_endpoint_rejects_what_is_not_a_licence(client, demo):
    for body in ("not json", "[]", '{"licence": {}, "signature": {}}', "null"):
        response = client.post("/api/v1/licences/verify", body, content_type="application/json")
        if response.status_code == 200:
            assert response.json()["status"] == "invalid"
        else:
            assert response.status_code == 422
    response = client.post(
        "/api/v1/licences/verify", "x" * 300_000, content_type="application/json"
    )
    assert response.status_code == 413


def test_rotated_keys_keep_old_licences_verifiable(issue, settings):
    old = issue()
    scjg = department_id("scjg")
    settings.TONGBAN_LICENCE_ALGORITHM = "ed25519"
    new_key = services.signing_key_rotate(department_id=scjg)
    assert new_key.algorithm == "Ed25519"
    new = issue()
    assert new.key_id == new_key.pk and old.key_id != new_key.pk
    keys = {k["key_id"]: k for k in selectors.published_keys()}
    assert keys[old.key.key_id]["retired_at"] is not None
    assert keys[new_key.key_id]["retired_at"] is None
    for licence in (old, new):
        assert services.licence_verify(selectors.signed_of(licence)).valid
    # A licence claiming to be signed by the retired key after its retirement is refused.
    late = copy.deepcopy(selectors.signed_of(old))
    late["licence"]["signed_at"] = "2999-01-01T00:00:00+08:00"
    signer = software_signer(old.key.algorithm, bytes.fromhex(old.key.private_key))
    late["signature"]["value"] = _b64(signer.sign(canonical_bytes(late["licence"])))
    result = verify_document(late, selectors.published_keys(), date.today())
    assert not result.valid and "停用" in result.reason


def test_issuance_checks_its_input(issue):
    with pytest.raises(ValidationFailed) as missing:
        issue(data={**_food_data(), "entity_name": ""}, type_name="食品经营许可证")
    assert "经营者名称" in missing.value.message
    with pytest.raises(ValidationFailed):
        issue(holder=("91420100MA4KXL7P00", "湖北楚味餐饮有限公司"))
    with pytest.raises(ValidationFailed):
        issue(valid_until=date(2000, 1, 1))


def test_identifiers_and_serials_are_unique_per_issuer_and_year(issue):
    first, second = issue(), issue()
    assert first.number[:4] == str(date.today().year)
    assert int(second.number) == int(first.number) + 1
    assert first.identifier != second.identifier
    assert identifier_valid(first.identifier)
    assert first.payload["issuer"]["code"] in first.identifier
