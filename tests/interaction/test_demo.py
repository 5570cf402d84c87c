"""The demo appeals load through the real services, in many states, exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from tongban.core.models import AuditEntry
from tongban.demo.interaction_demo import load_appeals
from tongban.interaction.models import Appeal

pytestmark = pytest.mark.django_db


def test_demo_appeals_load_once(login_as):
    created = load_appeals(lambda _line: None)
    assert created >= 200
    states = Counter(Appeal.objects.values_list("status", flat=True))
    assert {"awaiting_dispatch", "dispatched", "handling", "replied", "closed", "returned"} <= set(
        states
    )
    assert Appeal.objects.filter(published=True).exists()
    assert Appeal.objects.filter(sign_overdue=True).exists()
    assert Appeal.objects.filter(reply_overdue=True).exists()
    assert set(Appeal.objects.values_list("division_id", flat=True)) >= {
        "420100",
        "420900",
        "429005",
    }
    audits = AuditEntry.objects.count()
    assert load_appeals(lambda _line: None) == 0
    assert AuditEntry.objects.count() == audits
    published = Appeal.objects.filter(published=True).first()
    mailbox = Client().get("/interaction/mailbox/").content.decode()
    assert published.number in mailbox
    overdue = login_as("jiancha").get("/workbench/appeals/overdue/").content.decode()
    assert (
        Appeal.objects.filter(
            division__code__startswith="4201", sign_overdue=True, status="dispatched"
        )
        .first()
        .number
        in overdue
    )
