"""Killing ``tongban worker`` while it delivers events and runs the supervision sweep, then
restarting it: nothing is lost and nothing is done twice.

The worker is a real process (``python -m tongban.cli worker``) on the test database,
killed with SIGKILL at points the test observes from outside (events committed as
delivered, messages sent, the sweep holding its lock), so each kill lands mid-work. The
first test restarts real workers; the others let this process do what the next worker
would (the same service calls), which keeps them quick.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.reliability import mailbox
from tests.reliability.conftest import (
    Worker,
    accept,
    assert_case_effects_once,
    database_url,
    other_backends,
    submitted_case,
    user,
    wait_until,
)
from tongban.cases.models import Case
from tongban.core import events, periodic
from tongban.core.models import HandlerReceipt, OutboxEvent, PeriodicJobState
from tongban.core.services import outbox_deliver, periodic_run_due
from tongban.notify.models import Channel, Delivery, DeliveryStatus, Notification
from tongban.notify.services import notification_send
from tongban.org.models import Department
from tongban.supervision import selectors as supervision
from tongban.supervision.events import LevelChanged
from tongban.supervision.models import Alert, Clock, Level

CASES = 30
SWEEP = "supervision.sweep"


def delivered() -> int:
    return OutboxEvent.objects.filter(delivered_at__isnull=False).count()


def undelivered() -> int:
    return OutboxEvent.objects.filter(delivered_at__isnull=True).count()


def handler_names(topic: str) -> set[str]:
    return {name for name, _handler in events.subscribers(topic)}


def assert_receipts_follow_delivery() -> None:
    """A delivered event has a receipt from each of its handlers, an undelivered one none:
    what a killed worker did not commit left no trace."""
    receipts: dict[int, set[str]] = {}
    for event_id, handler in HandlerReceipt.objects.values_list("event_id", "handler"):
        receipts.setdefault(event_id, set()).add(handler)
    for event in OutboxEvent.objects.only("id", "topic", "delivered_at", "last_error"):
        assert event.last_error == "", event.last_error
        expected = handler_names(event.topic) if event.delivered_at else set()
        assert receipts.get(event.pk, set()) == expected, (event.pk, event.topic)


def drain(worker: Worker) -> None:
    wait_until(lambda: undelivered() == 0, what=f"the outbox to drain\n{worker.log_tail()}")


def emails_committed() -> int:
    return Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count()


def emails_in_flight(worker: Worker) -> int:
    """Emails sent by handlers whose transaction is not committed yet (read in this order,
    both counts only grow, so this never overstates)."""
    sent = len(mailbox.read(worker.mailbox))
    return sent - emails_committed()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_no_event_and_repeats_no_effect(demo, worker):
    applicant, clerk = user("hbcanyin"), user("chuangkou")
    applicant.email = "canyin@example.com"  # so that every notification is also emailed
    applicant.save(update_fields=["email"])
    made = [submitted_case(applicant) for _ in range(CASES)]
    for case in made:
        accept(case, clerk)
    only_the_sweep_is_due()

    worker.start()
    # First kill: just after a batch was committed, in the sweep or the next batch.
    wait_until(lambda: delivered() > 0, what=f"a first delivery\n{worker.log_tail()}")
    worker.kill()
    assert_receipts_follow_delivery()
    assert undelivered() > 0
    worker.start()
    # Second kill: while email goes out, in the middle of the batch that sends it if the
    # test sees it there, else just after the first email was committed.
    wait_until(
        lambda: emails_in_flight(worker) > 0 or emails_committed() > 0,
        what=f"email to go out\n{worker.log_tail()}",
    )
    worker.kill()
    assert_receipts_follow_delivery()
    assert undelivered() > 0
    worker.start()
    drain(worker)
    worker.stop()

    assert_receipts_follow_delivery()
    topics = OutboxEvent.objects.values_list("topic", flat=True)
    expected = sum(len(handler_names(topic)) for topic in topics)
    assert HandlerReceipt.objects.count() == expected
    assert_case_effects_once(made, applicant)
    deliveries = Counter(Delivery.objects.values_list("channel", "status"))
    assert deliveries == {
        (Channel.EMAIL, DeliveryStatus.SENT): 2 * CASES,
        (Channel.SMS, DeliveryStatus.SKIPPED): 2 * CASES,  # an enterprise has no mobile
    }
    numbers = set(Case.objects.filter(pk__in=[c.pk for c in made]).values_list("number", flat=True))
    emailed = {
        (message["subject"], number)
        for message in mailbox.read(worker.mailbox)
        for number in numbers
        if number in message["body"]
    }
    assert len(emailed) == 2 * CASES  # each case's two messages reached the mailbox


@pytest.mark.django_db(transaction=True)
def test_a_crash_resends_at_most_the_message_in_flight(demo, worker, settings, monkeypatch):
    """Email and SMS leave the platform before the delivery is committed, so a crash can
    repeat a message; at most the one being sent when the worker died should be. (This
    process takes over from the killed worker, with the same mailbox.)"""
    settings.EMAIL_BACKEND = "tests.reliability.mailbox.JsonLinesBackend"
    monkeypatch.setenv("TONGBAN_TEST_MAILBOX", str(worker.mailbox))
    recipient = user("zhangsan")
    recipient.email = "zhangsan@example.com"
    recipient.save(update_fields=["email"])
    count = 120
    for number in range(count):
        notification_send(
            user_id=recipient.pk,
            topic="reliability.check",
            title=f"测试消息 {number}",
            body="",
            channels=(Channel.EMAIL,),
        )
    only_the_sweep_is_due()

    worker.start()
    wait_until(
        lambda: emails_in_flight(worker) >= 2 or emails_committed() >= count // 2,
        what=f"messages to go out\n{worker.log_tail()}",
    )
    worker.kill()
    while outbox_deliver():
        pass

    sent = Counter(message["subject"] for message in mailbox.read(worker.mailbox))
    assert set(sent) == {f"测试消息 {number}" for number in range(count)}
    resent = sum(times - 1 for times in sent.values())
    assert resent <= 1, f"{resent} messages were sent twice after one crash"


def sweep_clocks(*, running: int, late_every: int) -> list[Clock]:
    """``running`` clocks of 武汉 综合窗口 cases; every ``late_every``-th is past its
    promised deadline (the sweep turns it red), the others have months left."""
    department = Department.objects.select_related("division").get(division_id="420100", code="zsj")
    today = timezone.localdate()
    calendar = supervision.calendar_since(today - timedelta(days=60))
    clocks = []
    for index in range(running):
        late = index % late_every == late_every // 2
        start = today - timedelta(days=60 if late else 1)
        limit = 5 if late else 100
        clocks.append(
            Clock(
                case_id=900_000 + index,
                number=f"420100-TEST-{index:05d}",
                item_code="420100-XK-001",
                item_name="食品经营许可",
                division_code="420100",
                division_path=department.division.path,
                division_name=department.division.name,
                department_code="zsj",
                department_name=str(department.name),
                accepted_at=timezone.now() - timedelta(days=60 if late else 1),
                accepted_on=start,
                clock_start=start,
                statutory_limit=limit,
                promised_limit=limit,
                deadline=calendar.add(start, limit),
                statutory_deadline=calendar.add(start, limit),
            )
        )
    return Clock.objects.bulk_create(clocks, batch_size=500)


def only_the_sweep_is_due() -> None:
    """Every other periodic job just ran, so the worker's next pass runs the sweep alone."""
    now = timezone.now()
    for job in periodic.jobs():
        if job.name != SWEEP:
            PeriodicJobState.objects.update_or_create(name=job.name, defaults={"last_run_at": now})


