"""The demo legacy sources: deterministic, realistic, and exactly as inconsistent as the
manifest says."""

from __future__ import annotations

import csv
import datetime
import io
import re
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import parse_resident_id, validate_credit_code
from tongban.demo import data
from tongban.demo.legacy import FILES, GENERATOR_VERSION, Manifest, build
from tongban.demo.legacy.build import GONGAN_FILE, RSJ_CSV_FILE, RSJ_XLSX_FILE, SCJG_FILE
from tongban.demo.legacy.manifest import CATEGORIES

ZHANGSAN = data.CITIZENS[0]
LISI = data.CITIZENS[1]
HBCANYIN = data.ENTERPRISES[0]


def quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Manifest]:
    target = tmp_path_factory.mktemp("legacy")
    return target, build(target, progress=quiet)


def rows(path: Path, sql: str) -> list[sqlite3.Row]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def table_dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in sorted(tables)}
    finally:
        db.close()


def register(target: Path) -> list[sqlite3.Row]:
    return rows(target / GONGAN_FILE, "SELECT * FROM T_RK_JBXX")


def enterprises(target: Path) -> list[sqlite3.Row]:
    return rows(target / SCJG_FILE, "SELECT * FROM QY_JBXX")


def insured(target: Path) -> list[dict[str, str]]:
    text = (target / RSJ_CSV_FILE).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def valid_id(value: str | None) -> bool:
    try:
        parse_resident_id(value or "")
    except ValidationFailed:
        return False
    return True


def valid_code(value: str | None) -> bool:
    try:
        validate_credit_code(value or "")
    except ValidationFailed:
        return False
    return True


def test_build_is_deterministic(built, tmp_path):
    target, manifest = built
    again = build(tmp_path, progress=quiet)
    assert (tmp_path / RSJ_CSV_FILE).read_bytes() == (target / RSJ_CSV_FILE).read_bytes()
    assert (tmp_path / RSJ_XLSX_FILE).read_bytes() == (target / RSJ_XLSX_FILE).read_bytes()
    for name in (GONGAN_FILE, SCJG_FILE):
        assert table_dump(tmp_path / name) == table_dump(target / name)
    assert again.to_json() == manifest.to_json()


def test_build_skips_when_up_to_date_and_rebuilds_otherwise(tmp_path):
    lines: list[str] = []
    first = build(tmp_path, progress=lines.append)
    assert first.built
    assert len([line for line in lines if "rows" in line or "persons" in line]) >= 4
    stamp = (tmp_path / GONGAN_FILE).stat().st_mtime_ns
    second = build(tmp_path, progress=lines.append)
    assert not second.built
    assert "up to date" in lines[-1]
    assert (tmp_path / GONGAN_FILE).stat().st_mtime_ns == stamp
    assert second.counts == first.counts

    # Another generator version recorded (or a damaged file) means a rebuild.
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(
        manifest_path.read_text(encoding="utf-8").replace(
            f'"generator_version": "{GENERATOR_VERSION}"', '"generator_version": "0"'
        ),
        encoding="utf-8",
    )
    assert build(tmp_path, progress=quiet).built
    (tmp_path / RSJ_CSV_FILE).write_text("damaged", encoding="utf-8")
    assert build(tmp_path, progress=quiet).built
    assert insured(tmp_path)[0]["个人编号"]


def test_management_command(built, tmp_path):
    target, _manifest = built
    out = io.StringIO()
    call_command("build_legacy", "--out", str(target), stdout=out)
    assert "up to date" in out.getvalue()
    out = io.StringIO()
    call_command("build_legacy", "--out", str(tmp_path), "--force", stdout=out)
    text = out.getvalue()
    for name in FILES:
        assert name in text
    assert re.search(r"gongan_hjxt\.sqlite3: \d+ persons", text)


def test_sizes(built):
    target, manifest = built
    assert 2800 <= len(register(target)) <= 3200
    assert 1400 <= len(enterprises(target)) <= 1600
    assert 2300 <= len(insured(target)) <= 2700
    overlap = {r["GMSFHM"] for r in register(target)} & {r["身份证号"] for r in insured(target)}
    assert len(overlap) >= 2000  # most insured people are in the household register
    assert manifest.files[RSJ_CSV_FILE]["rows"] == len(insured(target))


def test_code_tables(built):
    target, _manifest = built
    sexes = dict(rows(target / GONGAN_FILE, "SELECT DM, MC FROM T_DM_XB"))
    assert sexes["1"] == "男" and sexes["2"] == "女"
    ethnic = dict(rows(target / GONGAN_FILE, "SELECT DM, MC FROM T_DM_MZ"))
    assert ethnic["01"] == "汉族" and ethnic["02"] == "蒙古族" and ethnic["03"] == "回族"
    assert len(ethnic) >= 10
    used = {r["MZ"] for r in register(target)} | {r["XB"] for r in register(target)}
    assert used <= set(ethnic) | set(sexes)
    status = dict(rows(target / SCJG_FILE, "SELECT DM, MC FROM DM_DJZT"))
    assert status == {"1": "存续", "2": "注销", "3": "吊销"}
    assert {r["DJZT"] for r in enterprises(target)} == {"1", "2", "3"}


