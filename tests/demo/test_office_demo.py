"""The demo collaborative office (issue 10): at least 30 documents in various states, a
dispatched one received in 孝感, 10 supervised work items (overdue and closed ones), read
notices, two active groups and meetings — and the overdue 会签 on the supervisor's desk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.loader import load_demo
from tongban.office.models import (
    Circulation,
    Document,
    Group,
    Meeting,
    Message,
    Notice,
    NoticeRead,
    Receipt,
    WorkItem,
)
from tongban.office.selectors import documents as document_selectors
from tongban.office.selectors.rendering import rendered_document
from tongban.office.selectors.workitems import overdue_page
from tongban.org.selectors import department_by_code

pytestmark = pytest.mark.django_db

Loaded = tuple[dict[str, int], list[str]]

CHEAP = {
    "catalog": False,
    "sample_cases": False,
    "exchange": False,
    "interaction": False,
    "opendata": False,
    "analytics": False,
}


@pytest.fixture(scope="module")
def office_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Loaded]:
    """The demo loaded once for the module; each test runs in a savepoint inside this
    transaction, which is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        lines: list[str] = []
        counts = load_demo(progress=lines.append, **CHEAP)
        yield counts, lines
        transaction.set_rollback(True)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def test_documents_in_every_state(office_demo: Any) -> None:
    counts, lines = office_demo
    assert Document.objects.count() == counts["office_documents"] >= 30
    statuses = set(Document.objects.values_list("status", flat=True))
    assert len(statuses) >= 4
    assert {"draft", "reviewing", "countersigning", "dispatched", "returned"} <= statuses
    assert Document.objects.filter(classification__gt=0).exists()
    assert {"normal", "urgent", "extra_urgent"} <= set(
        Document.objects.values_list("urgency", flat=True)
    )
    assert any(line.startswith("  office documents: ") for line in lines)
    for document in Document.objects.filter(status="dispatched"):
        assert document_selectors.trail_verify(document.pk)


def test_the_report_to_the_province_is_an_upward_document(office_demo: Any) -> None:
    report = Document.objects.get(title="关于报送2026年一季度市场主体登记情况的报告")
    assert report.direction == "up" and report.status == "dispatched"
    printed = rendered_document(report)
    assert printed.upward and printed.signer == "黄局长" and printed.number == report.number
    assert set(Document.objects.exclude(pk=report.pk).values_list("direction", flat=True)) == {
        "down"
    }


def test_receipts_in_xiaogan(office_demo: Any) -> None:
    xg = department_by_code(division_code="420900", code="scjg")
    receipts = Receipt.objects.filter(department=xg, document__status="dispatched")
    assert {"pending", "registered", "proposed", "handling", "circulating", "filed"} <= set(
        receipts.values_list("status", flat=True)
    )
    assert Circulation.objects.filter(receipt__department=xg, read_at__isnull=False).exists()
    assert Circulation.objects.filter(receipt__department=xg, read_at__isnull=True).exists()
    assert document_selectors.incoming_for(_user("xg-scjg")).items


def test_work_items_overdue_and_closed(office_demo: Any) -> None:
    assert WorkItem.objects.count() >= 10
    assert WorkItem.objects.filter(status="open", level="red").exists()
    assert WorkItem.objects.filter(status="open", level="yellow").exists()
    closed = WorkItem.objects.filter(status="closed")
    assert closed.exists() and all(item.evaluation for item in closed)


def test_supervisor_sees_overdue_countersigning_and_work_items(office_demo: Any) -> None:
    jiancha = _user("jiancha")
    steps = overdue_page(user=jiancha, kind="steps", level="red").items
    assert any(row.step.startswith("countersign") and row.days_overdue > 0 for row in steps)
    items = overdue_page(user=jiancha, kind="work_items", level="red").items
    assert any(row.days_overdue > 0 for row in items)


def test_notices_groups_and_meetings(office_demo: Any) -> None:
    assert NoticeRead.objects.exists() and Notice.objects.count() >= 3
    active = Group.objects.filter(pk__in=Message.objects.values("group_id"))
    assert set(active.values_list("kind", flat=True)) == {"department", "project"}
    assert Meeting.objects.filter(status="held").exclude(minutes="").exists()
    assert Meeting.objects.filter(status="scheduled", invitations__response="accepted").exists()


def test_department_heads_log_in_with_the_demo_password(office_demo: Any) -> None:
    for username in ("scjg-head", "xg-scjg-head"):
        assert _user(username).check_password(DEMO_PASSWORD)


def test_loading_again_adds_nothing(office_demo: Any) -> None:
    before = (Document.objects.count(), WorkItem.objects.count(), Meeting.objects.count())
    lines: list[str] = []
    load_demo(progress=lines.append, **CHEAP)
    assert (Document.objects.count(), WorkItem.objects.count(), Meeting.objects.count()) == before
    assert "  office: already there" in lines