def sweep_ran() -> bool:
    return PeriodicJobState.objects.filter(name=SWEEP, last_run_at__isnull=False).exists()


class SweepBlocker:
    """Holds the sweep in the middle of its run, so that the kill lands there.

    On PostgreSQL a row lock on a late clock, taken in a session of its own, does it: the
    sweep has changed the clocks before that one and waits to update it. SQLite has no row
    locks; there the sweep holds the database's write lock for its whole run (it is one
    transaction), and seeing that lock held on consecutive probes means it is under way.
    """

    def __init__(self, clock: Clock):
        self.clock = clock
        self.session: psycopg.Connection[Any] | None = None
        self.probes = 0

    def __enter__(self) -> SweepBlocker:
        if connection.vendor == "postgresql":
            self.session = psycopg.connect(database_url())
            self.session.execute(
                f"SELECT id FROM {Clock._meta.db_table} WHERE id = %s FOR UPDATE",
                [self.clock.pk],
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()

    def sweep_under_way(self) -> bool:
        if self.session is not None:
            return self._sweep_waits_on_the_lock()
        self.probes = self.probes + 1 if self._write_lock_taken() else 0
        return self.probes >= 3

    @staticmethod
    def _sweep_waits_on_the_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            return bool(cursor.fetchone()[0])

    @staticmethod
    def _write_lock_taken() -> bool:
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.05)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_mid_run_leaves_no_half_state_and_runs_again(demo, worker):
    clocks = sweep_clocks(running=3000, late_every=50)
    late = [clock for clock in clocks if clock.clock_start < timezone.localdate() - timedelta(30)]
    only_the_sweep_is_due()
    recipients = supervision.recipients_for(division_code="420100", department_code="zsj")
    assert recipients, "the demo has staff and supervisors to tell"

    with SweepBlocker(late[len(late) * 3 // 4]) as blocker:
        worker.start()
        wait_until(blocker.sweep_under_way, what=f"the sweep to start\n{worker.log_tail()}")
        worker.kill(session_ends=False)  # it waits on the blocker's lock until released
    wait_until(lambda: other_backends() == 0, what="the killed worker's session to end")

    assert not sweep_ran()  # so the next worker runs it again
    assert not Alert.objects.exists()
    assert set(Clock.objects.values_list("level", flat=True)) == {Level.NORMAL}
    assert not OutboxEvent.objects.filter(topic=LevelChanged.topic).exists()

    assert SWEEP in periodic_run_due()  # what the next worker does first, here
    while outbox_deliver():
        pass

    assert PeriodicJobState.objects.get(name=SWEEP).last_error == ""
    late_ids = sorted(clock.pk for clock in late)
    assert sorted(Alert.objects.values_list("clock_id", flat=True)) == late_ids
    assert sorted(Clock.objects.exclude(level=Level.NORMAL).values_list("pk", flat=True)) == (
        late_ids
    )
    changed = OutboxEvent.objects.filter(topic=LevelChanged.topic)
    assert sorted(event.payload["case_id"] for event in changed) == sorted(
        clock.case_id for clock in late
    )
    told = Counter(
        Notification.objects.filter(topic=LevelChanged.topic).values_list("recipient_id", "title")
    )
    assert len(told) == len(late) * len(recipients)
    assert set(told.values()) == {1}
