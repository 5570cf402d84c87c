"""Generate the three legacy sources and their manifest from one seed.

``generate`` is pure (seed in, rows and manifest out); ``build`` writes the files and
skips the work when an up-to-date build is already in the target directory.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tongban.demo import data
from tongban.demo.legacy import gongan, rsj, scjg, vocab
from tongban.demo.legacy.manifest import MANIFEST_NAME, Manifest
from tongban.demo.legacy.people import (
    REFERENCE_DATE,
    IdFactory,
    Person,
    assign_person_numbers,
    build_population,
    make_address,
    make_outsider,
    make_phone,
    random_day,
    random_moment,
)
from tongban.demo.legacy.scjg import Enterprise

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20260630
GONGAN_FILE = "gongan_hjxt.sqlite3"
SCJG_FILE = "scjg_qydj.sqlite3"
RSJ_CSV_FILE = "rsj_shebao_export.csv"
RSJ_XLSX_FILE = "rsj_shebao_export.xlsx"
FILES = (GONGAN_FILE, SCJG_FILE, RSJ_CSV_FILE, RSJ_XLSX_FILE)

POPULATION = 2960
ENTERPRISES = 1490
OUTSIDERS_INSURED = 200

# How many of each inconsistency to plant.
RSJ_NAME_VARIANTS = {"traditional": 16, "inner_space": 10, "fullwidth_space": 6, "homophone": 12}
SCJG_NAME_VARIANTS = {"traditional": 8, "fullwidth_space": 4, "inner_space": 4}
GONGAN_TRAILING_SPACES = 12
ADDRESS_CONFLICTS = 80
STALE_PERSONS = 24
STALE_ENTERPRISES = 12
DUPLICATES = {
    ("gongan", "mistyped_id"): 20,
    ("gongan", "missing_id"): 10,
    ("rsj", "mistyped_id"): 20,
    ("rsj", "missing_id"): 15,
    ("scjg", "mistyped_credit_code"): 8,
}

WORKING_INSURANCE = "企业职工基本养老保险"
RESIDENT_INSURANCE = "城乡居民基本养老保险"
FLEXIBLE_BASES = ["4077.00", "5436.00", "6795.00"]
RECENT_MONTHS = [datetime.date(2026, 6, 1)] * 4 + [datetime.date(2026, 5, 1)]

Progress = Callable[[str], None]


@dataclass
class Generated:
    people: list[Person]
    register: list[gongan.RegisterRow]
    enterprises: list[tuple[object, ...]]
    insured: list[rsj.InsuredRow]
    manifest: Manifest
    extra: dict[str, int] = field(default_factory=dict)


# --- name and identifier mistakes ---------------------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    cut = 2 if name[:2] in {s for s, _w in vocab.SURNAMES if len(s) == 2} else 1
    return name[:cut], name[cut:]


def name_variant(name: str, kind: str) -> str | None:
    """The name as another system spells it, or None if this name has no such variant."""
    surname, given = split_name(name)
    if kind == "traditional":
        variant = "".join(vocab.TRADITIONAL.get(ch, ch) for ch in name)
        return variant if variant != name else None
    if kind == "inner_space":
        return f"{surname} {given}"
    if kind == "fullwidth_space":
        return f"{surname}\u3000{given}"
    if kind == "homophone":
        for index, ch in enumerate(given):
            if ch in vocab.HOMOPHONES and vocab.HOMOPHONES[ch] not in given:
                return surname + given[:index] + vocab.HOMOPHONES[ch] + given[index + 1 :]
        return None
    if kind == "trailing_space":
        return name + "  "
    raise ValueError(kind)


def has_variant(person: Person, kind: str) -> bool:
    return name_variant(person.name, kind) is not None


def mistype_id(rng: random.Random, number: str) -> str:
    """One wrong digit among the first 17: the GB 11643 check digit then always fails
    (every weight is non-zero modulo 11)."""
    position = rng.choice([6, 7, 10, 11, 12, 13, 14, 15, 16])
    digit = rng.choice([d for d in "0123456789" if d != number[position]])
    return number[:position] + digit + number[position + 1 :]


class Pool:
    """Hands out people from a shuffled list, each at most once."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.used: set[int] = set()

    def take(self, count: int, accept: Callable[[Person], bool] = lambda p: True) -> list[Person]:
        taken: list[Person] = []
        for person in self.people:
            if len(taken) == count:
                break
            if person.key not in self.used and accept(person):
                taken.append(person)
                self.used.add(person.key)
        if len(taken) < count:
            raise RuntimeError("not enough people to plant inconsistencies")
        return taken


