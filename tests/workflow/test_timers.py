"""Timers: escalation of overdue user tasks (督办) and intermediate timer events, fired by a
periodic job at a time the test chooses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.accounts.models import User
from tongban.core import periodic
from tongban.core.errors import Conflict, ValidationFailed
from tongban.core.models import OutboxEvent
from tongban.workflow import engine
from tongban.workflow.models import HumanTask, ProcessInstance
from tongban.workflow.selectors import task_inbox
from tongban.workflow.services import process_register, process_start, task_complete, timers_fire

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def user(username: str) -> User:
    return User.objects.get(username=username)


def inbox(username: str) -> list[HumanTask]:
    return task_inbox(user=user(username)).items


def only_task(username: str) -> HumanTask:
    tasks = inbox(username)
    assert len(tasks) == 1, [t.title for t in tasks]
    return tasks[0]


def start(key: str, data: dict | None = None) -> ProcessInstance:
    return process_start(
        key=key,
        business_type="test",
        business_id="T-1",
        division_code="420100",
        department_code="scjg",
        data=data,
    )


def start_review() -> ProcessInstance:
    """fee_review routed to a reviewer, who has three days before the head takes over."""
    return start("fee_review", {"applicant_type": "enterprise", "floor_area": 120})


def escalations() -> list[dict]:
    return list(
        OutboxEvent.objects.filter(topic="workflow.task_escalated").values_list(
            "payload", flat=True
        )
    )


@pytest.mark.django_db
def test_the_timer_job_is_registered():
    assert "workflow_timers" in {job.name for job in periodic.jobs()}


@pytest.mark.django_db
def test_a_timer_not_yet_due_does_nothing(demo):
    instance = start_review()
    due = instance.next_timer_at
    assert due is not None
    assert timedelta(days=3) - timedelta(minutes=1) < due - timezone.now() <= timedelta(days=3)
    assert timers_fire(now=due - timedelta(hours=1)) == 0
    review = only_task("scjg")
    assert review.status == "open" and inbox("scjg-head") == []
    instance.refresh_from_db()
    assert instance.next_timer_at == due and escalations() == []


@pytest.mark.django_db
def test_a_due_timer_escalates_to_the_head_exactly_once(demo):
    instance = start_review()
    review = only_task("scjg")
    later = instance.next_timer_at + timedelta(minutes=5)
    assert timers_fire(now=later) == 1
    assert timers_fire(now=later) == 0  # the job runs again: nothing fires twice
    review.refresh_from_db()
    assert review.status == "cancelled" and inbox("scjg") == []
    escalated = only_task("scjg-head")
    assert escalated.title == "超期督办：负责人审查" and escalated.instance_id == instance.pk
    assert escalations() == [
        {"task_id": review.pk, "instance_id": instance.pk, "timer": "review_overdue",
         "interrupting": True}
    ]  # fmt: skip
    instance.refresh_from_db()
    assert instance.next_timer_at is None
    with pytest.raises(Conflict):
        task_complete(task_id=review.pk, user=user("scjg"), decision="approve")
    task_complete(task_id=escalated.pk, user=user("scjg-head"), decision="approve")
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.outcome == "end_approved"


@pytest.mark.django_db
def test_completing_a_task_before_its_timer_removes_the_timer(demo):
    instance = start_review()
    due = instance.next_timer_at
    task_complete(task_id=only_task("scjg").pk, user=user("scjg"), decision="approve")
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.next_timer_at is None
    assert timers_fire(now=due + timedelta(days=1)) == 0
    assert inbox("scjg-head") == [] and escalations() == []


@pytest.mark.django_db
def test_only_due_instances_fire(demo):
    early = start_review()
    late = start_review()
    ProcessInstance.objects.filter(pk=late.pk).update(
        next_timer_at=late.next_timer_at + timedelta(days=1)
    )
    assert timers_fire(now=early.next_timer_at + timedelta(minutes=5)) == 1
    assert [e["instance_id"] for e in escalations()] == [early.pk]


def bpmn(body: str, lanes: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="timed"/></bpmn:collaboration>
  <bpmn:process id="timed" isExecutable="true">
    <bpmn:laneSet id="ls">{lanes}</bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    {body}
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def lane(name: str, node: str) -> str:
    ref = f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>"
    return f'<bpmn:lane id="lane_{node}" name="{name}">{ref}</bpmn:lane>'


REMINDER = bpmn(
    """<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="handle"/>
    <bpmn:userTask id="handle" name="受理"/>
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="e"/>
    <bpmn:boundaryEvent id="remind" name="催办" attachedToRef="handle" cancelActivity="false">
      <bpmn:timerEventDefinition id="t"><bpmn:timeDuration>PT48H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="supervise"/>
    <bpmn:userTask id="supervise" name="督办"/>
    <bpmn:sequenceFlow id="f4" sourceRef="supervise" targetRef="e2"/>
    <bpmn:endEvent id="e2"/>""",
    lanes=lane("zsj:window_clerk", "handle") + lane("handler:head", "supervise"),
)


@pytest.mark.django_db
def test_a_non_interrupting_timer_keeps_the_task_and_adds_a_reminder(demo):
    process_register(bpmn_xml=REMINDER)
    instance = start("timed")
    handle = only_task("chuangkou")
    assert timers_fire(now=instance.next_timer_at + timedelta(seconds=1)) == 1
    assert only_task("chuangkou").pk == handle.pk  # still open
    assert only_task("scjg-head").title == "督办"
    assert [(e["task_id"], e["interrupting"]) for e in escalations()] == [(handle.pk, False)]
    instance.refresh_from_db()
    assert instance.next_timer_at is None  # the boundary timer fires once
    task_complete(task_id=handle.pk, user=user("chuangkou"), decision="approve")
    assert only_task("scjg-head").title == "督办"


WAIT = bpmn(
    """<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="publicity"/>
    <bpmn:intermediateCatchEvent id="publicity" name="公示期">
      <bpmn:timerEventDefinition id="t"><bpmn:timeDuration>"P5D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="publicity" targetRef="handle"/>
    <bpmn:userTask id="handle" name="公示期满办结"/>
    <bpmn:sequenceFlow id="f3" sourceRef="handle" targetRef="e"/>""",
    lanes=lane("zsj:window_clerk", "handle"),
)


@pytest.mark.django_db
def test_an_intermediate_timer_waits_then_continues(demo):
    process_register(bpmn_xml=WAIT)
    instance = start("timed")
    assert inbox("chuangkou") == []
    assert timedelta(days=4) < instance.next_timer_at - timezone.now() <= timedelta(days=5)
    assert timers_fire(now=instance.next_timer_at - timedelta(days=1)) == 0
    assert timers_fire(now=instance.next_timer_at + timedelta(seconds=1)) == 1
    assert only_task("chuangkou").title == "公示期满办结"
    assert escalations() == []  # waiting is not an escalation
    instance.refresh_from_db()
    assert instance.next_timer_at is None


def with_timer(definition: str) -> str:
    return WAIT.replace('<bpmn:timeDuration>"P5D"</bpmn:timeDuration>', definition)


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        ("<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>", "循环定时"),
        ("<bpmn:timeDuration>P5X</bpmn:timeDuration>", "ISO 8601"),
        ('<bpmn:timeDuration>"soon"</bpmn:timeDuration>', "ISO 8601"),
        ('<bpmn:timeDate>"next week"</bpmn:timeDate>', "ISO 8601"),
        ("<bpmn:timeDuration>__import__('os')</bpmn:timeDuration>", "ISO 8601"),
    ],
    ids=["cycle", "bad-duration", "words", "bad-date", "sandbox"],
)
def test_bad_timers_are_refused_with_the_reason(definition, reason):
    with pytest.raises(ValidationFailed) as info:
        engine.process_parse(with_timer(definition))
    assert reason in info.value.message and info.value.field == "bpmn_xml"


@pytest.mark.parametrize(
    "definition",
    [
        "<bpmn:timeDuration>PT48H</bpmn:timeDuration>",
        "<bpmn:timeDuration>P3D</bpmn:timeDuration>",
        "<bpmn:timeDuration>escalate_after</bpmn:timeDuration>",
        "<bpmn:timeDate>2030-01-31T17:00:00+08:00</bpmn:timeDate>",
    ],
)
def test_timers_take_iso_values_bare_quoted_or_from_data(definition):
    assert engine.process_parse(with_timer(definition)).key == "timed"


@pytest.mark.django_db
def test_a_duration_from_the_case_data(demo):
    process_register(bpmn_xml=with_timer("<bpmn:timeDuration>escalate_after</bpmn:timeDuration>"))
    instance = start("timed", {"escalate_after": "PT2H"})
    assert timedelta(hours=1) < instance.next_timer_at - timezone.now() <= timedelta(hours=2)
