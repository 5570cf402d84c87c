"""The synthetic population every legacy source is drawn from.

Households of one to five people live at one address; each person has a valid resident
ID (GB 11643 check digit, real birth date, a demo division as area code), a realistic
name and, mostly, a mobile number. Two demo citizens are fixed: 张三 and 李四 with exactly
the IDs, names and phones of ``tongban.demo.data.CITIZENS``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from stdnum.cn import ric

from tongban.demo import data
from tongban.demo.legacy import vocab

REFERENCE_DATE = datetime.date(2026, 6, 30)

# The demo citizens' household addresses (江岸区 and 孝南区), fixed.
DEMO_ADDRESSES = {
    "420102199003071232": ("420102", "湖北省武汉市江岸区解放大道1001号锦绣小区3栋2单元501室"),
    "420902200005124560": ("420902", "湖北省孝感市孝南区槐荫大道369号幸福家园2栋1单元302室"),
}
DEMO_ETHNICITY = "01"
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "177", "180", "182", "186", "187", "189",
    "191", "198", "199",
]  # fmt: skip


@dataclass
class Person:
    """One resident as the 公安 household register knows them (the truth)."""

    key: int  # position in the population, stable for a seed
    rybh: str  # 公安 person number
    name: str
    id_number: str
    sex: str  # GB/T 2261.1 code
    ethnicity: str  # GB 3304 code
    birth: datetime.date
    division: str  # household division (HJDZ_QHDM)
    address: str  # household address, with the 湖北省 prefix
    phone: str
    household: str  # 户号
    relation: str  # GB/T 4761 code
    marital: str  # GB/T 2261.2 code
    registered: datetime.date  # 登记日期
    updated: datetime.datetime  # 更新时间
    cancel_reason: str | None = None  # '1' death, '2' moved out
    cancelled_on: datetime.date | None = None
    phone_in_register: bool = True  # old records often have no phone
    demo: bool = False

    @property
    def age(self) -> int:
        return age_on(self.birth, REFERENCE_DATE)

    @property
    def alive(self) -> bool:
        return self.cancel_reason is None


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([item for item, _w in items], weights=[w for _i, w in items])[0]


def resident_id(area: str, birth: datetime.date, sequence: int) -> str:
    """A GB 11643 number with its check digit; ``sequence`` odd for men, even for women."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


