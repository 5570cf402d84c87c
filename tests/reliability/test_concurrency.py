"""Races on one task, one draft, one idempotency key and one outbox: exactly one effect.

Each race starts its contenders together on a barrier, each in a thread with its own
database connection, on committed data (transactional tests). On PostgreSQL the rows
they share are locked; on SQLite the writers queue on the database lock. Already covered
elsewhere and not repeated here: two completions of one task (tests/workflow/test_api.py)
and one idempotency key with one body (tests/cases/test_lifecycle.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from tests.reliability.conftest import (
    BUNDLE,
    accept,
    assert_case_effects_once,
    draft_case,
    open_tasks,
    restaurant_form,
    submitted_case,
    user,
)
from tongban.accounts.models import Role
from tongban.accounts.services import staff_create, staff_role_grant
from tongban.cases import services as cases
from tongban.cases.events import CaseSubmitted
from tongban.cases.models import Case, CaseStatus
from tongban.core import events
from tongban.core.errors import Conflict
from tongban.core.models import AuditEntry, HandlerReceipt, OutboxEvent
from tongban.core.services import outbox_deliver
from tongban.org.models import Department
from tongban.workflow import services as workflow
from tongban.workflow.models import HumanTaskStatus, ProcessInstance

pytestmark = pytest.mark.django_db(transaction=True)

create = partial(cases.case_create, bundle=BUNDLE)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, one thread each; returns what each returned or
    the domain error it raised. Any other error fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def contender(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index] = call()
        except Conflict as exc:
            outcomes[index] = exc
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=contender, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a contender never finished"
    if failures:
        raise failures[0]
    return outcomes


def conflicts(outcomes: list[Any]) -> list[str]:
    return sorted(outcome.code for outcome in outcomes if isinstance(outcome, Conflict))


def winners(outcomes: list[Any]) -> list[Any]:
    return [outcome for outcome in outcomes if not isinstance(outcome, Conflict)]


@pytest.fixture
def clerks(demo):
    """The demo's window clerk of 武汉 and a second one at the same window."""
    second = staff_create(
        username="chuangkou2", password="Tongban-test-2026", display_name="李窗口"
    )
    window = Department.objects.get(division_id="420100", code="zsj")
    staff_role_grant(user=second, department_id=window.pk, role=Role.WINDOW_CLERK)
    return user("chuangkou"), second


def test_two_clerks_claiming_one_task_one_wins(clerks):
    applicant = user("hbcanyin")
    for _round in range(3):
        case = submitted_case(applicant)
        (task,) = open_tasks(case)
        outcomes = race(*(partial(workflow.task_claim, task_id=task.pk, user=c) for c in clerks))

        assert conflicts(outcomes) == ["task_claimed"]
        (won,) = winners(outcomes)
        task.refresh_from_db()
        assert (task.status, task.claimed_by_id) == (HumanTaskStatus.CLAIMED, won.claimed_by_id)
        claims = AuditEntry.objects.filter(action="task.claim", object_id=str(task.pk))
        assert claims.count() == 1


def test_a_claim_racing_a_completion_leaves_one_consistent_outcome(clerks):
    applicant = user("hbcanyin")
    claimer, completer = clerks
    for _round in range(3):
        case = submitted_case(applicant)
        (task,) = open_tasks(case)
        outcomes = race(
            partial(workflow.task_claim, task_id=task.pk, user=claimer),
            partial(workflow.task_complete, task_id=task.pk, user=completer, decision="approve"),
        )

        task.refresh_from_db()
        case.refresh_from_db()
        if conflicts(outcomes) == ["task_claimed"]:  # the claim came first
            assert (task.status, task.claimed_by_id) == (HumanTaskStatus.CLAIMED, claimer.pk)
            assert case.status == CaseStatus.SUBMITTED
        else:
            assert conflicts(outcomes) == ["task_completed"]
            assert (task.status, task.completed_by_id) == (HumanTaskStatus.COMPLETED, completer.pk)
            assert case.status == CaseStatus.IN_REVIEW
            assert sorted(t.department_code for t in open_tasks(case)) == ["scjg", "sthjj", "xfzd"]


