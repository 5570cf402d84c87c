"""公安 household register (户籍系统) as a SQLite database in the old system's style.

Tables (dates 'YYYYMMDD', times 'YYYYMMDDHHMMSS', codes in ``T_DM_*`` tables with
columns DM/MC):

- ``T_RK_JBXX`` person basic info: RYBH, XM, GMSFHM, XB, MZ, CSRQ, HH, YHZGX, HYZK,
  HJDZ, HJDZ_QHDM, LXDH, DJRQ, ZXBZ, ZXYY, ZXRQ, GXSJ.
- ``T_DM_XB`` (GB/T 2261.1), ``T_DM_MZ`` (GB 3304), ``T_DM_YHZGX`` (GB/T 4761),
  ``T_DM_HYZK`` (GB/T 2261.2), ``T_DM_ZXYY`` (cancellation reasons), ``T_DM_XZQH``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tongban.demo import data
from tongban.demo.legacy import vocab
from tongban.demo.legacy.people import Person

SCHEMA = """
CREATE TABLE T_DM_XB (DM CHAR(1) PRIMARY KEY, MC VARCHAR(20) NOT NULL);
CREATE TABLE T_DM_MZ (DM CHAR(2) PRIMARY KEY, MC VARCHAR(30) NOT NULL);
CREATE TABLE T_DM_YHZGX (DM CHAR(2) PRIMARY KEY, MC VARCHAR(20) NOT NULL);
CREATE TABLE T_DM_HYZK (DM CHAR(2) PRIMARY KEY, MC VARCHAR(20) NOT NULL);
CREATE TABLE T_DM_ZXYY (DM CHAR(1) PRIMARY KEY, MC VARCHAR(30) NOT NULL);
CREATE TABLE T_DM_XZQH (DM CHAR(6) PRIMARY KEY, MC VARCHAR(30) NOT NULL, SJDM CHAR(6));
CREATE TABLE T_RK_JBXX (
    RYBH VARCHAR(20) PRIMARY KEY,
    XM VARCHAR(30) NOT NULL,
    GMSFHM CHAR(18),
    XB CHAR(1),
    MZ CHAR(2),
    CSRQ CHAR(8),
    HH VARCHAR(20),
    YHZGX CHAR(2),
    HYZK CHAR(2),
    HJDZ VARCHAR(200),
    HJDZ_QHDM CHAR(6),
    LXDH VARCHAR(20),
    DJRQ CHAR(8),
    ZXBZ CHAR(1) DEFAULT '0' NOT NULL,
    ZXYY CHAR(1),
    ZXRQ CHAR(8),
    GXSJ CHAR(14)
);
CREATE INDEX IDX_T_RK_JBXX_GMSFHM ON T_RK_JBXX (GMSFHM);
CREATE INDEX IDX_T_RK_JBXX_HH ON T_RK_JBXX (HH);
"""


@dataclass
class RegisterRow:
    """One T_RK_JBXX row; usually a person as they are, sometimes with a planted quirk."""

    person: Person
    rybh: str
    name: str
    id_number: str | None

    def values(self) -> tuple[object, ...]:
        p = self.person
        return (
            self.rybh,
            self.name,
            self.id_number,
            p.sex,
            p.ethnicity,
            f"{p.birth:%Y%m%d}",
            p.household,
            p.relation,
            p.marital,
            p.address,
            p.division,
            p.phone if p.phone_in_register else None,
            f"{p.registered:%Y%m%d}",
            "1" if p.cancel_reason else "0",
            p.cancel_reason,
            f"{p.cancelled_on:%Y%m%d}" if p.cancelled_on else None,
            f"{p.updated:%Y%m%d%H%M%S}",
        )


def first_column(values: tuple[object, ...]) -> str:
    return str(values[0])


def write_database(path: Path, rows: list[RegisterRow]) -> dict[str, int]:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO T_DM_XB VALUES (?, ?)", vocab.SEX_CODES)
        db.executemany("INSERT INTO T_DM_MZ VALUES (?, ?)", vocab.ETHNIC_CODES)
        db.executemany("INSERT INTO T_DM_YHZGX VALUES (?, ?)", vocab.RELATION_CODES)
        db.executemany("INSERT INTO T_DM_HYZK VALUES (?, ?)", vocab.MARITAL_CODES)
        db.executemany("INSERT INTO T_DM_ZXYY VALUES (?, ?)", vocab.CANCEL_CODES)
        db.executemany("INSERT INTO T_DM_XZQH VALUES (?, ?, ?)", data.DIVISIONS)
        ordered = sorted((row.values() for row in rows), key=first_column)
        db.executemany(
            "INSERT INTO T_RK_JBXX VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ordered,
        )
        db.commit()
    finally:
        db.close()
    return {"T_RK_JBXX": len(rows)}
