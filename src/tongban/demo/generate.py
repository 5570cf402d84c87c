"""Bulk generation of realistic data at scale (``tongban generate``): citizens and their
population-registry records, application cases (办件) with their timelines, supervision
clocks, ratings (好差评) and rectifications, and appeals (诉求).

Rows go straight into the tables in batches (``COPY`` on PostgreSQL, ``executemany`` on
SQLite), spread over the ``days`` before ``end``; a seeded random generator makes a run
repeatable. It is meant for demos at scale and benchmarks on a quiet database, after the
demo province is loaded: it reserves its ids and case numbers up front but does not lock
the tables against concurrent writers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import ric

from tongban.accounts.models import CitizenProfile, UserKind
from tongban.cases.models import Case, CaseEvent, CaseNumberSequence
from tongban.catalog.models import ItemImplementation
from tongban.core.crypto import lookup_hash
from tongban.interaction.models import Appeal, AppealStatus, AppealType
from tongban.org.models import Department, Division
from tongban.registries.services import registry_ingest
from tongban.supervision.models import Clock, Rating, Rectification

Progress = Callable[[str], None]
Row = tuple[object, ...]

# Items for clock-only generation (``case_rows=False``): code, name, promised, statutory.
ITEMS = [
    ("420100-XK-001", "食品经营许可", 10, 20),
    ("420100-XK-002", "公共场所卫生许可", 7, 20),
    ("420100-XK-003", "消防安全检查", 10, 10),
    ("420100-QT-004", "排污许可登记", 5, 15),
    ("420100-QR-005", "个体工商户登记", 1, 15),
    ("420100-XK-006", "建筑工程施工许可", 7, 15),
]
APPEAL_TEXTS = [
    ("小区夜间施工噪音扰民", "夜间施工噪音很大，影响休息，请城管核查。"),
    ("餐馆油烟扰民", "楼下餐馆油烟直排，气味很大。"),
    ("营业执照办理咨询", "个体工商户营业执照需要哪些材料？"),
    ("公交线路调整建议", "建议增加早高峰公交班次，站台拥挤。"),
    ("医保报销求助", "异地就医医保报销流程不清楚，请帮助。"),
    ("违规收费举报", "某培训机构违规收费，请市场监管部门查处。"),
    ("道路积水", "暴雨后道路积水严重，排水不畅。"),
    ("养老服务咨询", "社区养老服务怎么申请？老人行动不便。"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇欣怡子涵"
USERNAME_PREFIX = "gen-"
USER_COLUMNS = ["id", "username", "password", "kind", "display_name", "date_joined"]
USER_COLUMNS += ["first_name", "last_name", "email", "is_staff", "is_active", "is_superuser"]
PROFILE_COLUMNS = ["user_id", "real_name", "id_number", "id_number_hash", "id_number_masked"]
PROFILE_COLUMNS += ["phone", "phone_hash", "phone_masked", "area_code", "created_at"]
# A generated citizen's ID number is unique by (birthday, serial): 20,000 birthdays (about
# 55 years) times 1,000 serials.
BIRTHDAYS = 20_000
BIRTHDAY_STEP = 7_919  # a prime: stepping by it visits every birthday once
FIRST_BIRTHDAY = date(1950, 1, 1)


@dataclass
class Generated:
    """How many rows of each kind one run inserted."""

    persons: int = 0
    cases: int = 0
    events: int = 0
    clocks: int = 0
    ratings: int = 0
    rectifications: int = 0
    appeals: int = 0

    def line(self) -> str:
        return (
            f"{self.persons} 名群众, {self.cases} 件办件, {self.events} 条办理记录, "
            f"{self.clocks} 个计时, {self.ratings} 条评价, {self.rectifications} 条整改, "
            f"{self.appeals} 件诉求"
        )


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    id_number: str
    id_hash: str
    form: str  # the encrypted application form, shared by the person's cases


@dataclass(frozen=True)
class Place:
    division: Division
    departments: list[Department]


@dataclass(frozen=True)
class Offer:
    """One item as offered in one division by one department, with its time limits."""

    implementation_id: int | None
    code: str
    name: str
    process_key: str
    promised: int
    statutory: int
    division: Division
    department: Department


# ----------------------------------------------------------------------------- writing


class _Backend:
    """Whether the database keeps datetimes as naive UTC text (SQLite); set per run, as
    reading ``connection.vendor`` for every value is the generator's largest cost."""

    text_datetimes = False


