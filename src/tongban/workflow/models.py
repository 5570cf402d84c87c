"""Process definitions, running instances (state stored per task) and the staff inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """A version of a BPMN process (流程定义); the parsed spec is stored once per version."""

    key = models.SlugField(_("流程标识"), max_length=80)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 文件"))
    # The DMN decision tables (决策表) of the business rule tasks, kept with the version.
    dmn_xmls = models.JSONField(_("DMN 文件"), default=list, blank=True)
    sha256 = models.CharField(max_length=64)
    spec = models.JSONField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="workflow_definition_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key} v{self.version})"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    COMPLETED = "completed", _("已结束")


class ProcessInstance(models.Model):
    """One run of a process for a business object (e.g. a case 办件)."""

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT)
    business_type = models.CharField(max_length=50)
    business_id = models.CharField(max_length=64)
    division_code = models.CharField(max_length=6)
    # The department handling the business object; lanes named "handler:<role>" mean it.
    department_code = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=InstanceStatus.choices)
    outcome = models.CharField(max_length=80, blank=True)
    # The workflow's own fields (data, root, last task ...) without spec or tasks.
    state = models.JSONField(default=dict)
    # When the earliest waiting timer fires (None: no timer); the timer job's index.
    next_timer_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["business_type", "business_id"])]

    def __str__(self) -> str:
        return f"{self.definition.key} #{self.pk}"


class InstanceTask(models.Model):
    """The serialized state of one workflow task; only tasks that changed are rewritten."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    uuid = models.UUIDField()
    body = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "uuid"], name="workflow_task_once")
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class HumanTaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    CLAIMED = "claimed", _("已签收")
    COMPLETED = "completed", _("已办")
    CANCELLED = "cancelled", _("已取消")
    WAITING = "waiting", _("待补正")


class Decision(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")
    CORRECTION = "correction", _("需要补正")


class HumanTask(models.Model):
    """A user task in the staff inbox (待办), assigned by (division, department, role)."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="human_tasks"
    )
    task_uuid = models.UUIDField(unique=True)
    step = models.CharField(_("环节"), max_length=80)
    title = models.CharField(_("环节名称"), max_length=200)
    division_code = models.CharField(max_length=6)
    department_code = models.CharField(max_length=40)
    role = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=HumanTaskStatus.choices)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["division_code", "department_code", "role", "status", "id"]),
            models.Index(fields=["completed_by", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"
