import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.models import User
from tongban.core.errors import Conflict, NotFound, ValidationFailed
from tongban.core.models import OutboxEvent
from tongban.workflow.models import HumanTask, InstanceTask, ProcessDefinition
from tongban.workflow.selectors import task_inbox
from tongban.workflow.services import process_register, process_start, task_claim, task_complete


def user(username: str) -> User:
    return User.objects.get(username=username)


def inbox(username: str) -> list[HumanTask]:
    return task_inbox(user=user(username)).items


def start(key: str, division: str = "420100", department: str = "") -> int:
    return process_start(
        key=key,
        business_type="test",
        business_id="T-1",
        division_code=division,
        department_code=department,
    ).pk


def only_task(username: str) -> HumanTask:
    tasks = inbox(username)
    assert len(tasks) == 1, [t.title for t in tasks]
    return tasks[0]


@pytest.mark.django_db
def test_registering_the_same_file_twice_keeps_one_version(demo):
    definition = ProcessDefinition.objects.get(key="single_window")
    assert process_register(bpmn_xml=definition.bpmn_xml).pk == definition.pk
    changed = definition.bpmn_xml.replace("窗口受理并办结", "窗口当场办结")
    assert process_register(bpmn_xml=changed).version == 2


@pytest.mark.django_db
def test_single_window_case(demo):
    instance_id = start("single_window")
    task = only_task("chuangkou")
    assert task.title == "窗口受理并办结" and task.instance_id == instance_id
    assert inbox("scjg") == [] and inbox("xg-scjg") == []
    task_complete(task_id=task.pk, user=user("chuangkou"), decision="approve")
    task.instance.refresh_from_db()
    assert task.instance.status == "completed" and task.instance.outcome == "end_approved"
    assert OutboxEvent.objects.filter(topic="workflow.process_completed").exists()
    assert inbox("chuangkou") == []
    assert [t.pk for t in task_inbox(user=user("chuangkou"), box="done").items] == [task.pk]


@pytest.mark.django_db
def test_two_step_review_goes_to_the_handling_departments_head(demo):
    start("two_step_review", department="scjg")
    review = only_task("scjg")
    task_complete(task_id=review.pk, user=user("scjg"), decision="approve", comment="材料齐全")
    approval = only_task("scjg-head")
    assert approval.title == "负责人审批"
    task_complete(
        task_id=approval.pk, user=user("scjg-head"), decision="reject", comment="不符合规划"
    )
    approval.instance.refresh_from_db()
    assert approval.instance.outcome == "end_denied_by_head"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "order", [("scjg", "xiaofang", "huanbao"), ("huanbao", "scjg", "xiaofang")]
)
def test_restaurant_bundle_runs_in_parallel_in_any_order(demo, order):
    start("restaurant_bundle")
    accept = only_task("chuangkou")
    task_complete(task_id=accept.pk, user=user("chuangkou"), decision="approve")
    reviews = {name: only_task(name) for name in ("scjg", "xiaofang", "huanbao")}
    assert {t.title for t in reviews.values()} == {
        "营业执照与食品经营许可审查",
        "消防安全检查",
        "排污登记审查",
    }
    assert inbox("xg-scjg") == []  # another city's reviewer sees nothing of 武汉's
    for name in order:
        task_complete(task_id=reviews[name].pk, user=user(name), decision="approve")
    done = only_task("chuangkou")
    assert done.title == "窗口办结"
    task_complete(task_id=done.pk, user=user("chuangkou"), decision="approve")
    done.instance.refresh_from_db()
    assert done.instance.status == "completed" and done.instance.outcome == "end_approved"


@pytest.mark.django_db
def test_any_refusal_ends_the_bundle_and_clears_the_other_tasks(demo):
    start("restaurant_bundle")
    accept = only_task("chuangkou")
    task_complete(task_id=accept.pk, user=user("chuangkou"), decision="approve")
    fire = only_task("xiaofang")
    task_complete(task_id=fire.pk, user=user("xiaofang"), decision="reject", comment="疏散通道不足")
    fire.instance.refresh_from_db()
    assert fire.instance.status == "completed" and fire.instance.outcome == "end_denied_fire"
    assert inbox("scjg") == [] and inbox("huanbao") == []
    assert set(
        HumanTask.objects.filter(instance=fire.instance).values_list("status", flat=True)
    ) == {
        "completed",
        "cancelled",
    }


@pytest.mark.django_db
def test_wrong_input_changes_nothing(demo):
    start("single_window")
    task = only_task("chuangkou")
    rows_before = list(InstanceTask.objects.values_list("uuid", "body"))
    with pytest.raises(ValidationFailed) as info:
        task_complete(task_id=task.pk, user=user("chuangkou"), decision="maybe")
    assert info.value.field == "decision"
    with pytest.raises(ValidationFailed) as info:
        task_complete(task_id=task.pk, user=user("chuangkou"), decision="reject")
    assert info.value.field == "comment"
    with pytest.raises(NotFound):
        task_complete(task_id=task.pk, user=user("scjg"), decision="approve")
    with pytest.raises(NotFound):
        task_complete(task_id=task.pk, user=user("zhangsan"), decision="approve")
    assert list(InstanceTask.objects.values_list("uuid", "body")) == rows_before
    task.refresh_from_db()
    assert task.status == "open"


@pytest.mark.django_db
def test_claims_and_double_completion(demo):
    User.objects.filter(username="paidan")
    start("restaurant_bundle")
    accept = only_task("chuangkou")
    task_claim(task_id=accept.pk, user=user("chuangkou"))
    task_complete(task_id=accept.pk, user=user("chuangkou"), decision="approve")
    with pytest.raises(Conflict) as info:
        task_complete(task_id=accept.pk, user=user("chuangkou"), decision="approve")
    assert info.value.code == "task_completed"


@pytest.mark.django_db
def test_a_claimed_task_belongs_to_its_claimant(demo):
    from tongban.accounts.services import staff_create, staff_role_grant
    from tongban.org.models import Department

    colleague = staff_create(
        username="chuangkou2", password="Hubei-2026-secure", display_name="李窗口"
    )
    staff_role_grant(
        user=colleague,
        department_id=Department.objects.get(division_id="420100", code="zsj").pk,
        role="window_clerk",
    )
    start("single_window")
    task = only_task("chuangkou")
    assert [t.pk for t in inbox("chuangkou2")] == [task.pk]
    task_claim(task_id=task.pk, user=user("chuangkou"))
    assert inbox("chuangkou2") == []
    with pytest.raises(Conflict) as info:
        task_complete(task_id=task.pk, user=colleague, decision="approve")
    assert info.value.code == "task_claimed"


@pytest.mark.django_db
def test_a_step_writes_only_the_tasks_that_changed(demo):
    start("restaurant_bundle")
    accept = only_task("chuangkou")
    task_complete(task_id=accept.pk, user=user("chuangkou"), decision="approve")
    total = InstanceTask.objects.filter(instance_id=accept.instance_id).count()
    review = only_task("huanbao")
    with CaptureQueriesContext(connection) as queries:
        task_complete(task_id=review.pk, user=user("huanbao"), decision="approve")
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "workflow_instancetask" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
    ]
    assert 0 < len(writes) < total / 2, (len(writes), total)
