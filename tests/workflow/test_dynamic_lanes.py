"""Dynamic assignment: a lane named ``=<variable>:<role>`` assigns a user task to the
department whose id is in the task's data (e.g. one task per department of a parallel
multi-instance task); ``task_complete(data=...)`` adds data before the task runs."""

from __future__ import annotations

import pytest

from tongban.accounts.models import User
from tongban.core.errors import ValidationFailed
from tongban.org.selectors import department_by_code
from tongban.workflow.models import HumanTask
from tongban.workflow.selectors import task_inbox
from tongban.workflow.services import process_register, process_start, task_complete

# ruff: noqa: E501 - the BPMN below is kept one element a line

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="dynamic_test" name="动态分派" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="handler:reviewer"><bpmn:flowNodeRef>choose</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l2" name="=department:head"><bpmn:flowNodeRef>opinion</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l3" name="=lead:reviewer"><bpmn:flowNodeRef>finish</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose"/>
    <bpmn:userTask id="choose" name="选择部门"/>
    <bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="opinion"/>
    <bpmn:userTask id="opinion" name="部门意见">
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopDataInputRef>departments</bpmn:loopDataInputRef>
        <bpmn:inputDataItem id="department" name="department"/>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="opinion" targetRef="finish"/>
    <bpmn:userTask id="finish" name="汇总"/>
    <bpmn:sequenceFlow id="f4" sourceRef="finish" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def user(username: str) -> User:
    return User.objects.get(username=username)


def department_id(division: str, code: str) -> int:
    department = department_by_code(division_code=division, code=code)
    assert department is not None
    return department.pk


@pytest.mark.django_db
def test_parallel_tasks_go_to_the_departments_in_the_data(demo):
    process_register(bpmn_xml=PROCESS)
    instance = process_start(
        key="dynamic_test",
        business_type="test",
        business_id="1",
        division_code="420100",
        department_code="scjg",
        data={"departments": []},
    )
    choose = HumanTask.objects.get(instance=instance)
    assert (choose.step, choose.department_code) == ("choose", "scjg")
    fire, environment, xg = (
        department_id("420100", "xfzd"),
        department_id("420100", "sthjj"),
        department_id("420900", "scjg"),
    )
    task_complete(
        task_id=choose.pk,
        user=user("scjg"),
        decision="approve",
        data={"departments": [fire, environment], "lead": xg, "decision": "ignored"},
    )
    opinions = HumanTask.objects.filter(instance=instance, step="opinion").order_by("id")
    assert [(t.division_code, t.department_code, t.role, t.title) for t in opinions] == [
        ("420100", "xfzd", "head", "部门意见"),
        ("420100", "sthjj", "head", "部门意见"),
    ]
    assert [t.pk for t in task_inbox(user=user("xfzd-head")).items] == [opinions[0].pk]
    assert [t.pk for t in task_inbox(user=user("sthjj-head")).items] == [opinions[1].pk]
    assert task_inbox(user=user("xiaofang")).items == []
    task_complete(task_id=opinions[0].pk, user=user("xfzd-head"), decision="approve")
    assert not HumanTask.objects.filter(instance=instance, step="finish").exists()
    task_complete(task_id=opinions[1].pk, user=user("sthjj-head"), decision="approve")
    finish = HumanTask.objects.get(instance=instance, step="finish")
    # Another division's department, from another variable of the data.
    assert (finish.division_code, finish.department_code, finish.role) == (
        "420900",
        "scjg",
        "reviewer",
    )
    task_complete(task_id=finish.pk, user=user("xg-scjg"), decision="approve")
    instance.refresh_from_db()
    assert instance.status == "completed"


@pytest.mark.django_db
def test_a_missing_department_stops_with_a_clear_error(demo):
    process_register(bpmn_xml=PROCESS)
    instance = process_start(
        key="dynamic_test",
        business_type="test",
        business_id="2",
        division_code="420100",
        department_code="scjg",
        data={"departments": [999999]},
    )
    choose = HumanTask.objects.get(instance=instance)
    with pytest.raises(ValidationFailed) as refused:
        task_complete(task_id=choose.pk, user=user("scjg"), decision="approve")
    assert "部门" in refused.value.message
    assert HumanTask.objects.get(pk=choose.pk).status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("lane", ["=:head", "=department:boss", "=1x:head", "=a-b:head"])
def test_bad_dynamic_lanes_are_refused(lane):
    with pytest.raises(ValidationFailed) as refused:
        process_register(bpmn_xml=PROCESS.replace("=department:head", lane))
    assert "泳道" in refused.value.message
