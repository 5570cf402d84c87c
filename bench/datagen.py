"""Bulk generation of supervised cases, ratings, rectifications, appeals and exchange log
records over the demo province, for the decision-support benchmark and tests.

Rows go straight into the tables (``executemany`` for the big ones), spread over the
``days`` before ``end``; a seeded random generator makes every run the same.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from tongban.exchange.models import MessageLog
from tongban.interaction.models import Appeal, AppealStatus, AppealType
from tongban.org.models import Department, Division
from tongban.supervision.models import Clock, Rating, Rectification

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
Progress = Callable[[str], None]


@dataclass
class Generated:
    clocks: int = 0
    ratings: int = 0
    rectifications: int = 0
    appeals: int = 0
    logs: int = 0


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _places() -> list[tuple[Division, list[Department]]]:
    places = []
    for division in Division.objects.order_by("code"):
        departments = list(Department.objects.filter(division=division).order_by("code"))
        if departments:
            places.append((division, departments))
    return places


def _clock_columns() -> list[str]:
    return [
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


def _insert(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _db(value: datetime | None) -> object:
    """Aware datetimes as the backend stores them (SQLite keeps naive UTC text)."""
    if value is None:
        return None
    return connection.ops.adapt_datetimefield_value(value)


def generate(
    *,
    cases: int,
    end: date,
    days: int = 365,
    seed: int = 1,
    appeals: int | None = None,
    logs: int | None = None,
    progress: Progress | None = None,
    batch: int = 20_000,
    items: list[tuple[str, str, int, int]] | None = None,
) -> Generated:
    """Insert ``cases`` supervised cases (80% completed, about half of those rated, the bad
    ratings with rectifications), ``appeals`` appeals and ``logs`` exchange log records."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    places = _places()
    rater = get_user_model().objects.order_by("id").first()
    assert rater is not None and places, "load the demo province first"
    out = Generated()
    first_case = (
        Clock.objects.order_by("-case_id").values_list("case_id", flat=True).first() or 0
    ) + 1
    now = timezone.now()
    clock_rows: list[tuple[object, ...]] = []
    rating_rows: list[tuple[object, ...]] = []

    def flush() -> None:
        with transaction.atomic():
            _insert(Clock._meta.db_table, _clock_columns(), clock_rows)
            _insert(
                Rating._meta.db_table,
                [
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
                ],
                rating_rows,
            )
        clock_rows.clear()
        rating_rows.clear()

    for n in range(cases):
        case_id = first_case + n
        division, departments = places[rng.randrange(len(places))]
        department = departments[rng.randrange(len(departments))]
        code, name, promised, statutory = rng.choice(items or ITEMS)
        accepted_on = end - timedelta(days=rng.randrange(days))
        number = f"G{division.code}{case_id:010d}"
        used = rng.randint(0, promised + 3)
        stopped_on = accepted_on + timedelta(days=used + used // 5 * 2)
        completed = rng.random() < 0.8 and stopped_on <= end
        stopped_at = _aware(stopped_on, 16) if completed else None
        level = "normal" if completed else rng.choice(["normal", "normal", "warning", "overdue"])
        clock_rows.append(
            (
                case_id,
                number,
                code,
                name,
                division.code,
                division.path,
                division.name,
                department.code,
                department.name,
                rng.random() < 0.8,
                _db(_aware(accepted_on, 10)),
                accepted_on,
                accepted_on,
                statutory,
                promised,
                0,
                0,
                False,
                accepted_on + timedelta(days=promised),
                accepted_on + timedelta(days=statutory),
                level,
                _db(stopped_at),
                "completed" if completed else "",
                "approved" if completed else "",
                used if completed else None,
                (used <= promised) if completed else None,
                _db(now),
            )
        )
        if completed and rng.random() < 0.5:
            score = rng.choices([1, 2, 3, 4, 5], weights=[4, 4, 12, 30, 50])[0]
            out.ratings += 1
            rating_rows.append(
                (
                    case_id,
                    number,
                    score,
                    "",
                    "online",
                    rater.pk,
                    _db(stopped_at),
                    division.code,
                    division.path,
                    division.name,
                    department.code,
                    department.name,
                    False,
                )
            )
        if len(clock_rows) >= batch:
            flush()
            out.clocks = n + 1
            if progress:
                progress(f"{out.clocks}/{cases} 件")
    flush()
    out.clocks = cases
    out.rectifications = _rectify(rng, end)
    out.appeals = _appeals(rng, end, days, cases // 20 if appeals is None else appeals, places)
    out.logs = _logs(rng, end, days, cases // 20 if logs is None else logs, places)
    if progress:
        progress(f"{out}")
    return out


def _rectify(rng: random.Random, end: date) -> int:
    """Open a rectification for every bad rating without one, close most; how many."""
    pending = Rating.objects.filter(score__lte=2, excluded=False).exclude(
        pk__in=Rectification.objects.values("rating_id")
    )
    batch: list[Rectification] = []
    created = 0
    for rating in pending.iterator(chunk_size=5000):
        created += 1
        closed = rng.random() < 0.7
        closed_at = rating.rated_at + timedelta(days=5)
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
                status="closed" if closed and closed_at.date() <= end else "open",
                closed_at=closed_at if closed and closed_at.date() <= end else None,
            )
        )
        if len(batch) >= 5000:
            Rectification.objects.bulk_create(batch)
            batch = []
    Rectification.objects.bulk_create(batch)
    return created


def _appeals(rng: random.Random, end: date, days: int, count: int, places: list) -> int:
    start_number = Appeal.objects.count()
    batch = []
    types = [t for t, _label in AppealType.choices]
    for n in range(count):
        division, departments = places[rng.randrange(len(places))]
        title, content = APPEAL_TEXTS[rng.randrange(len(APPEAL_TEXTS))]
        submitted = _aware(end - timedelta(days=rng.randrange(days)), 9)
        replied = submitted + timedelta(days=rng.randint(1, 10))
        dispatched = rng.random() < 0.9
        is_replied = dispatched and rng.random() < 0.8 and replied.date() <= end
        batch.append(
            Appeal(
                number=f"GQ{start_number + n:014d}",
                appeal_type=types[rng.randrange(len(types))],
                title=title,
                content=content,
                division=division,
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


def _logs(rng: random.Random, end: date, days: int, count: int, places: list) -> int:
    departments = [d for _division, ds in places for d in ds]
    seq = (MessageLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    batch = []
    for n in range(count):
        provider, consumer = rng.choice(departments), rng.choice(departments)
        batch.append(
            MessageLog(
                seq=seq + n,
                message_id=uuid.UUID(int=rng.getrandbits(128)),
                at=_aware(end - timedelta(days=rng.randrange(days)), 11),
                client_id="bench",
                consumer_id=consumer.pk,
                provider_id=provider.pk,
                resource_code="bench",
                purpose="bench",
                request_hash="0" * 64,
                response_hash="0" * 64,
                status=200 if rng.random() < 0.95 else 503,
                prev_hash="0" * 64,
                hash="0" * 64,
            )
        )
        if len(batch) >= 5000:
            MessageLog.objects.bulk_create(batch)
            batch = []
    MessageLog.objects.bulk_create(batch)
    return count
