"""市场监管 enterprise register (企业登记): the enterprises and their SQLite database.

Tables (dates 'YYYY-MM-DD', codes in ``DM_*`` tables):

- ``QY_JBXX``: NBXH (internal number, primary key), TYSHXYDM, QYMC, QYLX, FDDBR,
  FDDBR_ZJHM, ZCZB (万元), ZS, ZS_QHDM, CLRQ, HZRQ, DJZT, ZXRQ, DJJG, HYDM, JYFW, LXDH.
- ``DM_DJZT`` 登记状态, ``DM_QYLX`` 企业类型, ``DM_HYDM`` 行业 (GB/T 4754-2017),
  ``DM_DJJG`` 登记机关.
"""

from __future__ import annotations

import datetime
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import uscc

from tongban.demo import data
from tongban.demo.legacy import vocab
from tongban.demo.legacy.people import (
    REFERENCE_DATE,
    IdFactory,
    Person,
    make_address,
    make_outsider,
    make_phone,
    random_day,
)

ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # characters used in new org codes
DEMO_ENTERPRISE_ADDRESS = ("420102", "武汉市江岸区沿江大道188号")


@dataclass
class Enterprise:
    key: int
    nbxh: str  # internal number (内部序号)
    credit_code: str
    name: str
    type_code: str
    rep_name: str  # as the register writes it
    rep_id: str
    rep_key: int | None  # population key when the representative lives in the demo province
    capital: str
    domicile: str
    domicile_division: str
    founded: datetime.date
    approved: datetime.date
    status: str
    closed_on: datetime.date | None
    authority: str  # credit code area = 登记机关 code
    industry: str
    scope: str
    phone: str
    demo: bool = False