def _db(value: datetime | None) -> object:
    """Aware datetimes as the backend stores them (SQLite: naive UTC text, as Django's
    adapter writes it)."""
    if value is None or not _Backend.text_datetimes:
        return value
    offset = value.utcoffset() or timedelta(0)
    return (value - offset).replace(tzinfo=None).isoformat(" ")


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _insert(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    """Insert rows as they are: ``COPY`` on PostgreSQL, one ``executemany`` elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, rows)  # type: ignore[arg-type]


def _next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def _sequences_reset(*model_classes: type[models.Model]) -> None:
    """Move PostgreSQL's id sequences past the ids inserted explicitly."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _encrypted(model: type[models.Model], name: str, value: object) -> str:
    """The stored (encrypted) form of a value of an encrypted field."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.get_db_prep_value(value, connection))


# ----------------------------------------------------------------------------- places


def _places() -> list[Place]:
    places = []
    for division in Division.objects.order_by("code"):
        departments = list(Department.objects.filter(division=division).order_by("code"))
        if departments:
            places.append(Place(division, departments))
    return places


def _catalog_offers() -> list[Offer]:
    """The demo catalog's implementations that a single department handles."""
    offers = []
    for impl in ItemImplementation.objects.select_related("item", "division", "department"):
        offers.append(
            Offer(
                impl.pk,
                impl.item.code,
                impl.item.name,
                impl.process_key,
                impl.promised_limit,
                impl.statutory_limit,
                impl.division,
                impl.department,
            )
        )
    return offers


def _random_offer(
    rng: random.Random, offers: list[Offer], items: list[tuple[str, str, int, int]], places
) -> Offer:
    if offers:
        return offers[rng.randrange(len(offers))]
    place = places[rng.randrange(len(places))]
    code, name, promised, statutory = items[rng.randrange(len(items))]
    department = place.departments[rng.randrange(len(place.departments))]
    return Offer(None, code, name, "", promised, statutory, place.division, department)


# ----------------------------------------------------------------------------- persons


def _id_number(area: str, serial: int) -> str:
    # Consecutive people get far-apart birthdays (a multiplicative permutation of the days),
    # so that registry matching by name and birth date meets few namesakes, as in life.
    day = serial % BIRTHDAYS * BIRTHDAY_STEP % BIRTHDAYS
    birthday = FIRST_BIRTHDAY + timedelta(days=day)
    body = f"{area}{birthday:%Y%m%d}{serial // BIRTHDAYS % 1000:03d}"
    return body + ric.calc_check_digit(body)


def _persons_generate(
    rng: random.Random, count: int, places: list[Place], progress: Progress | None
) -> list[Person]:
    """Citizens with accounts (no usable password) and their population-registry records
    (公安 source, reconciled into golden records as a real sync would)."""
    User = get_user_model()
    first = User.objects.filter(username__startswith=USERNAME_PREFIX).count()
    first_user = _next_id(User)
    unusable = make_password(None)
    now = timezone.now()
    persons, users, profiles, records = [], [], [], []
    for n in range(count):
        serial = first + n
        area = places[rng.randrange(len(places))].division.code
        name = SURNAMES[rng.randrange(len(SURNAMES))] + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
        )
        number = _id_number(area, serial)
        phone = f"13{rng.randrange(10**9):09d}"
        user_id = first_user + n
        form = {"applicant_name": name, "phone": phone}
        persons.append(
            Person(user_id, name, number, lookup_hash(number), _encrypted(Case, "form", form))
        )
        users.append(
            (user_id, f"{USERNAME_PREFIX}{serial:08d}", unusable, UserKind.CITIZEN, name, now)
        )
        profiles.append((user_id, name, number, persons[-1].id_hash, phone, area, now))
        records.append(
            {
                "source_id": f"gen-{serial:08d}",
                "id_number": number,
                "name": name,
                "birth_date": number[6:10] + "-" + number[10:12] + "-" + number[12:14],
                "sex": "男" if int(number[16]) % 2 else "女",
                "phone": phone,
                "division_code": area,
            }
        )
    with transaction.atomic():
        _insert(
            User,
            USER_COLUMNS,
            [(*row, "", "", "", False, True, False) for row in users],
        )
        _insert(
            CitizenProfile,
            PROFILE_COLUMNS,
            [
                (
                    user_id,
                    name,
                    _encrypted(CitizenProfile, "id_number", number),
                    id_hash,
                    number[:6] + "********" + number[-4:],
                    _encrypted(CitizenProfile, "phone", phone),
                    lookup_hash(phone),
                    phone[:3] + "****" + phone[-4:],
                    area,
                    _db(created),
                )
                for user_id, name, number, id_hash, phone, area, created in profiles
            ],
        )
        _sequences_reset(User)
    if progress:
        progress(f"{count} 名群众账户已生成，正在写入人口基础库 ...")
    if records:
        registry_ingest(source="gongan", kind="person", records=records, progress=progress)
    return persons


