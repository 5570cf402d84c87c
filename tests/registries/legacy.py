"""Reads the demo legacy sources (tongban.demo.legacy) straight from their files, the way
the exchange gateway's adapters will, and maps them to registry rows."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

from tongban.registries.readers import employers_from_insured

PAYING = {"正常参保", "领取待遇"}
SCJG_STATUS = {"1": "active", "2": "deregistered", "3": "revoked"}


def gongan_rows(path: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT RYBH, XM, GMSFHM, XB, CSRQ, HJDZ, HJDZ_QHDM, LXDH, ZXBZ FROM T_RK_JBXX"
        ).fetchall()
    finally:
        db.close()
    return [
        {
            "source_id": rybh,
            "name": name,
            "id_number": number,
            "sex": sex,
            "birth_date": birth,
            "address": address,
            "division_code": division,
            "phone": phone,
            "status": "cancelled" if cancelled == "1" else "active",
        }
        for rybh, name, number, sex, birth, address, division, phone, cancelled in rows
    ]


def scjg_rows(path: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT NBXH, TYSHXYDM, QYMC, FDDBR, FDDBR_ZJHM, ZS, ZS_QHDM, DJZT FROM QY_JBXX"
        ).fetchall()
    finally:
        db.close()
    return [
        {
            "source_id": nbxh,
            "credit_code": code,
            "name": name,
            "legal_rep_name": rep,
            "legal_rep_id_number": rep_id,
            "address": address,
            "division_code": division,
            "status": SCJG_STATUS.get(status or "", status),
        }
        for nbxh, code, name, rep, rep_id, address, division, status in rows
    ]


def rsj_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "source_id": row["个人编号"],
            "name": row["姓名"],
            "sex": row["性别"],
            "id_number": row["身份证号"],
            "phone": row["联系电话"],
            "address": row["联系地址"],
            # Paying or drawing a pension says the person is there; other states say nothing.
            "status": "active" if row["参保状态"] in PAYING else "",
            "employer_credit_code": row["单位统一社会信用代码"],
            "employer_name": row["参保单位"],
        }
        for row in rows
    ]


def rsj_employer_rows(person_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return employers_from_insured(person_rows)
