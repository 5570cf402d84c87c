from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.core.management import call_command

from tongban.core import events
from tongban.core.models import HandlerReceipt, OutboxEvent
from tongban.core.services import event_emit, outbox_deliver


@dataclass(frozen=True)
class ThingHappened(events.DomainEvent):
    topic: ClassVar[str] = "test.thing_happened"
    thing_id: int


calls: list[tuple[str, int]] = []
failures = {"remaining": 0}


def record_handler(event_id, payload):
    calls.append(("record", payload["thing_id"]))


def flaky_handler(event_id, payload):
    if failures["remaining"] > 0:
        failures["remaining"] -= 1
        raise RuntimeError("downstream unavailable")
    calls.append(("flaky", payload["thing_id"]))


@pytest.fixture(autouse=True)
def handlers():
    calls.clear()
    events.subscribe(ThingHappened.topic, record_handler)
    events.subscribe(ThingHappened.topic, flaky_handler)
    yield
    events._subscribers.pop(ThingHappened.topic, None)


@pytest.mark.django_db
def test_events_are_delivered_once_to_each_handler():
    event_emit(ThingHappened(thing_id=7))
    assert outbox_deliver() == 1
    assert outbox_deliver() == 0
    assert sorted(calls) == [("flaky", 7), ("record", 7)]
    assert OutboxEvent.objects.get().delivered_at is not None


@pytest.mark.django_db
def test_a_failing_handler_is_retried_without_repeating_the_others():
    failures["remaining"] = 1
    event_emit(ThingHappened(thing_id=8))
    assert outbox_deliver() == 0
    event = OutboxEvent.objects.get()
    assert event.delivered_at is None and "downstream unavailable" in event.last_error
    assert calls == [("record", 8)]
    assert event.next_attempt_at > event.created_at  # backing off
    assert outbox_deliver() == 0
    OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.created_at)
    assert outbox_deliver() == 1
    assert calls == [("record", 8), ("flaky", 8)]
    assert HandlerReceipt.objects.filter(event=event).count() == 2
    event.refresh_from_db()
    assert event.last_error == "" and event.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_emits_nothing():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit(ThingHappened(thing_id=9))
        raise RuntimeError("abort")
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_worker_once_delivers_and_runs_periodic_jobs(capsys):
    from tongban.core.models import PeriodicJobState
    from tongban.core.services import audit_record

    audit_record(action="test.write")
    event_emit(ThingHappened(thing_id=10))
    call_command("worker", "--once")
    assert ("record", 10) in calls
    state = PeriodicJobState.objects.get(name="audit_checkpoint")
    assert state.last_run_at is not None and state.last_error == ""
    assert "delivered 1 events" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_worker_keeps_running_through_database_errors(monkeypatch):
    """A failed pass is logged and retried; the loop ends only when asked to stop."""
    import signal

    from django.db import OperationalError

    from tongban.core.management.commands import worker

    outcomes = iter([OperationalError("server closed the connection"), 0])
    sleeps: list[float] = []

    def flaky_pass(self):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        signal.raise_signal(signal.SIGTERM)  # stop after the recovered pass
        return outcome

    monkeypatch.setattr(worker.Command, "run_pass", flaky_pass)
    monkeypatch.setattr(worker.time, "sleep", sleeps.append)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        call_command("worker")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert sleeps[0] == worker.RETRY_SECONDS
