"""Workflow writes. The workflow app owns BPMN process definitions, the running process
instances (their state, stored per task) and the staff inbox of user tasks (待办)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# Mixins, not bpmn.specs.defaults: the Spiff parser builds its own subclasses of these.
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from tongban.accounts.selectors import staff_has_role
from tongban.core.errors import Conflict, NotFound, ValidationFailed
from tongban.core.services import audit_record, event_emit
from tongban.org.selectors import department_by_code
from tongban.workflow import engine, events
from tongban.workflow.models import (
    Decision,
    HumanTask,
    HumanTaskStatus,
    InstanceStatus,
    InstanceTask,
    ProcessDefinition,
    ProcessInstance,
)
from tongban.workflow.selectors import definition_latest, instance_load_tasks

COMMENT_REQUIRED = {Decision.REJECT, Decision.CORRECTION}


@transaction.atomic
def process_register(*, bpmn_xml: str, actor: Any = None) -> ProcessDefinition:
    """Register a BPMN file; a changed file becomes a new version, an unchanged one nothing."""
    parsed = engine.process_parse(bpmn_xml)
    digest = engine.sha256(bpmn_xml)
    latest = definition_latest(parsed.key)
    if latest is not None and latest.sha256 == digest:
        return latest
    definition = ProcessDefinition.objects.create(
        key=parsed.key,
        version=latest.version + 1 if latest else 1,
        name=parsed.name,
        bpmn_xml=bpmn_xml,
        sha256=digest,
        spec=parsed.spec,
    )
    audit_record(
        action="process.register",
        actor=actor,
        object_type="process",
        object_id=definition.pk,
        detail={"key": definition.key, "version": definition.version},
    )
    return definition


@transaction.atomic
def process_start(
    *,
    key: str,
    business_type: str,
    business_id: str,
    division_code: str,
    department_code: str = "",
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> ProcessInstance:
    """Start the latest version of process ``key`` for a business object."""
    definition = definition_latest(key)
    if definition is None:
        raise ValidationFailed(_("流程 %(key)s 不存在") % {"key": key}, field="process")
    instance = ProcessInstance.objects.create(
        definition=definition,
        business_type=business_type,
        business_id=business_id,
        division_code=division_code,
        department_code=department_code,
        status=InstanceStatus.RUNNING,
    )
    workflow = engine.new_workflow(definition.spec, data or {})
    _advance(instance, workflow, {})
    audit_record(
        action="process.start",
        actor=actor,
        object_type="process_instance",
        object_id=instance.pk,
        detail={"key": key, "business": f"{business_type}:{business_id}"},
    )
    return instance


def _advance(instance: ProcessInstance, workflow: BpmnWorkflow, digests: dict[str, str]) -> None:
    """Run engine steps, then store what changed and bring the inbox up to date."""
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise ValidationFailed(
            _("流程无法继续执行：%(reason)s") % {"reason": exc}, code="process_error"
        ) from None
    state, tasks = engine.snapshot(workflow)
    _store_tasks(instance, tasks, digests)
    _sync_inbox(instance, workflow)
    instance.state = state
    if workflow.is_completed():
        instance.status = InstanceStatus.COMPLETED
        instance.outcome = _outcome(workflow)
        event_emit(
            events.ProcessCompleted(
                instance_id=instance.pk,
                business_type=instance.business_type,
                business_id=instance.business_id,
                outcome=instance.outcome,
            )
        )
    instance.save(update_fields=["state", "status", "outcome", "updated_at"])


def _store_tasks(
    instance: ProcessInstance, tasks: dict[str, dict[str, Any]], digests: dict[str, str]
) -> None:
    """Write new and changed task rows only; delete the rows of tasks that are gone."""
    new, changed = [], []
    for task_id, body in tasks.items():
        before = digests.get(task_id)
        if before is None:
            new.append(InstanceTask(instance=instance, uuid=task_id, body=body))
        elif before != engine.task_digest(body):
            changed.append(InstanceTask(instance=instance, uuid=task_id, body=body))
    InstanceTask.objects.bulk_create(new)
    for row in changed:
        InstanceTask.objects.filter(instance=instance, uuid=row.uuid).update(body=row.body)
    gone = set(digests) - set(tasks)
    if gone:
        InstanceTask.objects.filter(instance=instance, uuid__in=gone).delete()


def _sync_inbox(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    ready = {
        task.id: task
        for task in workflow.get_tasks(state=TaskState.READY)
        if isinstance(task.task_spec, UserTask)
    }
    open_tasks = {
        row.task_uuid: row
        for row in HumanTask.objects.filter(
            instance=instance, status__in=[HumanTaskStatus.OPEN, HumanTaskStatus.CLAIMED]
        )
    }
    for task_id, task in ready.items():
        if task_id in open_tasks:
            continue
        assignment = engine.parse_assignment(task.task_spec.lane)
        department = assignment.department_code
        if department == engine.HANDLING_DEPARTMENT:
            department = instance.department_code
        row = HumanTask.objects.create(
            instance=instance,
            task_uuid=task_id,
            step=task.task_spec.name,
            title=task.task_spec.bpmn_name or task.task_spec.name,
            division_code=instance.division_code,
            department_code=department,
            role=assignment.role,
            status=HumanTaskStatus.OPEN,
        )
        event_emit(events.HumanTaskCreated(task_id=row.pk, instance_id=instance.pk))
    # A task that is no longer ready was ended by another branch (e.g. a refusal that
    # terminates the process): take it out of the inbox.
    gone = [row.pk for task_id, row in open_tasks.items() if task_id not in ready]
    if gone:
        HumanTask.objects.filter(pk__in=gone).update(status=HumanTaskStatus.CANCELLED)


def _outcome(workflow: BpmnWorkflow) -> str:
    ends = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(task.task_spec, EndEvent) and task.workflow is workflow
    ]
    if not ends:
        return ""
    return str(max(ends, key=lambda task: task.last_state_change).task_spec.name)


def _locked_task_for(user: Any, task_id: int) -> HumanTask:
    task = HumanTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None or not can_work_on(user, task):
        raise NotFound(_("任务不存在或不属于您"))
    return task


def can_work_on(user: Any, task: HumanTask) -> bool:
    department = department_by_code(division_code=task.division_code, code=task.department_code)
    return department is not None and staff_has_role(user, task.role, department_id=department.pk)


def _check_open_for(user: Any, task: HumanTask) -> None:
    if task.status == HumanTaskStatus.COMPLETED:
        raise Conflict(_("该任务已办理完毕，不能重复办理"), code="task_completed")
    if task.status == HumanTaskStatus.CANCELLED:
        raise Conflict(_("该任务已取消"), code="task_cancelled")
    if task.status == HumanTaskStatus.CLAIMED and task.claimed_by_id != user.pk:
        raise Conflict(_("该任务已被其他工作人员签收"), code="task_claimed")


@transaction.atomic
def task_claim(*, task_id: int, user: Any) -> HumanTask:
    """Take a task from the shared inbox; nobody else can then complete it."""
    task = _locked_task_for(user, task_id)
    _check_open_for(user, task)
    if task.status != HumanTaskStatus.CLAIMED:
        task.status, task.claimed_by = HumanTaskStatus.CLAIMED, user
        task.save(update_fields=["status", "claimed_by"])
        audit_record(action="task.claim", actor=user, object_type="task", object_id=task.pk)
    return task


@transaction.atomic
def task_complete(*, task_id: int, user: Any, decision: str, comment: str = "") -> HumanTask:
    """Complete a task with a decision; of two concurrent completions exactly one wins."""
    if decision not in Decision.values:
        raise ValidationFailed(
            _("办理结果应为 approve（同意）、reject（不同意）或 correction（需要补正）"),
            field="decision",
        )
    comment = (comment or "").strip()
    if decision in COMMENT_REQUIRED and not comment:
        raise ValidationFailed(_("不同意或需要补正时，请填写理由"), field="comment")
    task = _locked_task_for(user, task_id)
    _check_open_for(user, task)
    instance = ProcessInstance.objects.select_for_update().get(pk=task.instance_id)
    state, tasks = instance_load_tasks(instance)
    digests = {task_id_: engine.task_digest(body) for task_id_, body in tasks.items()}
    workflow = engine.restore(instance.definition.spec, state, tasks)
    spiff_task = workflow.get_task_from_id(uuid.UUID(str(task.task_uuid)))
    spiff_task.data.update({"decision": decision, "comment": comment})
    spiff_task.run()
    task.status, task.decision, task.comment = HumanTaskStatus.COMPLETED, decision, comment
    task.completed_by, task.completed_at = user, timezone.now()
    if task.claimed_by_id is None:
        task.claimed_by = user
    task.save()
    _advance(instance, workflow, digests)
    audit_record(
        action="task.complete",
        actor=user,
        object_type="task",
        object_id=task.pk,
        detail={"decision": decision},
    )
    event_emit(
        events.HumanTaskCompleted(task_id=task.pk, instance_id=instance.pk, decision=decision)
    )
    return task
