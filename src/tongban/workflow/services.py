"""Workflow writes. The workflow app owns BPMN process definitions, the running process
instances (their state, stored per task) and the staff inbox of user tasks (待办)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, transaction
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
from tongban.org.selectors import department_by_code, department_get
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
from tongban.workflow.selectors import (
    definition_latest,
    instance_load_tasks,
    instances_with_due_timers,
)

logger = logging.getLogger(__name__)

COMMENT_REQUIRED = {Decision.REJECT, Decision.CORRECTION}
CANCELLED_OUTCOME = "cancelled"


@dataclass(frozen=True)
class StepOutcome:
    """What a completed (or correction-paused) task means for its business object."""

    task_id: int
    instance_id: int
    business_type: str
    business_id: str
    step: str
    title: str
    department_code: str
    decision: str
    comment: str
    user: Any
    process_outcome: str | None


StepHook = Callable[[StepOutcome], None]
_step_hooks: dict[str, StepHook] = {}


def business_hook_register(business_type: str, hook: StepHook) -> None:
    """Let the app owning a business type (e.g. cases) follow each decision in the same
    transaction, so the object's status never disagrees with its process; a hook may
    refuse a decision by raising a domain error, which rolls the completion back."""
    _step_hooks[business_type] = hook


def _notify_hook(task: HumanTask, instance: ProcessInstance, outcome: str | None) -> None:
    hook = _step_hooks.get(instance.business_type)
    if hook is None:
        return
    hook(
        StepOutcome(
            task_id=task.pk,
            instance_id=instance.pk,
            business_type=instance.business_type,
            business_id=instance.business_id,
            step=task.step,
            title=task.title,
            department_code=task.department_code,
            decision=task.decision,
            comment=task.comment,
            user=task.completed_by or task.claimed_by,
            process_outcome=outcome,
        )
    )


@transaction.atomic
def process_register(
    *, bpmn_xml: str, dmn_xmls: Sequence[str] = (), actor: Any = None
) -> ProcessDefinition:
    """Register a BPMN file with the DMN files of its business rule tasks; a changed file
    becomes a new version, an unchanged set of files nothing."""
    dmn_xmls = list(dmn_xmls)
    parsed = engine.process_parse(bpmn_xml, dmn_xmls)
    digest = engine.definition_digest(bpmn_xml, dmn_xmls)
    latest = definition_latest(parsed.key)
    if latest is not None and latest.sha256 == digest:
        return latest
    definition = ProcessDefinition.objects.create(
        key=parsed.key,
        version=latest.version + 1 if latest else 1,
        name=parsed.name,
        bpmn_xml=bpmn_xml,
        dmn_xmls=dmn_xmls,
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
    timers = engine.open_timers(workflow)
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise ValidationFailed(
            _("流程无法继续执行：%(reason)s") % {"reason": exc}, code="process_error"
        ) from None
    state, tasks = engine.snapshot(workflow)
    _store_tasks(instance, tasks, digests)
    _sync_inbox(instance, workflow)
    _record_escalations(instance, engine.escalations(timers))
    instance.state = state
    instance.next_timer_at = engine.next_timer_due(workflow)
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
    instance.save(update_fields=["state", "status", "outcome", "next_timer_at", "updated_at"])


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
            instance=instance,
            status__in=[HumanTaskStatus.OPEN, HumanTaskStatus.CLAIMED, HumanTaskStatus.WAITING],
        )
    }
    for task_id, task in ready.items():
        if task_id in open_tasks:
            continue
        assignment = engine.parse_assignment(task.task_spec.lane)
        division, department = _assigned_department(instance, task, assignment)
        row = HumanTask.objects.create(
            instance=instance,
            task_uuid=task_id,
            step=engine.task_step(task.task_spec),
            title=task.task_spec.bpmn_name or task.task_spec.name,
            division_code=division,
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


def _assigned_department(
    instance: ProcessInstance, task: Any, assignment: engine.Assignment
) -> tuple[str, str]:
    """(division code, department code) of a ready user task: the lane's department, the
    instance's handling department, or the department whose id is in the task's data."""
    if assignment.variable:
        value = task.data.get(assignment.variable)
        department = None
        if isinstance(value, int | str) and str(value).isdigit():
            try:
                department = department_get(int(value))
            except NotFound:
                department = None
        if department is None:
            raise ValidationFailed(
                _(
                    "流程环节“%(step)s”按变量 %(var)s 分派部门，"
                    "但流程数据中没有有效的部门：%(value)s"
                )
                % {
                    "step": task.task_spec.bpmn_name or task.task_spec.name,
                    "var": assignment.variable,
                    "value": value if value is not None else "—",
                },
                code="process_error",
            )
        return department.division_id, department.code
    if assignment.department_code == engine.HANDLING_DEPARTMENT:
        return instance.division_code, instance.department_code
    return instance.division_code, assignment.department_code


def _record_escalations(instance: ProcessInstance, found: list[engine.Escalation]) -> None:
    """督办: a boundary timer on a user task fired; an interrupting one has already taken
    the task out of the inbox and put the escalation task in."""
    rows = HumanTask.objects.filter(
        instance=instance, task_uuid__in=[item.task_uuid for item in found]
    ).in_bulk(field_name="task_uuid")
    for item in found:
        row = rows.get(uuid.UUID(item.task_uuid))
        if row is None:
            continue
        audit_record(
            action="task.escalate",
            object_type="task",
            object_id=row.pk,
            detail={"timer": item.timer, "interrupting": item.interrupting},
        )
        event_emit(
            events.TaskEscalated(
                task_id=row.pk,
                instance_id=instance.pk,
                timer=item.timer,
                interrupting=item.interrupting,
            )
        )


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
    if task.status == HumanTaskStatus.WAITING:
        raise Conflict(_("该任务正在等待申请人补正"), code="task_waiting")
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
def task_complete(
    *,
    task_id: int,
    user: Any,
    decision: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> HumanTask:
    """Complete a task with a decision; of two concurrent completions exactly one wins.
    ``data`` (JSON values) is merged into the task's data before it runs, e.g. the
    departments a leader's instruction assigns; it cannot override decision or comment."""
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
    if decision == Decision.CORRECTION:
        return _task_wait_for_correction(task, instance, user, comment)
    state, tasks = instance_load_tasks(instance)
    digests = {task_id_: engine.task_digest(body) for task_id_, body in tasks.items()}
    workflow = engine.restore(instance.definition.spec, state, tasks)
    spiff_task = workflow.get_task_from_id(uuid.UUID(str(task.task_uuid)))
    spiff_task.data.update({**(data or {}), "decision": decision, "comment": comment})
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
    finished = instance.status == InstanceStatus.COMPLETED
    _notify_hook(task, instance, instance.outcome if finished else None)
    return task