def test_identifiers_valid_except_planted_mistakes(built):
    target, manifest = built
    people = register(target)
    missing = [r for r in people if r["GMSFHM"] is None]
    invalid = [r for r in people if r["GMSFHM"] is not None and not valid_id(r["GMSFHM"])]
    assert len(invalid) == manifest.bad_identifier_count("gongan", "mistyped_id") > 0
    assert len(missing) == manifest.bad_identifier_count("gongan", "missing_id") > 0
    planted_bad = {e["bad_value"] for e in manifest.entries("duplicates")}
    assert {r["GMSFHM"] for r in invalid} <= planted_bad

    insured_rows = insured(target)
    missing_rsj = [r for r in insured_rows if not r["身份证号"]]
    invalid_rsj = [r for r in insured_rows if r["身份证号"] and not valid_id(r["身份证号"])]
    assert len(invalid_rsj) == manifest.bad_identifier_count("rsj", "mistyped_id") > 0
    assert len(missing_rsj) == manifest.bad_identifier_count("rsj", "missing_id") > 0

    firms = enterprises(target)
    bad_codes = [r for r in firms if not valid_code(r["TYSHXYDM"])]
    assert len(bad_codes) == manifest.bad_identifier_count("scjg", "mistyped_credit_code") > 0
    employer_codes = {r["单位统一社会信用代码"] for r in insured_rows} - {""}
    assert all(valid_code(code) for code in employer_codes)
    rep_ids = [r["FDDBR_ZJHM"] for r in firms]
    assert all(valid_id(number) for number in rep_ids)
    # Valid identifiers are unique within each source.
    good = [r["GMSFHM"] for r in people if r["GMSFHM"] and valid_id(r["GMSFHM"])]
    assert len(good) == len(set(good))
    good_rsj = [r["身份证号"] for r in insured_rows if valid_id(r["身份证号"])]
    assert len(good_rsj) == len(set(good_rsj))


def test_demo_citizens_and_enterprise(built):
    target, _manifest = built
    by_id = {r["GMSFHM"]: r for r in register(target)}
    for _user, name, number, phone in (ZHANGSAN, LISI):
        person = by_id[number]
        assert person["XM"] == name
        assert person["LXDH"] == phone
        assert person["ZXBZ"] == "0"
        assert person["CSRQ"] == number[6:14]
    assert by_id[ZHANGSAN[2]]["HJDZ_QHDM"] == "420102"
    assert "江岸区" in by_id[ZHANGSAN[2]]["HJDZ"]
    assert by_id[LISI[2]]["HJDZ_QHDM"] == "420902"
    assert "孝南区" in by_id[LISI[2]]["HJDZ"]
    assert by_id[ZHANGSAN[2]]["XB"] == "1" and by_id[LISI[2]]["XB"] == "2"

    firm = next(r for r in enterprises(target) if r["TYSHXYDM"] == HBCANYIN[2])
    assert firm["QYMC"] == HBCANYIN[1]
    assert firm["FDDBR"] == HBCANYIN[3] == ZHANGSAN[1]
    assert firm["FDDBR_ZJHM"] == ZHANGSAN[2]
    assert firm["DJZT"] == "1"

    insured_by_id = {r["身份证号"]: r for r in insured(target)}
    zhangsan = insured_by_id[ZHANGSAN[2]]
    assert zhangsan["姓名"] == "张三" and zhangsan["参保状态"] == "正常参保"
    assert zhangsan["参保单位"] == HBCANYIN[1]
    assert zhangsan["单位统一社会信用代码"] == HBCANYIN[2]
    assert "湖北省" + zhangsan["联系地址"] == by_id[ZHANGSAN[2]]["HJDZ"]
    assert insured_by_id[LISI[2]]["姓名"] == "李四"


def test_date_formats(built):
    target, _manifest = built
    for row in register(target):
        assert re.fullmatch(r"\d{8}", row["CSRQ"])
        datetime.datetime.strptime(row["CSRQ"], "%Y%m%d")
        assert re.fullmatch(r"\d{14}", row["GXSJ"])
        assert row["GXSJ"] <= "20260630235959"
        assert row["ZXBZ"] in {"0", "1"}
        assert (row["ZXBZ"] == "1") == (row["ZXRQ"] is not None)
        if row["GMSFHM"] and valid_id(row["GMSFHM"]):
            assert row["GMSFHM"][6:14] == row["CSRQ"]
    for row in enterprises(target):
        datetime.date.fromisoformat(row["CLRQ"])
        assert (row["DJZT"] == "1") == (row["ZXRQ"] is None)
    for row in insured(target):
        for column in ("首次参保年月", "最近缴费月份"):
            assert re.fullmatch(r"\d{4}/(0[1-9]|1[0-2])", row[column])
        assert row["首次参保年月"] <= row["最近缴费月份"] <= "2026/06"
        assert row["联系电话"] == "" or re.fullmatch(r"1[3-9]\d{9}", row["联系电话"])