def org_code_check(body: str) -> str:
    """GB 11714 check character for the 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code(area: str, org_body: str) -> str:
    body = f"91{area}{org_body}{org_code_check(org_body)}"
    return body + uscc.calc_check_digit(body)


def mistype_credit_code(rng: random.Random, code: str) -> str:
    """Change one character of the organisation code part: the check character then fails."""
    position = rng.randrange(8, 16)
    replacement = rng.choice([ch for ch in ORG_ALPHABET if ch != code[position]])
    return code[:position] + replacement + code[position + 1 :]


def build_enterprises(
    rng: random.Random, people: list[Person], ids: IdFactory, target: int
) -> list[Enterprise]:
    """About ``target`` enterprises; the demo enterprise first. Representatives are adults
    of the population for about half of them (some run several), outsiders otherwise."""
    enterprises: list[Enterprise] = []
    codes: set[str] = set()
    names: set[str] = set()
    zhangsan = next(p for p in people if p.id_number == data.CITIZENS[0][2])
    _user, demo_name, demo_code, _rep = data.ENTERPRISES[0]
    enterprises.append(
        Enterprise(
            key=0,
            nbxh="",
            credit_code=demo_code,
            name=demo_name,
            type_code="1130",
            rep_name=zhangsan.name,
            rep_id=zhangsan.id_number,
            rep_key=zhangsan.key,
            capital="100.000000",
            domicile=DEMO_ENTERPRISE_ADDRESS[1],
            domicile_division=DEMO_ENTERPRISE_ADDRESS[0],
            founded=datetime.date(2019, 4, 16),
            approved=datetime.date(2024, 3, 8),
            status="1",
            closed_on=None,
            authority="420100",
            industry="H6210",
            scope="餐饮服务；食品销售；外卖递送服务",
            phone="02782881234",
            demo=True,
        )
    )
    codes.add(demo_code)
    names.add(demo_name)
    candidates = [p for p in people if not p.demo and p.alive and 23 <= p.age <= 68]
    rng.shuffle(candidates)
    # A small pool of serial entrepreneurs: some people represent two or three enterprises.
    serial = candidates[:60]
    authorities = [(a[0], a[3]) for a in vocab.REG_AUTHORITIES]
    while len(enterprises) < target:
        authority = rng.choices(authorities, weights=[w for _a, w in authorities])[0][0]
        auth = next(a for a in vocab.REG_AUTHORITIES if a[0] == authority)
        industry_word, industry, _industry_name, scope = rng.choice(vocab.INDUSTRIES)
        type_code, _type_name, suffix = rng.choices(vocab.ENTERPRISE_TYPES, weights=[60, 35, 5])[0]
        place = {
            "420100": "武汉",
            "420102": "武汉",
            "420106": "武汉",
            "420900": "孝感",
            "420902": "孝感",
            "429005": "潜江",
        }[authority]
        prefix = rng.choice([f"{place}市", place, "湖北", f"{place}市"])
        name = f"{prefix}{rng.choice(vocab.TRADE_NAMES)}{industry_word}{suffix}"
        if name in names:
            continue
        founded = random_day(rng, datetime.date(1998, 1, 1), datetime.date(2026, 5, 31))
        if founded < datetime.date(2015, 10, 1):
            org_body = f"{rng.randrange(30000000, 79999999):08d}"
        else:
            org_body = "MA" + "".join(rng.choice(ORG_ALPHABET) for _ in range(6))
        code = credit_code(authority, org_body)
        if code in codes:
            continue
        names.add(name)
        codes.add(code)
        roll = rng.random()
        status = "1"
        closed_on = None
        if founded < datetime.date(2025, 6, 1) and roll < 0.2:
            status = "2" if roll < 0.14 else "3"
            closed_on = random_day(rng, founded + datetime.timedelta(days=200), REFERENCE_DATE)
        rep_key: int | None
        if rng.random() < 0.5:
            rep = rng.choice(serial) if rng.random() < 0.25 else rng.choice(candidates)
            rep_name, rep_id, rep_key = rep.name, rep.id_number, rep.key
        else:
            rep_name, rep_id, _sex, _birth, _region = make_outsider(rng, ids, 25, 66)
            rep_key = None
        domicile_division = rng.choice(auth[2])
        domicile = make_address(rng, domicile_division).removeprefix("湖北省")
        approved = random_day(rng, founded, min(REFERENCE_DATE, closed_on or REFERENCE_DATE))
        enterprises.append(
            Enterprise(
                key=len(enterprises),
                nbxh="",
                credit_code=code,
                name=name,
                type_code=type_code,
                rep_name=rep_name,
                rep_id=rep_id,
                rep_key=rep_key,
                capital=f"{rng.choice([3, 5, 10, 30, 50, 100, 200, 500, 1000, 5000])}.000000",
                domicile=domicile,
                domicile_division=domicile_division,
                founded=founded,
                approved=approved,
                status=status,
                closed_on=closed_on,
                authority=authority,
                industry=industry,
                scope=scope,
                phone=make_phone(rng) if rng.random() < 0.8 else "",
            )
        )
    return enterprises


def assign_internal_numbers(enterprises: list[Enterprise], rng: random.Random) -> None:
    order = list(range(len(enterprises)))
    rng.shuffle(order)
    for serial, index in enumerate(order, start=1):
        enterprises[index].nbxh = str(420000000000 + serial * 13)


SCHEMA = """
CREATE TABLE DM_DJZT (DM CHAR(1) PRIMARY KEY, MC VARCHAR(20) NOT NULL);
CREATE TABLE DM_QYLX (DM CHAR(4) PRIMARY KEY, MC VARCHAR(60) NOT NULL);
CREATE TABLE DM_HYDM (DM VARCHAR(5) PRIMARY KEY, MC VARCHAR(60) NOT NULL);
CREATE TABLE DM_DJJG (DM CHAR(6) PRIMARY KEY, MC VARCHAR(60) NOT NULL);
CREATE TABLE QY_JBXX (
    NBXH VARCHAR(12) PRIMARY KEY,
    TYSHXYDM CHAR(18),
    QYMC VARCHAR(100) NOT NULL,
    QYLX CHAR(4),
    FDDBR VARCHAR(30),
    FDDBR_ZJHM VARCHAR(18),
    ZCZB VARCHAR(20),
    ZS VARCHAR(200),
    ZS_QHDM CHAR(6),
    CLRQ CHAR(10),
    HZRQ CHAR(10),
    DJZT CHAR(1),
    ZXRQ CHAR(10),
    DJJG CHAR(6),
    HYDM VARCHAR(5),
    JYFW VARCHAR(500),
    LXDH VARCHAR(20)
);
CREATE INDEX IDX_QY_JBXX_TYSHXYDM ON QY_JBXX (TYSHXYDM);
"""


def enterprise_row(e: Enterprise) -> tuple[object, ...]:
    return (
        e.nbxh,
        e.credit_code,
        e.name,
        e.type_code,
        e.rep_name,
        e.rep_id,
        e.capital,
        e.domicile,
        e.domicile_division,
        e.founded.isoformat(),
        e.approved.isoformat(),
        e.status,
        e.closed_on.isoformat() if e.closed_on else None,
        e.authority,
        e.industry,
        e.scope,
        e.phone or None,
    )


def first_column(values: tuple[object, ...]) -> str:
    return str(values[0])


def write_database(path: Path, rows: list[tuple[object, ...]]) -> dict[str, int]:
    """Write the register; ``rows`` are QY_JBXX tuples (any order, sorted here)."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO DM_DJZT VALUES (?, ?)", vocab.STATUS_CODES)
        db.executemany(
            "INSERT INTO DM_QYLX VALUES (?, ?)", [(c, n) for c, n, _s in vocab.ENTERPRISE_TYPES]
        )
        industries = sorted({(code, name) for _w, code, name, _s in vocab.INDUSTRIES})
        db.executemany("INSERT INTO DM_HYDM VALUES (?, ?)", industries)
        db.executemany(
            "INSERT INTO DM_DJJG VALUES (?, ?)", [(a[0], a[1]) for a in vocab.REG_AUTHORITIES]
        )
        ordered = sorted(rows, key=first_column)
        db.executemany(
            "INSERT INTO QY_JBXX VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ordered,
        )
        db.commit()
    finally:
        db.close()
    return {"QY_JBXX": len(rows)}