# --- generation ---------------------------------------------------------------------------


class InsuredNumbers:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> str:
        while True:
            number = f"4201{self.rng.randrange(10**10):010d}"
            if number not in self.used:
                self.used.add(number)
                return number


def generate(seed: int = DEFAULT_SEED) -> Generated:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    ids = IdFactory(rng)
    people = build_population(rng, POPULATION, ids)
    assign_person_numbers(people, rng)
    enterprises = scjg.build_enterprises(rng, people, ids, ENTERPRISES)
    scjg.assign_internal_numbers(enterprises, rng)
    manifest = Manifest(GENERATOR_VERSION, seed, REFERENCE_DATE.isoformat())
    by_key = {p.key: p for p in people}

    # Who gets which mistake: disjoint sets of working-age people, never the demo citizens.
    rep_keys = {e.rep_key for e in enterprises if e.rep_key is not None}
    working = [p for p in people if not p.demo and p.alive and 23 <= p.age <= 58]
    rng.shuffle(working)
    pool = Pool(working)
    rsj_variants: dict[int, tuple[str, str]] = {}
    for kind, count in RSJ_NAME_VARIANTS.items():
        for person in pool.take(count, functools.partial(has_variant, kind=kind)):
            rsj_variants[person.key] = (kind, name_variant(person.name, kind) or "")
    # A representative with a padded register name would also differ from 市场监管.
    trailing = {p.key for p in pool.take(GONGAN_TRAILING_SPACES, lambda p: p.key not in rep_keys)}
    moved = {p.key for p in pool.take(ADDRESS_CONFLICTS)}
    stale = {p.key for p in pool.take(STALE_PERSONS, lambda p: p.key not in rep_keys)}
    register_dups = {
        kind: [p.key for p in pool.take(count)]
        for (source, kind), count in DUPLICATES.items()
        if source == "gongan"
    }
    insured_dups = {
        kind: [p.key for p in pool.take(count)]
        for (source, kind), count in DUPLICATES.items()
        if source == "rsj"
    }
    staff_sizes = [rng.choice([2, 3, 4]) for _e in range(STALE_ENTERPRISES)]
    stale_staff = pool.take(sum(staff_sizes))

    # Stale persons died between 2023 and 2025; the register knows, 人社 does not.
    for key in sorted(stale):
        person = by_key[key]
        person.cancel_reason = "1"
        person.cancelled_on = random_day(
            rng, datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)
        )
        person.updated = random_moment(rng, person.cancelled_on)

    # --- 公安 rows
    register = [gongan.RegisterRow(p, p.rybh, p.name, p.id_number) for p in people]
    for register_row in register:
        if register_row.person.key in trailing:
            register_row.name = name_variant(register_row.name, "trailing_space") or ""
    serial = len(people) + 1
    for kind in ("mistyped_id", "missing_id"):
        for key in register_dups[kind]:
            person = by_key[key]
            serial += 1
            rybh = f"R{person.division}{serial * 7 + 1000000:010d}"
            bad = mistype_id(rng, person.id_number) if kind == "mistyped_id" else None
            register.append(gongan.RegisterRow(person, rybh, person.name, bad))
            manifest.add(
                "duplicates",
                {
                    "source": "gongan",
                    "kind": kind,
                    "id_number": person.id_number,
                    "bad_value": bad,
                    "ids": {"gongan": [person.rybh, rybh]},
                },
            )

    # --- 市场监管 rows
    active = [e for e in enterprises if e.status == "1" and e.founded < datetime.date(2026, 4, 1)]
    closed = [
        e
        for e in enterprises
        if not e.demo
        and e.status != "1"
        and e.closed_on
        and datetime.date(2022, 1, 1) <= e.closed_on < datetime.date(2026, 3, 1)
    ]
    rng.shuffle(closed)
    stale_enterprises = closed[:STALE_ENTERPRISES]
    rep_candidates = [e for e in enterprises if not e.demo and e.rep_key is not None]
    rng.shuffle(rep_candidates)
    rep_variant_rows: dict[int, tuple[str, str]] = {}
    taken_reps: set[int] = set(rsj_variants) | trailing
    for kind, count in SCJG_NAME_VARIANTS.items():
        picked = 0
        for e in rep_candidates:
            if picked == count:
                break
            if e.key in rep_variant_rows or e.rep_key in taken_reps:
                continue
            variant = name_variant(e.rep_name, kind)
            if variant is None:
                continue
            rep_variant_rows[e.key] = (kind, variant)
            taken_reps.add(e.rep_key or 0)
            picked += 1
    enterprise_rows: list[tuple[object, ...]] = []
    for e in enterprises:
        values = list(scjg.enterprise_row(e))
        if e.key in rep_variant_rows:
            kind, variant = rep_variant_rows[e.key]
            values[4] = variant
            person = by_key[e.rep_key or 0]
            manifest.add(
                "name_variants",
                {
                    "source": "scjg",
                    "kind": kind,
                    "id_number": person.id_number,
                    "names": {"gongan": person.name, "scjg": variant},
                    "ids": {"gongan": [person.rybh], "scjg": [e.nbxh]},
                },
            )
        enterprise_rows.append(tuple(values))
        if e.rep_key is not None:
            person = by_key[e.rep_key]
            manifest.add(
                "legal_representatives",
                {
                    "credit_code": e.credit_code,
                    "id_number": person.id_number,
                    "ids": {"gongan": [person.rybh], "scjg": [e.nbxh]},
                },
            )
    outsider_led = [e for e in enterprises if not e.demo and e.rep_key is None]
    rng.shuffle(outsider_led)
    nbxh_serial = 900000
    for e in outsider_led[: DUPLICATES[("scjg", "mistyped_credit_code")]]:
        nbxh_serial += 1
        dup_nbxh = str(420000000000 + nbxh_serial * 13)
        bad_code = scjg.mistype_credit_code(rng, e.credit_code)
        values = list(scjg.enterprise_row(e))
        values[0], values[1] = dup_nbxh, bad_code
        enterprise_rows.append(tuple(values))
        manifest.add(
            "duplicates",
            {
                "source": "scjg",
                "kind": "mistyped_credit_code",
                "credit_code": e.credit_code,
                "bad_value": bad_code,
                "ids": {"scjg": [e.nbxh, dup_nbxh]},
            },
        )

    # --- 人社 rows
    numbers = InsuredNumbers(rng)
    insured: list[rsj.InsuredRow] = []
    stale_ids = {e.key for e in stale_enterprises}
    employable = [e for e in active if e.key not in stale_ids]

    def employer_for(last: datetime.date) -> Enterprise | None:
        """An enterprise that existed in the month ``last`` (and was not closed yet)."""
        for _attempt in range(50):
            e = rng.choice(enterprises)
            if e.key in stale_ids or e.founded > last:
                continue
            if e.closed_on is not None and e.closed_on <= last:
                continue
            return e
        return None

    def first_month(birth: datetime.date, last: datetime.date) -> datetime.date:
        start = max(datetime.date(birth.year + 18, birth.month, 1), datetime.date(1993, 1, 1))
        start = min(start, last)
        day = random_day(rng, start, last)
        return day.replace(day=1)

    def salary_base() -> str:
        return f"{rng.randrange(4077, 25000)}.00"

    def working_row(
        person: Person, employer: Enterprise | None, status: str, last: datetime.date
    ) -> rsj.InsuredRow:
        flexible = employer is None
        return rsj.InsuredRow(
            number=numbers.new(),
            name=person.name,
            sex="男" if person.sex == "1" else "女",
            id_number=person.id_number,
            category="灵活就业" if flexible else "在职",
            insurance=WORKING_INSURANCE,
            status=status,
            employer=employer.name if employer else "",
            employer_code=employer.credit_code if employer else "",
            base=rng.choice(FLEXIBLE_BASES) if flexible else salary_base(),
            first_month=rsj.month(first_month(person.birth, last)),
            last_month=rsj.month(last),
            phone=person.phone,
            address=person.address.removeprefix("湖北省"),
        )

    def current_row(person: Person, employer: Enterprise | None = None) -> rsj.InsuredRow:
        if employer is None and rng.random() < 0.85:
            employer = rng.choice(employable)
        return working_row(person, employer, "正常参保", rng.choice(RECENT_MONTHS))

    forced = set(rsj_variants) | trailing | moved | stale
    for dup_keys in insured_dups.values():
        forced.update(dup_keys)
    rows_by_key: dict[int, rsj.InsuredRow] = {}
    stale_staff_keys = {p.key for p in stale_staff}
    demo_employers = {
        data.CITIZENS[0][2]: enterprises[0],
        data.CITIZENS[1][2]: min(
            (e for e in employable if e.authority in {"420900", "420902"}),
            key=lambda e: e.nbxh,
        ),
    }
    for person in people:
        age = person.age
        row: rsj.InsuredRow | None = None
        if person.key in stale_staff_keys:
            continue  # their rows come with the stale enterprises below
        if person.demo:
            row = current_row(person, demo_employers[person.id_number])
            row.last_month = "2026/06"
        elif person.key in forced:
            row = current_row(person)
        elif not person.alive:
            assert person.cancelled_on is not None
            if person.cancelled_on.year - person.birth.year >= 20 and rng.random() < 0.7:
                last = random_day(rng, datetime.date(2010, 1, 1), person.cancelled_on)
                row = working_row(person, employer_for(last), "终止参保", last.replace(day=1))
                if person.age >= 62:
                    row.category, row.employer, row.employer_code, row.base = "退休", "", "", ""
        elif age < 18:
            continue
        elif age <= 22:
            if rng.random() < 0.35:
                row = current_row(person)
        elif age < 60:
            roll = rng.random()
            if roll < 0.8:
                row = current_row(person)
            elif roll < 0.95:
                last = random_day(rng, datetime.date(2012, 1, 1), datetime.date(2026, 3, 31))
                employer = employer_for(last) if rng.random() < 0.8 else None
                row = working_row(person, employer, "暂停参保", last.replace(day=1))
        elif rng.random() < 0.8:
            retired = datetime.date(person.birth.year + (60 if person.sex == "1" else 55), 1, 1)
            last = min(retired, datetime.date(2026, 5, 1))
            row = working_row(person, None, "领取待遇", last)
            row.category, row.base = "退休", ""
            if rng.random() < 0.4:
                row.insurance = RESIDENT_INSURANCE
        if row is not None:
            insured.append(row)
            rows_by_key[person.key] = row

    # Planted in 人社: name variants, other addresses, dead people still paying.
    for key, (kind, variant) in sorted(rsj_variants.items()):
        person, row = by_key[key], rows_by_key[key]
        row.name = variant
        manifest.add(
            "name_variants",
            {
                "source": "rsj",
                "kind": kind,
                "id_number": person.id_number,
                "names": {"gongan": person.name, "rsj": variant},
                "ids": {"gongan": [person.rybh], "rsj": [row.number]},
            },
        )
    for key in sorted(trailing):
        person, row = by_key[key], rows_by_key[key]
        manifest.add(
            "name_variants",
            {
                "source": "gongan",
                "kind": "trailing_space",
                "id_number": person.id_number,
                "names": {"gongan": name_variant(person.name, "trailing_space"), "rsj": row.name},
                "ids": {"gongan": [person.rybh], "rsj": [row.number]},
            },
        )
    for key in sorted(moved):
        person, row = by_key[key], rows_by_key[key]
        while True:
            division = rng.choice([code for code, _p, _w in vocab.RESIDENT_DIVISIONS])
            other = make_address(rng, division)
            if other != person.address:
                break
        row.address = other.removeprefix("湖北省")
        manifest.add(
            "address_conflicts",
            {
                "id_number": person.id_number,
                "addresses": {"gongan": person.address, "rsj": row.address},
                "ids": {"gongan": [person.rybh], "rsj": [row.number]},
            },
        )
    for key in sorted(stale):
        person, row = by_key[key], rows_by_key[key]
        assert person.cancelled_on is not None
        manifest.add(
            "stale_persons",
            {
                "kind": "cancelled_but_insured",
                "id_number": person.id_number,
                "cancelled_on": f"{person.cancelled_on:%Y%m%d}",
                "rsj_status": row.status,
                "last_paid": row.last_month,
                "ids": {"gongan": [person.rybh], "rsj": [row.number]},
            },
        )
    # Duplicates in 人社: the same person registered twice by different employers.
    for kind in ("mistyped_id", "missing_id"):
        for key in insured_dups[kind]:
            person, original = by_key[key], rows_by_key[key]
            last = random_day(rng, datetime.date(2014, 1, 1), datetime.date(2025, 12, 31))
            dup = working_row(person, employer_for(last), "暂停参保", last.replace(day=1))
            dup.id_number = mistype_id(rng, person.id_number) if kind == "mistyped_id" else ""
            insured.append(dup)
            manifest.add(
                "duplicates",
                {
                    "source": "rsj",
                    "kind": kind,
                    "id_number": person.id_number,
                    "bad_value": dup.id_number or None,
                    "ids": {"rsj": [original.number, dup.number]},
                },
            )
    # Enterprises closed in the register whose staff 人社 still collects for.
    staff = iter(stale_staff)
    for e, size in zip(stale_enterprises, staff_sizes, strict=True):
        assert e.closed_on is not None
        numbers_here = []
        for person in itertools.islice(staff, size):
            row = working_row(person, e, "正常参保", rng.choice(RECENT_MONTHS))
            insured.append(row)
            rows_by_key[person.key] = row
            numbers_here.append(row.number)
        manifest.add(
            "stale_enterprises",
            {
                "kind": "closed_but_paying",
                "credit_code": e.credit_code,
                "status": e.status,
                "closed_on": e.closed_on.isoformat(),
                "ids": {"scjg": [e.nbxh], "rsj": sorted(numbers_here)},
            },
        )
    # People whose household is registered outside the province but who work here.
    for _n in range(OUTSIDERS_INSURED):
        name, id_number, sex, birth, _region = make_outsider(rng, ids, 20, 58)
        division = rng.choice([code for code, _p, _w in vocab.RESIDENT_DIVISIONS])
        insured.append(
            rsj.InsuredRow(
                number=numbers.new(),
                name=name,
                sex="男" if sex == "1" else "女",
                id_number=id_number,
                category="在职",
                insurance=WORKING_INSURANCE,
                status="正常参保",
                employer=(employer := rng.choice(employable)).name,
                employer_code=employer.credit_code,
                base=salary_base(),
                first_month=rsj.month(first_month(birth, datetime.date(2026, 6, 1))),
                last_month="2026/06",
                phone=make_phone(rng),
                address=make_address(rng, division).removeprefix("湖北省"),
            )
        )

    manifest.info = {
        "population": len(people),
        "register_cancelled": sum(1 for p in people if not p.alive),
        "enterprises": len(enterprises),
        "representatives_in_population": sum(1 for e in enterprises if e.rep_key is not None),
        "representatives_outside_population": sum(1 for e in enterprises if e.rep_key is None),
        "rsj_not_in_register": OUTSIDERS_INSURED,
    }
    manifest.sort()
    return Generated(people, register, enterprise_rows, insured, manifest)