class IdFactory:
    """Hands out unique resident IDs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def reserve(self, number: str) -> None:
        self.used.add(number)

    def new(self, area: str, birth: datetime.date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
            number = resident_id(area, birth, sequence)
            if number not in self.used:
                self.used.add(number)
                return number


def generation(birth_year: int) -> str:
    return "old" if birth_year < 1970 else "mid" if birth_year < 1995 else "young"


def make_name(rng: random.Random, sex: str, birth_year: int, surname: str | None = None) -> str:
    surname = surname or weighted(rng, vocab.SURNAMES)
    pool = (vocab.GIVEN_MALE if sex == "1" else vocab.GIVEN_FEMALE)[generation(birth_year)]
    single = 0.35 if birth_year < 1970 else 0.2 if birth_year < 1995 else 0.1
    if len(surname) > 1 or rng.random() < single:
        return surname + rng.choice(pool)
    first, second = rng.choice(pool), rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return surname + first + second


def make_phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_address(rng: random.Random, division: str) -> str:
    prefix = next(p for code, p, _w in vocab.RESIDENT_DIVISIONS if code == division)
    street = rng.choice(vocab.STREETS[division])
    number = rng.randrange(1, 1500)
    if division == "429005" and rng.random() < 0.25:
        # Rural group addresses in 潜江: 园林街道城南社区3组25号
        village = rng.choice(["城南", "城北", "章华", "红梅", "东荆", "广华", "周矶", "熊口"])
        kind = rng.choice(["社区", "村"])
        return f"{prefix}{village}{kind}{rng.randrange(1, 12)}组{rng.randrange(1, 80)}号"
    estate = rng.choice(vocab.ESTATES)
    if estate:
        estate += rng.choice(vocab.ESTATE_SUFFIXES)
    building, unit = rng.randrange(1, 30), rng.randrange(1, 5)
    floor, room = rng.randrange(1, 33), rng.randrange(1, 5)
    return f"{prefix}{street}{number}号{estate}{building}栋{unit}单元{floor}{room:02d}室"


def random_birth(rng: random.Random, age_low: int, age_high: int) -> datetime.date:
    """A birth date giving an age in [age_low, age_high] on the reference date."""
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age_low)
    earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age_high - 1)
    span = (latest - earliest).days
    return earliest + datetime.timedelta(days=rng.randrange(1, span + 1))


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(0, max(1, (end - start).days + 1)))


def random_moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
        seconds=rng.randrange(8 * 3600, 18 * 3600)
    )


def build_population(rng: random.Random, target: int, ids: IdFactory) -> list[Person]:
    """About ``target`` people in households, the demo citizens first."""
    people: list[Person] = []
    for number in DEMO_ADDRESSES:
        ids.reserve(number)
    household_no = 0

    def add(
        name: str,
        id_number: str,
        sex: str,
        birth: datetime.date,
        division: str,
        address: str,
        household: str,
        relation: str,
        marital: str,
        *,
        phone: str | None = None,
        demo: bool = False,
    ) -> Person:
        registered = max(birth, datetime.date(1985, 1, 1)) + datetime.timedelta(
            days=rng.randrange(0, 400)
        )
        registered = min(registered, REFERENCE_DATE)
        updated_day = random_day(rng, registered, REFERENCE_DATE)
        person = Person(
            key=len(people),
            rybh="",
            name=name,
            id_number=id_number,
            sex=sex,
            ethnicity=DEMO_ETHNICITY if demo else weighted(rng, vocab.ETHNIC_WEIGHTS),
            birth=birth,
            division=division,
            address=address,
            phone=phone or make_phone(rng),
            household=household,
            relation=relation,
            marital=marital,
            registered=registered,
            updated=random_moment(rng, updated_day),
            phone_in_register=demo or rng.random() < 0.7,
            demo=demo,
        )
        people.append(person)
        return person

    for _username, real_name, id_number, phone in data.CITIZENS:
        division, address = DEMO_ADDRESSES[id_number]
        household_no += 1
        birth = ric.get_birth_date(id_number)
        sex = "1" if int(id_number[16]) % 2 else "2"
        add(
            real_name,
            id_number,
            sex,
            birth,
            division,
            address,
            f"{division}{household_no:06d}",
            "02",
            "10",
            phone=phone,
            demo=True,
        )

    divisions = [(code, w) for code, _p, w in vocab.RESIDENT_DIVISIONS]
    while len(people) < target:
        household_no += 1
        division = weighted(rng, divisions)
        address = make_address(rng, division)
        household = f"{division}{household_no:06d}"
        head_sex = "1" if rng.random() < 0.72 else "2"
        head_birth = random_birth(rng, 22, 88)
        married = rng.random() < (0.35 if head_birth.year > 1996 else 0.8)
        widowed = not married and head_birth.year < 1955 and rng.random() < 0.6
        marital = "20" if married else "30" if widowed else "10"
        surname = weighted(rng, vocab.SURNAMES)
        head_name = make_name(rng, head_sex, head_birth.year, surname)
        area = birth_area(rng, division)
        add(
            head_name,
            ids.new(area, head_birth, head_sex),
            head_sex,
            head_birth,
            division,
            address,
            household,
            "02",
            marital,
        )
        father_surname = surname if head_sex == "1" else weighted(rng, vocab.SURNAMES)
        if married:
            spouse_sex = "2" if head_sex == "1" else "1"
            offset = rng.randrange(-5, 4) * (1 if head_sex == "1" else -1)
            spouse_birth = clamp_birth(head_birth + datetime.timedelta(days=365 * offset + 17))
            spouse_surname = father_surname if spouse_sex == "1" else None
            add(
                make_name(rng, spouse_sex, spouse_birth.year, spouse_surname),
                ids.new(birth_area(rng, division), spouse_birth, spouse_sex),
                spouse_sex,
                spouse_birth,
                division,
                address,
                household,
                "11" if spouse_sex == "1" else "12",
                "20",
            )
        head_age = age_on(head_birth, REFERENCE_DATE)
        if married and 24 <= head_age <= 75:
            for _child in range(rng.choice([0, 1, 1, 1, 2, 2])):
                child_age = head_age - rng.randrange(23, 36)
                if child_age < 0:
                    continue
                child_sex = rng.choice("12")
                child_birth = random_birth(rng, child_age, child_age)
                child_married = child_age >= 28 and rng.random() < 0.3
                add(
                    make_name(rng, child_sex, child_birth.year, father_surname),
                    ids.new(birth_area(rng, division), child_birth, child_sex),
                    child_sex,
                    child_birth,
                    division,
                    address,
                    household,
                    "20" if child_sex == "1" else "30",
                    "20" if child_married else "10",
                )
        elif not married and head_age < 45 and rng.random() < 0.25:
            # A young head living with a widowed parent.
            parent_sex = rng.choice("12")
            parent_birth = random_birth(rng, head_age + 24, min(head_age + 36, 92))
            parent_surname = surname if parent_sex == "1" else None
            add(
                make_name(rng, parent_sex, parent_birth.year, parent_surname),
                ids.new(birth_area(rng, division), parent_birth, parent_sex),
                parent_sex,
                parent_birth,
                division,
                address,
                household,
                "51" if parent_sex == "1" else "52",
                "30",
            )
    # Natural cancellations: deaths among the old, some moved away (consistent everywhere).
    for person in people:
        if person.demo:
            continue
        if person.age >= 70 and rng.random() < 0.05 + (person.age - 70) * 0.006:
            person.cancel_reason = "1"
        elif person.age >= 18 and rng.random() < 0.012:
            person.cancel_reason = "2"
        if person.cancel_reason:
            start = max(person.registered, datetime.date(2015, 1, 1))
            person.cancelled_on = random_day(rng, start, datetime.date(2026, 5, 31))
            person.updated = random_moment(rng, person.cancelled_on)
    return people


def birth_area(rng: random.Random, division: str) -> str:
    """The area code in a resident ID: mostly the household division, sometimes another
    demo division (people move; the ID keeps the place it was first issued)."""
    if rng.random() < 0.85:
        return division
    return rng.choice([code for code, _p, _w in vocab.RESIDENT_DIVISIONS])


def clamp_birth(day: datetime.date) -> datetime.date:
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 18)
    return min(day, latest)


def assign_person_numbers(people: list[Person], rng: random.Random) -> None:
    """RYBH: division + 10-digit number, issued in a shuffled order (not by household)."""
    order = list(range(len(people)))
    rng.shuffle(order)
    for serial, index in enumerate(order, start=1):
        person = people[index]
        person.rybh = f"R{person.division}{serial * 7 + 1000000:010d}"


def make_outsider(
    rng: random.Random, ids: IdFactory, age_low: int, age_high: int
) -> tuple[str, str, str, datetime.date, str]:
    """Someone registered outside the demo province: (name, ID, sex, birth, region)."""
    area, region = rng.choice(vocab.OUTSIDE_AREAS)
    sex = rng.choice("12")
    birth = random_birth(rng, age_low, age_high)
    return make_name(rng, sex, birth.year), ids.new(area, birth, sex), sex, birth, region