def test_xlsx_carries_the_csv_rows(built):
    target, _manifest = built
    sheet = load_workbook(target / RSJ_XLSX_FILE, read_only=True).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    text = (target / RSJ_CSV_FILE).read_bytes().decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(cells) == len(csv_rows)
    base = csv_rows[0].index("缴费基数")
    for xlsx_row, csv_row in zip(cells, csv_rows, strict=True):
        values = ["" if v is None else v for v in xlsx_row]
        if isinstance(values[base], int | float):
            assert f"{values[base]:.2f}" == csv_row[base]
            values[base] = csv_row[base]
        assert values == csv_row


def test_manifest_categories_point_at_real_rows(built):
    target, manifest = built
    keys = {
        "gongan": {r["RYBH"] for r in register(target)},
        "scjg": {r["NBXH"] for r in enterprises(target)},
        "rsj": {r["个人编号"] for r in insured(target)},
    }
    for category in CATEGORIES:
        entries = manifest.entries(category)
        assert entries, category
        assert manifest.counts[category] == len(entries)
        for entry in entries:
            assert entry["ids"], entry
            for source, ids in entry["ids"].items():
                assert ids and set(ids) <= keys[source], (category, entry)
    for entry in manifest.entries("name_variants"):
        assert entry["source"] in entry["names"] and entry["source"] in entry["ids"]
        assert len(set(entry["names"].values())) == 2
    kinds = {e["kind"] for e in manifest.entries("name_variants")}
    assert {"traditional", "inner_space", "trailing_space"} <= kinds
    dup_kinds = {(e["source"], e["kind"]) for e in manifest.entries("duplicates")}
    assert ("gongan", "mistyped_id") in dup_kinds and ("rsj", "missing_id") in dup_kinds
    # The demo records stay clean.
    demo_ids = {ZHANGSAN[2], LISI[2]}
    for category in CATEGORIES:
        if category != "legal_representatives":
            assert not {e.get("id_number") for e in manifest.entries(category)} & demo_ids


def test_naive_reconciliation_finds_exactly_the_planted(built):
    """Comparing by valid resident ID finds every planted conflict and nothing else."""
    target, manifest = built
    people = {r["GMSFHM"]: r for r in register(target) if valid_id(r["GMSFHM"])}
    firms = {r["TYSHXYDM"]: r for r in enterprises(target) if valid_code(r["TYSHXYDM"])}
    name_conflicts, address_conflicts, stale = set(), set(), set()
    stale_firms: set[str] = set()
    for row in insured(target):
        person = people.get(row["身份证号"])
        code = row["单位统一社会信用代码"]
        if row["参保状态"] == "正常参保" and code and firms[code]["DJZT"] != "1":
            stale_firms.add(code)
        if person is None:
            continue
        if person["XM"] != row["姓名"]:
            name_conflicts.add(("rsj", row["个人编号"]))
        if person["HJDZ"] != "湖北省" + row["联系地址"]:
            address_conflicts.add(row["个人编号"])
        if person["ZXBZ"] == "1" and row["参保状态"] in {"正常参保", "领取待遇"}:
            stale.add(row["个人编号"])
    for firm in firms.values():
        person = people.get(firm["FDDBR_ZJHM"])
        if person is not None and person["XM"] != firm["FDDBR"]:
            name_conflicts.add(("scjg", firm["NBXH"]))

    planted_names = {
        (source, ids[0])
        for e in manifest.entries("name_variants")
        for source, ids in e["ids"].items()
        if source != "gongan"
    }
    assert name_conflicts == planted_names
    assert address_conflicts == {e["ids"]["rsj"][0] for e in manifest.entries("address_conflicts")}
    assert stale == {e["ids"]["rsj"][0] for e in manifest.entries("stale_persons")}
    assert stale_firms == {e["credit_code"] for e in manifest.entries("stale_enterprises")}
    reps = {
        (firm["NBXH"], people[firm["FDDBR_ZJHM"]]["RYBH"])
        for firm in firms.values()
        if firm["FDDBR_ZJHM"] in people
    }
    assert reps == {
        (e["ids"]["scjg"][0], e["ids"]["gongan"][0])
        for e in manifest.entries("legal_representatives")
    }