def _task_wait_for_correction(
    task: HumanTask, instance: ProcessInstance, user: Any, comment: str
) -> HumanTask:
    """A correction request does not move the process: the task waits (待补正) for the
    applicant and comes back to the same inbox when they resubmit."""
    task.status, task.decision, task.comment = HumanTaskStatus.WAITING, Decision.CORRECTION, comment
    if task.claimed_by_id is None:
        task.claimed_by = user
    task.save(update_fields=["status", "decision", "comment", "claimed_by"])
    audit_record(
        action="task.correction",
        actor=user,
        object_type="task",
        object_id=task.pk,
        detail={"instance": instance.pk},
    )
    _notify_hook(task, instance, None)
    return task


@transaction.atomic
def tasks_reopen(*, instance_id: int) -> int:
    """Give the tasks waiting for a correction back to whoever requested it."""
    waiting = list(
        HumanTask.objects.select_for_update().filter(
            instance_id=instance_id, status=HumanTaskStatus.WAITING
        )
    )
    for task in waiting:
        task.status, task.decision, task.comment = HumanTaskStatus.CLAIMED, "", ""
        task.save(update_fields=["status", "decision", "comment"])
    return len(waiting)


@transaction.atomic
def process_cancel(*, instance_id: int, actor: Any = None) -> None:
    """End an instance from outside (e.g. the applicant withdrew): its tasks leave every
    inbox and nothing of it runs any more."""
    instance = ProcessInstance.objects.select_for_update().filter(pk=instance_id).first()
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return
    HumanTask.objects.filter(
        instance=instance,
        status__in=[HumanTaskStatus.OPEN, HumanTaskStatus.CLAIMED, HumanTaskStatus.WAITING],
    ).update(status=HumanTaskStatus.CANCELLED)
    instance.status, instance.outcome = InstanceStatus.COMPLETED, CANCELLED_OUTCOME
    instance.save(update_fields=["status", "outcome", "updated_at"])
    audit_record(
        action="process.cancel",
        actor=actor,
        object_type="process_instance",
        object_id=instance.pk,
    )


def timers_fire(*, now: datetime | None = None, batch: int = 100) -> int:
    """Fire the timers due at ``now`` (periodic job): escalations (督办) and intermediate
    timers. Each instance is advanced in its own savepoint under a row lock; an instance
    locked by another worker or a running completion is left for the next run, and one
    whose timers already fired is no longer due, so running the job twice fires nothing
    twice. Returns the number of instances advanced."""
    now = now or timezone.now()
    advanced = 0
    for instance_id in instances_with_due_timers(now=now, limit=batch):
        try:
            with transaction.atomic():
                advanced += _instance_fire_timers(instance_id, now)
        except (DatabaseError, ValidationFailed):
            logger.exception("timers of process instance %s could not fire", instance_id)
    return advanced


def _instance_fire_timers(instance_id: int, now: datetime) -> int:
    instance = (
        ProcessInstance.objects.select_for_update(skip_locked=True)
        .filter(pk=instance_id, status=InstanceStatus.RUNNING, next_timer_at__lte=now)
        .first()
    )
    if instance is None:
        return 0
    # Lock the open inbox rows too, without waiting: task_complete locks a task before its
    # instance, so waiting here could deadlock with it.
    list(
        HumanTask.objects.select_for_update(nowait=True).filter(
            instance=instance, status__in=[HumanTaskStatus.OPEN, HumanTaskStatus.CLAIMED]
        )
    )
    state, tasks = instance_load_tasks(instance)
    digests = {task_id: engine.task_digest(body) for task_id, body in tasks.items()}
    workflow = engine.restore(instance.definition.spec, state, tasks)
    engine.timers_fire_due(workflow, now)
    _advance(instance, workflow, digests)
    return 1