# --- files --------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_up_to_date(target_dir: Path, seed: int) -> bool:
    try:
        manifest = Manifest.read(target_dir)
    except (OSError, ValueError, KeyError):
        return False
    if manifest.generator_version != GENERATOR_VERSION or manifest.seed != seed:
        return False
    for name in FILES:
        path = target_dir / name
        if not path.exists() or manifest.files.get(name, {}).get("sha256") != sha256(path):
            return False
    return True


def default_target() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "legacy"


def build(
    target_dir: Path | None = None,
    progress: Progress = print,
    *,
    seed: int = DEFAULT_SEED,
    force: bool = False,
) -> Manifest:
    """Write the legacy sources into ``target_dir`` (default ``VAR_DIR/legacy``); skip the
    work when the files there were written by this generator version and seed."""
    target = Path(target_dir) if target_dir is not None else default_target()
    target.mkdir(parents=True, exist_ok=True)
    if not force and is_up_to_date(target, seed):
        manifest = Manifest.read(target)
        progress(f"  legacy sources up to date in {target} (generator {GENERATOR_VERSION})")
        return manifest
    (target / MANIFEST_NAME).unlink(missing_ok=True)
    generated = generate(seed)
    manifest = generated.manifest
    counts = gongan.write_database(target / GONGAN_FILE, generated.register)
    manifest.files[GONGAN_FILE] = {"rows": counts, "sha256": sha256(target / GONGAN_FILE)}
    progress(f"  {GONGAN_FILE}: {counts['T_RK_JBXX']} persons (T_RK_JBXX)")
    counts = scjg.write_database(target / SCJG_FILE, generated.enterprises)
    manifest.files[SCJG_FILE] = {"rows": counts, "sha256": sha256(target / SCJG_FILE)}
    progress(f"  {SCJG_FILE}: {counts['QY_JBXX']} enterprises (QY_JBXX)")
    rows = generated.insured
    rsj.write_csv(target / RSJ_CSV_FILE, rows)
    manifest.files[RSJ_CSV_FILE] = {"rows": len(rows), "sha256": sha256(target / RSJ_CSV_FILE)}
    progress(f"  {RSJ_CSV_FILE}: {len(rows)} rows")
    rsj.write_xlsx(target / RSJ_XLSX_FILE, rows)
    manifest.files[RSJ_XLSX_FILE] = {"rows": len(rows), "sha256": sha256(target / RSJ_XLSX_FILE)}
    progress(f"  {RSJ_XLSX_FILE}: {len(rows)} rows")
    manifest.write(target)
    planted = ", ".join(f"{k} {v}" for k, v in manifest.counts.items() if "." not in k)
    progress(f"  {MANIFEST_NAME}: {planted}")
    return manifest