def test_parallel_reviewers_deciding_at_once_join_exactly_once(demo):
    """The three parallel reviews of the restaurant bundle completed at the same moment:
    none is lost from the process state and the join opens the final step once."""
    case = submitted_case(user("hbcanyin"))
    accept(case, user("chuangkou"))
    reviews = {task.department_code: task for task in open_tasks(case)}
    reviewers = {"scjg": "scjg", "xfzd": "xiaofang", "sthjj": "huanbao"}
    assert set(reviews) == set(reviewers)

    outcomes = race(
        *(
            partial(workflow.task_complete, task_id=task.pk, user=reviewer, decision="approve")
            for task, reviewer in ((reviews[code], user(name)) for code, name in reviewers.items())
        )
    )

    assert conflicts(outcomes) == []
    assert {task.status for task in winners(outcomes)} == {HumanTaskStatus.COMPLETED}
    (final,) = open_tasks(case)
    assert (final.department_code, final.role) == ("zsj", Role.WINDOW_CLERK)
    workflow.task_complete(task_id=final.pk, user=user("chuangkou"), decision="approve")
    case.refresh_from_db()
    assert (case.status, case.result) == (CaseStatus.COMPLETED, "approved")


def test_one_draft_submitted_twice_at_once_starts_one_process(demo):
    applicant = user("hbcanyin")
    draft = draft_case(applicant)

    outcomes = race(*[partial(cases.case_submit, user=applicant, case_id=draft.pk)] * 2)

    assert conflicts(outcomes) == ["case_not_editable"]
    draft.refresh_from_db()
    assert draft.status == CaseStatus.SUBMITTED
    processes = ProcessInstance.objects.filter(business_type="case", business_id=str(draft.pk))
    assert list(processes.values_list("pk", flat=True)) == [draft.process_instance_id]
    assert len(open_tasks(draft)) == 1
    told = [e.payload["case_id"] for e in OutboxEvent.objects.filter(topic=CaseSubmitted.topic)]
    assert Counter(told)[draft.pk] == 1


def test_the_days_first_applications_racing_get_one_case_per_key_and_distinct_numbers(demo):
    """Four applications at the start of a day: two reuse one Idempotency-Key with
    different forms (one must be refused), all race to create the day's number sequence."""
    enterprise, citizen = user("hbcanyin"), user("zhangsan")
    form = restaurant_form()
    other_form = dict(form, address="武汉市江岸区沿江大道 1 号")
    outcomes = race(
        partial(create, user=enterprise, form=form, idempotency_key="k-race"),
        partial(create, user=enterprise, form=other_form, idempotency_key="k-race"),
        partial(create, user=citizen, form=form),
        partial(create, user=citizen, form=form),
    )

    assert conflicts(outcomes) == ["idempotency_key_reused"]
    made = [case for case, created in winners(outcomes) if created]
    assert len(made) == 3
    assert Case.objects.filter(applicant=enterprise).count() == 1
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert [number[-5:] for number in numbers] == ["00001", "00002", "00003"]


def test_two_workers_draining_one_outbox_deliver_each_event_once(demo):
    applicant, clerk = user("hbcanyin"), user("chuangkou")
    made = [submitted_case(applicant) for _ in range(6)]
    for case in made:
        accept(case, clerk)

    def drain() -> int:
        total = 0
        while delivered := outbox_deliver(batch=5):
            total += delivered
        return total

    outcomes = race(drain, drain)

    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    assert sum(outcomes) == OutboxEvent.objects.count()
    topics = OutboxEvent.objects.values_list("topic", flat=True)
    expected = sum(len(events.subscribers(topic)) for topic in topics)
    assert HandlerReceipt.objects.count() == expected
    assert_case_effects_once(made, applicant)
