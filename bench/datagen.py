"""Supervision records (clocks, ratings, rectifications), appeals and exchange log records
without case rows, for the decision-support benchmark and tests: the product's generator
(``tongban.demo.generate``, ``tongban generate``) with ``case_rows=False``, whose figures
never read the cases themselves, plus exchange log rows.

The log rows carry placeholder hashes outside the message chain, so that the exchange
figures have a history: use this only on throwaway databases (the product's generator
never writes into the tamper-evident logs)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from tongban.demo.generate import ITEMS
from tongban.demo.generate import Generated as CaseData
from tongban.demo.generate import generate as _generate
from tongban.exchange.models import MessageLog
from tongban.org.models import Department

__all__ = ["ITEMS", "Generated", "generate"]


@dataclass
class Generated(CaseData):
    logs: int = 0


def generate(*, logs: int | None = None, **options: Any) -> Generated:
    made = _generate(case_rows=False, persons=0, **options)
    end = options.get("end") or timezone.localdate()
    days = options.get("days", 365)
    count = options["cases"] // 20 if logs is None else logs
    rng = random.Random(options.get("seed", 1))  # noqa: S311 - reproducible test data
    return Generated(**vars(made), logs=_logs(rng, end, days, count))


def _logs(rng: random.Random, end: date, days: int, count: int) -> int:
    departments = list(Department.objects.order_by("id"))
    seq = (MessageLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    batch = []
    for n in range(count):
        provider, consumer = rng.choice(departments), rng.choice(departments)
        day = end - timedelta(days=rng.randrange(days))
        batch.append(
            MessageLog(
                seq=seq + n,
                message_id=uuid.UUID(int=rng.getrandbits(128)),
                at=timezone.make_aware(datetime.combine(day, time(11, 0))),
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