# ----------------------------------------------------------------------------- cases

CASE_COLUMNS = [
    "id",
    "number",
    "applicant_id",
    "applicant_name",
    "applicant_id_hash",
    "applicant_id_masked",
    "implementation_id",
    "item_code",
    "item_name",
    "division_code",
    "department_code",
    "process_key",
    "statutory_limit",
    "promised_limit",
    "channel",
    "form",
    "status",
    "result",
    "result_reason",
    "first_submitted_at",
    "submitted_at",
    "accepted_at",
    "clock_start",
    "deemed_accepted",
    "completed_at",
    "deadline",
    "level",
    "created_at",
    "updated_at",
]
EVENT_COLUMNS = ["case_id", "at", "actor_name", "action", "title", "status_from", "status_to"]
EVENT_COLUMNS += ["comment", "internal"]
CLOCK_COLUMNS = [
    "case_id",
    "number",
    "item_code",
    "item_name",
    "division_code",
    "division_path",
    "division_name",
    "department_code",
    "department_name",
    "online",
    "accepted_at",
    "accepted_on",
    "clock_start",
    "statutory_limit",
    "promised_limit",
    "extension_days",
    "suspended_days",
    "suspended",
    "deadline",
    "statutory_deadline",
    "level",
    "stopped_at",
    "stop_reason",
    "result",
    "used_days",
    "on_time",
    "created_at",
]
RATING_COLUMNS = [
    "case_id",
    "number",
    "score",
    "comment",
    "channel",
    "rated_by_id",
    "rated_at",
    "division_code",
    "division_path",
    "division_name",
    "department_code",
    "department_name",
    "excluded",
]


@dataclass(frozen=True)
class Timeline:
    """When one generated case reached each stage (``None``: not reached)."""

    submitted: datetime
    accepted: datetime | None
    completed: datetime | None
    status: str
    result: str
    level: str
    used_days: int


def _timeline(
    rng: random.Random, offer: Offer, day: date, end: date, *, accepted_only: bool
) -> Timeline:
    submitted = _aware(day, 9, rng.randrange(60))
    used = rng.randint(0, offer.promised + 3)
    finished = _after_working_days(day, used)
    if not accepted_only and rng.random() < 0.03:
        return Timeline(submitted, None, None, "not_accepted", "", "normal", 0)
    if not accepted_only and day == end and rng.random() < 0.5:
        return Timeline(submitted, None, None, "submitted", "", "normal", 0)
    accepted = submitted + timedelta(minutes=30 + rng.randrange(300))
    # Nearly every case whose work is done by now is completed; the rest are stragglers
    # past their deadline. Clock-only data keeps a fifth running whatever its age.
    if finished <= end and rng.random() < (0.8 if accepted_only else 0.97):
        result = "approved" if rng.random() < 0.95 else "denied"
        return Timeline(submitted, accepted, _aware(finished, 16), "completed", result, "", used)
    if accepted_only:
        level = rng.choice(["normal", "normal", "warning", "overdue"])
    else:
        level = _level(_after_working_days(day, offer.promised), end)
    status = "in_review" if rng.random() < 0.8 else "accepted"
    return Timeline(submitted, accepted, None, status, "", level, used)


