"""The flagship restaurant case ends with four licences in hbcanyin's wallet, each valid
online (API) and offline (the CLI with the published keys, no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cases.conftest import api, decide, deliver, restaurant_case  # noqa: F401
from tongban.demo.licences_demo import load_licence_types
from tongban.licences.models import Licence

pytestmark = pytest.mark.django_db

FOUR = {"营业执照", "食品经营许可证", "消防安全检查合格证", "排污登记回执"}


@pytest.fixture
def demo(demo_catalog):
    load_licence_types(lambda _line: None)
    return demo_catalog


def _approve_all(api, case_id: int) -> None:  # noqa: F811
    window = api("chuangkou")
    assert decide(window, case_id, "approve", "材料齐全，予以受理").status_code == 200
    for reviewer in ("scjg", "xiaofang", "huanbao"):
        assert decide(api(reviewer), case_id, "approve").status_code == 200
    assert decide(window, case_id, "approve", "准予").status_code == 200
    deliver()


def test_flagship_case_ends_with_four_valid_licences(api, restaurant_case, tmp_path):  # noqa: F811
    case = restaurant_case()
    _approve_all(api, case["id"])
    wallet = api("hbcanyin").get("/licences").json()["items"]
    assert {item["type_name"] for item in wallet} == FOUR
    assert all(item["case_number"] == case["number"] for item in wallet)
    issuers = {item["type_name"]: item["issuer"] for item in wallet}
    assert issuers["营业执照"] == "武汉市市场监督管理局"
    assert issuers["消防安全检查合格证"] == "武汉市消防救援支队"
    assert issuers["排污登记回执"] == "武汉市生态环境局"

    keys = api("hbcanyin").client.get("/api/v1/licences/keys").json()
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    for item in wallet:
        detail = api("hbcanyin").get(f"/licences/{item['id']}").json()
        assert detail["verify_url"].endswith(f"/licences/verify/{item['identifier']}/")
        online = api("hbcanyin").client.post(
            "/api/v1/licences/verify",
            json.dumps(detail["signed"], ensure_ascii=False),
            content_type="application/json",
        )
        assert online.json()["valid"] is True, online.json()
        signed_file = tmp_path / f"{item['number']}.json"
        signed_file.write_text(json.dumps(detail["signed"], ensure_ascii=False), encoding="utf-8")
        offline = _cli("verify", str(signed_file), "--keys", str(keys_file))
        assert offline.returncode == 0, offline.stderr
        assert json.loads(offline.stdout.splitlines()[0])["status"] == "valid"

    business = next(i for i in wallet if i["type_name"] == "营业执照")
    data = {
        d["label"]: d["value"]
        for d in api("hbcanyin")
        .get(f"/licences/{business['id']}")
        .json()["signed"]["licence"]["data"]
    }
    assert data["名称"] == "湖北楚味餐饮有限公司"
    assert data["经营范围"] == "餐饮服务"

    tampered = json.loads(signed_file.read_text(encoding="utf-8"))
    tampered["licence"]["holder"]["name"] = "湖北楚昧餐饮有限公司"
    signed_file.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    refused = _cli("verify", str(signed_file), "--keys", str(keys_file))
    assert refused.returncode == 1
    assert json.loads(refused.stdout.splitlines()[0])["status"] == "invalid"


def test_licences_are_issued_once_even_if_the_event_comes_twice(api, restaurant_case):  # noqa: F811
    from tongban.licences.services import licences_issue_for_case

    case = restaurant_case()
    _approve_all(api, case["id"])
    assert licences_issue_for_case(case["id"]) == []
    assert Licence.objects.filter(case_id=case["id"]).count() == 4


def test_a_denied_case_issues_nothing(api, restaurant_case):  # noqa: F811
    case = restaurant_case()
    decide(api("chuangkou"), case["id"], "approve")
    decide(api("scjg"), case["id"], "reject", "经营范围不符合规定")
    deliver()
    assert not Licence.objects.filter(case_id=case["id"]).exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    tongban = Path(sys.executable).with_name("tongban")
    return subprocess.run(
        [str(tongban), "licences", *args], capture_output=True, text=True, timeout=120
    )
