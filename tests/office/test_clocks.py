"""Step clocks of office workflow tasks: started from the real workflow events of a tiny
office process, closed by completion and by cancellation, swept to yellow and red with
one notice per level, and listed for the supervisor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tongban.core.errors import PermissionDenied
from tongban.core.models import AuditEntry
from tongban.core.services import outbox_deliver
from tongban.notify.models import Notification
from tongban.office.models import ClockLevel, Document, StepClock, StepLimit
from tongban.office.selectors import clocks as clock_selectors
from tongban.office.selectors import workitems as workitem_selectors
from tongban.office.services import clocks
from tongban.workflow.models import HumanTask
from tongban.workflow.services import process_register, process_start, task_complete

from .test_workitems import Org, build_org

pytestmark = pytest.mark.django_db

PROCESS = "office_clock_test"
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="https://tongban.example/processes">
  <bpmn:collaboration id="collab">
    <bpmn:participant id="pool" name="发文（测试）" processRef="{PROCESS}"/>
  </bpmn:collaboration>
  <bpmn:process id="{PROCESS}" name="发文（测试）" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="l_review" name="handler:reviewer">
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="l_fire" name="xfzd:head">
        <bpmn:flowNodeRef>countersign_xfzd</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="l_env" name="sthjj:head">
        <bpmn:flowNodeRef>countersign_sthjj</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="核稿"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="ok"/>
    <bpmn:exclusiveGateway id="ok" default="f_no"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="ok" targetRef="split">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="ok" targetRef="end_returned"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="countersign_xfzd"/>
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="countersign_sthjj"/>
    <bpmn:userTask id="countersign_xfzd" name="会签"/>
    <bpmn:userTask id="countersign_sthjj" name="会签"/>
    <bpmn:sequenceFlow id="f5" sourceRef="countersign_xfzd" targetRef="fire_ok"/>
    <bpmn:exclusiveGateway id="fire_ok" default="f_fire_no"/>
    <bpmn:sequenceFlow id="f_fire_yes" sourceRef="fire_ok" targetRef="join">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_fire_no" sourceRef="fire_ok" targetRef="end_rejected"/>
    <bpmn:sequenceFlow id="f6" sourceRef="countersign_sthjj" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:endEvent id="end_returned"/>
    <bpmn:endEvent id="end_rejected"><bpmn:terminateEventDefinition id="term"/></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def org(db) -> Org:
    built = build_org()
    process_register(bpmn_xml=BPMN)
    StepLimit.objects.create(process=PROCESS, step="review", working_days=1, warn_days=0)
    for department in ("xfzd", "sthjj"):
        StepLimit.objects.create(
            process=PROCESS, step=f"countersign_{department}", working_days=3, warn_days=1
        )
    return built


def start_document(org: Org, business_type: str = "office.document") -> Document:
    document = Document.objects.create(
        issuer=org.scjg, title="关于开展消防安全检查的通知", body="正文", drafter=org.clerk
    )
    process_start(
        key=PROCESS,
        business_type=business_type,
        business_id=str(document.pk),
        division_code="420100",
        department_code="scjg",
    )
    outbox_deliver()
    return document


def open_task(step: str) -> HumanTask:
    return HumanTask.objects.get(step=step, status__in=["open", "claimed"])


def to_countersign(org: Org) -> Document:
    document = start_document(org)
    task_complete(task_id=open_task("review").pk, user=org.clerk, decision="approve")
    outbox_deliver()
    return document


def test_clock_starts_with_the_task_and_stops_with_it(org):
    document = start_document(org)
    review = open_task("review")
    clock = StepClock.objects.get(task_id=review.pk)
    assert (clock.process, clock.step, clock.title) == (PROCESS, "review", "核稿")
    assert clock.document_id == document.pk
    assert (clock.division_code, clock.department_code) == ("420100", "scjg")
    assert clock.warn_on == clock.due_on and clock.due_on > clock.started_on
    assert clock.completed_at is None
    # Redelivery and a second start are harmless: one clock per task.
    again = clocks.clock_start_for_task(task_id=review.pk)
    assert again is not None and again.pk == clock.pk
    task_complete(task_id=review.pk, user=org.clerk, decision="approve")
    outbox_deliver()
    clock.refresh_from_db()
    assert clock.completed_at is not None
    countersigns = StepClock.objects.filter(step__startswith="countersign", completed_at=None)
    assert countersigns.count() == 2
    fire = countersigns.get(department_code="xfzd")
    assert clock_selectors.working_days_before(fire.due_on, 1) == fire.warn_on


def test_no_clock_for_other_processes(org):
    start_document(org, business_type="test")
    assert not StepClock.objects.exists()


def test_sweep_levels_notify_once_per_level_and_stop_when_completed(org):
    to_countersign(org)
    fire_clock = StepClock.objects.get(department_code="xfzd")
    env_clock = StepClock.objects.get(department_code="sthjj")
    before = fire_clock.warn_on - timedelta(days=1)
    assert clocks.step_clock_sweep(today=before)["yellow"] == 0
    counts = clocks.step_clock_sweep(today=fire_clock.warn_on)
    assert counts["yellow"] == 2
    assert clocks.step_clock_sweep(today=fire_clock.warn_on)["yellow"] == 0  # idempotent
    fire_clock.refresh_from_db()
    assert fire_clock.level == ClockLevel.YELLOW
    topic = "office.step_clock.yellow"
    assert Notification.objects.filter(recipient=org.fire_head, topic=topic).count() == 1
    assert Notification.objects.filter(recipient=org.env_head, topic=topic).count() == 1
    assert not Notification.objects.filter(recipient=org.fire, topic=topic).exists()

    # 生态环境局 countersigns; its clock stops and never turns red.
    task_complete(task_id=open_task("countersign_sthjj").pk, user=org.env_head, decision="approve")
    outbox_deliver()
    late = fire_clock.due_on + timedelta(days=1)
    counts = clocks.step_clock_sweep(today=late)
    assert counts["red"] == 1
    assert clocks.step_clock_sweep(today=late + timedelta(days=3))["red"] == 0
    fire_clock.refresh_from_db()
    env_clock.refresh_from_db()
    assert (fire_clock.level, env_clock.level) == (ClockLevel.RED, ClockLevel.YELLOW)
    assert env_clock.completed_at is not None
    red = Notification.objects.filter(recipient=org.fire_head, topic="office.step_clock.red")
    assert red.count() == 1
    assert (
        AuditEntry.objects.filter(
            action="office.step_clock.red", object_id=str(fire_clock.pk)
        ).count()
        == 1
    )


def test_sweep_closes_clocks_of_cancelled_tasks(org):
    to_countersign(org)
    fire = open_task("countersign_xfzd")
    # 消防 refuses: the process terminates and 生态环境局's countersign is cancelled.
    task_complete(task_id=fire.pk, user=org.fire_head, decision="reject", comment="不同意")
    outbox_deliver()
    env_task = HumanTask.objects.get(step="countersign_sthjj")
    assert env_task.status == "cancelled"
    env_clock = StepClock.objects.get(task_id=env_task.pk)
    assert env_clock.completed_at is None  # no event for a cancelled task
    counts = clocks.step_clock_sweep(today=env_clock.due_on + timedelta(days=10), batch=1)
    assert counts == {"closed": 1, "yellow": 0, "red": 0}
    env_clock.refresh_from_db()
    assert env_clock.completed_at is not None and env_clock.level == ClockLevel.NORMAL


def test_supervisor_sees_overdue_countersigns(org):
    document = to_countersign(org)
    fire_clock = StepClock.objects.get(department_code="xfzd")
    clocks.step_clock_sweep(today=fire_clock.due_on + timedelta(days=1))
    page = workitem_selectors.overdue_page(
        user=org.jiancha, kind="steps", today=fire_clock.due_on + timedelta(days=1)
    )
    rows = {row.departments[0]: row for row in page.items}
    assert set(rows) == {"武汉市消防救援支队", "武汉市生态环境局"}
    row = rows["武汉市消防救援支队"]
    assert (row.level, row.step_label, row.title) == ("red", "会签", document.title)
    assert row.days_overdue >= 1
    red_only = workitem_selectors.overdue_page(user=org.leader, kind="steps", level="red")
    assert len(red_only.items) == 2
    with pytest.raises(PermissionDenied):
        workitem_selectors.overdue_page(user=org.clerk, kind="steps")