def _after_working_days(day: date, working_days: int) -> date:
    """About ``working_days`` working days after ``day``: the weekends in between added
    (generated dates need not follow the holiday calendar)."""
    return day + timedelta(days=working_days + working_days // 5 * 2)


def _level(deadline: date, today: date) -> str:
    """The supervision signal of a running case on ``today`` (红灯 past the deadline,
    黄灯 within two days of it)."""
    if today > deadline:
        return "overdue"
    return "warning" if (deadline - today).days <= 2 else "normal"


def _events(case_id: int, t: Timeline) -> list[Row]:
    """The timeline entries the real services would have written for the case."""
    steps: list[tuple[datetime, str, str, str, str]] = [
        (t.submitted, "submit", "提交申请", "draft", "submitted")
    ]
    if t.status == "not_accepted":
        steps.append((t.submitted + timedelta(hours=2), "not_accept", "不予受理", "submitted", ""))
    if t.accepted:
        steps.append((t.accepted, "accept", "受理", "submitted", "accepted"))
        if t.status != "accepted":
            steps.append((t.accepted, "review", "进入审查", "accepted", "in_review"))
    if t.completed:
        title = "办结：准予" if t.result == "approved" else "办结：不予"
        steps.append((t.completed, "complete", title, "in_review", "completed"))
    return [
        (case_id, _db(at), "", action, title, before, after or t.status, "", False)
        for at, action, title, before, after in steps
    ]


class NumberBook:
    """Case numbers (办件编号) per division and day, continuing the stored sequences."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, date], int] = {
            (s.division_code, s.day): s.last for s in CaseNumberSequence.objects.all()
        }
        self.touched: set[tuple[str, date]] = set()

    def next(self, division_code: str, day: date) -> str:
        key = (division_code, day)
        self.last[key] = self.last.get(key, 0) + 1
        self.touched.add(key)
        return f"{division_code}-{day:%Y%m%d}-{self.last[key]:05d}"

    def save(self) -> None:
        """Store where each touched sequence stands, so real submissions continue after it."""
        existing = {
            (s.division_code, s.day): s
            for s in CaseNumberSequence.objects.filter(day__in={day for _c, day in self.touched})
        }
        changed, created = [], []
        for key in self.touched:
            row = existing.get(key)
            if row is None:
                created.append(CaseNumberSequence(division_code=key[0], day=key[1]))
                row = created[-1]
            else:
                changed.append(row)
            row.last = self.last[key]
        CaseNumberSequence.objects.bulk_create(created, batch_size=2000)
        CaseNumberSequence.objects.bulk_update(changed, ["last"], batch_size=2000)
        self.touched.clear()


@dataclass
class Batch:
    cases: list[Row]
    events: list[Row]
    clocks: list[Row]
    ratings: list[Row]

    def write(self, out: Generated, numbers: NumberBook | None) -> None:
        with transaction.atomic():
            _insert(Case, CASE_COLUMNS, self.cases)
            _insert(CaseEvent, EVENT_COLUMNS, self.events)
            _insert(Clock, CLOCK_COLUMNS, self.clocks)
            _insert(Rating, RATING_COLUMNS, self.ratings)
            if numbers is not None:
                numbers.save()
        out.cases += len(self.cases)
        out.events += len(self.events)
        out.clocks += len(self.clocks)
        out.ratings += len(self.ratings)
        for rows in (self.cases, self.events, self.clocks, self.ratings):
            rows.clear()


def _case_row(case_id: int, number: str, person: Person, offer: Offer, t: Timeline) -> Row:
    online = "online"
    masked = person.id_number[:6] + "********" + person.id_number[-4:]
    deadline = _after_working_days(t.accepted.date(), offer.promised) if t.accepted else None
    return (
        case_id,
        number,
        person.user_id,
        person.name,
        person.id_hash,
        masked,
        offer.implementation_id,
        offer.code,
        offer.name,
        offer.division.code,
        offer.department.code,
        offer.process_key,
        offer.statutory,
        offer.promised,
        online,
        person.form,
        t.status,
        t.result,
        "",
        _db(t.submitted),
        _db(t.submitted),
        _db(t.accepted),
        t.accepted.date() if t.accepted else None,
        False,
        _db(t.completed),
        deadline,
        t.level or "normal",
        _db(t.submitted),
        _db(t.completed or t.accepted or t.submitted),
    )


def _clock_row(case_id: int, number: str, offer: Offer, t: Timeline, online: bool) -> Row:
    assert t.accepted is not None
    day = t.accepted.date()
    division, department = offer.division, offer.department
    completed = t.completed is not None
    return (
        case_id,
        number,
        offer.code,
        offer.name,
        division.code,
        division.path,
        division.name,
        department.code,
        department.name,
        online,
        _db(t.accepted),
        day,
        day,
        offer.statutory,
        offer.promised,
        0,
        0,
        False,
        _after_working_days(day, offer.promised),
        _after_working_days(day, offer.statutory),
        "normal" if completed else t.level,
        _db(t.completed),
        "completed" if completed else "",
        t.result,
        t.used_days if completed else None,
        (t.used_days <= offer.promised) if completed else None,
        _db(t.accepted),
    )


def _rating_row(
    case_id: int, number: str, offer: Offer, t: Timeline, score: int, rater: int
) -> Row:
    division, department = offer.division, offer.department
    return (
        case_id,
        number,
        score,
        "",
        "online",
        rater,
        _db(t.completed),
        division.code,
        division.path,
        division.name,
        department.code,
        department.name,
        False,
    )


def _first_user_id() -> int:
    user_id = get_user_model().objects.order_by("id").values_list("id", flat=True).first()
    if user_id is None:
        raise ValueError("load the demo province first (tongban demo --no-serve)")
    return int(user_id)


def _cases_generate(
    rng: random.Random,
    *,
    cases: int,
    end: date,
    days: int,
    persons: list[Person],
    offers: list[Offer],
    items: list[tuple[str, str, int, int]],
    places: list[Place],
    case_rows: bool,
    batch: int,
    out: Generated,
    progress: Progress | None,
) -> None:
    rater = persons[0].user_id if persons else _first_user_id()
    last_clock = Clock.objects.order_by("-case_id").values_list("case_id", flat=True).first()
    # Clock-only runs have no case rows: their case ids continue after the clocks'.
    first_id = max(_next_id(Case), (last_clock or 0) + 1)
    numbers = NumberBook() if case_rows else None
    rows = Batch([], [], [], [])
    for n in range(cases):
        case_id = first_id + n
        offer = _random_offer(rng, offers, items, places)
        day = end - timedelta(days=rng.randrange(days))
        t = _timeline(rng, offer, day, end, accepted_only=numbers is None)
        online = rng.random() < 0.8
        if numbers is not None:
            person = persons[rng.randrange(len(persons))]
            number = numbers.next(offer.division.code, day)
            rows.cases.append(_case_row(case_id, number, person, offer, t))
            rows.events.extend(_events(case_id, t))
        else:
            number = f"G{offer.division.code}{case_id:010d}"
        if t.accepted is not None:
            rows.clocks.append(_clock_row(case_id, number, offer, t, online))
        if t.completed is not None and rng.random() < 0.5:
            score = rng.choices([1, 2, 3, 4, 5], weights=[4, 4, 12, 30, 50])[0]
            rows.ratings.append(_rating_row(case_id, number, offer, t, score, rater))
        if len(rows.clocks) + len(rows.cases) >= batch:
            rows.write(out, numbers)
            if progress:
                progress(f"{n + 1}/{cases} 件")
    rows.write(out, numbers)
    if case_rows:
        _sequences_reset(Case, CaseEvent)


# ----------------------------------------------------------------------------- the rest


def _rectify(rng: random.Random, end: date) -> int:
    """Open a rectification for every bad rating without one, close most; how many."""
    pending = Rating.objects.filter(score__lte=2, excluded=False).exclude(
        pk__in=Rectification.objects.values("rating_id")
    )
    batch: list[Rectification] = []
    created = 0
    for rating in pending.iterator(chunk_size=5000):
        created += 1
        closed_at = rating.rated_at + timedelta(days=5)
        closed = rng.random() < 0.7 and closed_at.date() <= end
        batch.append(
            Rectification(
                rating_id=rating.pk,
                case_id=rating.case_id,
                number=rating.number,
                division_code=rating.division_code,
                division_path=rating.division_path,
                department_code=rating.department_code,
                department_name=rating.department_name,
                opened_at=rating.rated_at,
                due=timezone.localdate(rating.rated_at) + timedelta(days=7),
                status="closed" if closed else "open",
                closed_at=closed_at if closed else None,
            )
        )
        if len(batch) >= 5000:
            Rectification.objects.bulk_create(batch)
            batch = []
    Rectification.objects.bulk_create(batch)
    return created


def _appeals(rng: random.Random, end: date, days: int, count: int, places: list[Place]) -> int:
    start_number = Appeal.objects.count()
    batch = []
    types = [t for t, _label in AppealType.choices]
    for n in range(count):
        place = places[rng.randrange(len(places))]
        title, content = APPEAL_TEXTS[rng.randrange(len(APPEAL_TEXTS))]
        submitted = _aware(end - timedelta(days=rng.randrange(days)), 9)
        replied = submitted + timedelta(days=rng.randint(1, 10))
        dispatched = rng.random() < 0.9
        is_replied = dispatched and rng.random() < 0.8 and replied.date() <= end
        departments = place.departments
        batch.append(
            Appeal(
                number=f"GQ{start_number + n:014d}",
                appeal_type=types[rng.randrange(len(types))],
                title=title,
                content=content,
                division=place.division,
                status=AppealStatus.REPLIED if is_replied else AppealStatus.HANDLING,
                department=departments[rng.randrange(len(departments))] if dispatched else None,
                submitted_at=submitted,
                replied_at=replied if is_replied else None,
            )
        )
        if len(batch) >= 2000:
            Appeal.objects.bulk_create(batch)
            batch = []
    Appeal.objects.bulk_create(batch)
    return count


def generate(
    *,
    cases: int,
    end: date | None = None,
    days: int = 365,
    seed: int = 1,
    persons: int | None = None,
    appeals: int | None = None,
    progress: Progress | None = None,
    batch: int = 20_000,
    items: list[tuple[str, str, int, int]] | None = None,
    case_rows: bool = True,
) -> Generated:
    """Insert ``cases`` cases spread over the ``days`` before ``end`` (today by default):
    80% of those accepted long enough ago completed, about half of those rated, the bad
    ratings with rectifications; ``persons`` applicants (default one per 20 cases) with
    accounts and registry records, and ``appeals`` (default one per 20 cases). It never
    writes into the tamper-evident logs (audit, exchange messages): those only record what
    happened.

    With ``case_rows=False`` only the supervision records (clocks, ratings,
    rectifications) are written, for figures that never read the cases themselves.
    """
    if cases < 0 or days < 1:
        raise ValueError("cases must be >= 0 and days >= 1")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    end = end or timezone.localdate()
    _Backend.text_datetimes = connection.vendor == "sqlite"
    places = _places()
    if not places:
        raise ValueError("load the demo province first (tongban demo --no-serve)")
    out = Generated()
    wanted = (max(1, cases // 20) if cases else 0) if persons is None else persons
    people = _persons_generate(rng, wanted if case_rows else 0, places, progress)
    out.persons = len(people)
    if case_rows and cases and not people:
        raise ValueError("cases need at least one person to apply")
    offers = _catalog_offers() if case_rows and items is None else []
    _cases_generate(
        rng,
        cases=cases,
        end=end,
        days=days,
        persons=people,
        offers=offers,
        items=items or ITEMS,
        places=places,
        case_rows=case_rows,
        batch=batch,
        out=out,
        progress=progress,
    )
    out.rectifications = _rectify(rng, end)
    out.appeals = _appeals(rng, end, days, cases // 20 if appeals is None else appeals, places)
    if progress:
        progress(out.line())
    return out


def lookup_samples(count: int, *, seed: int = 2) -> list[tuple[str, str]]:
    """(case number, applicant ID number) of up to ``count`` random generated cases that
    are past the draft, for public status queries; read from the ids, not a table scan."""
    rng = random.Random(seed)  # noqa: S311 - sampling for benchmarks
    first = Case.objects.order_by("id").values_list("id", flat=True).first()
    last = Case.objects.order_by("-id").values_list("id", flat=True).first()
    if first is None or last is None:
        return []
    wanted = sorted({rng.randint(first, last) for _ in range(count * 2)})
    rows = (
        Case.objects.filter(pk__in=wanted, applicant__username__startswith=USERNAME_PREFIX)
        .exclude(status="draft")
        .values_list("number", "applicant__citizen__id_number")
    )
    return [(number, id_number) for number, id_number in rows][:count]
