"""Collaborative office (协同办公): official documents (公文) going out and coming in, their
drafts, trail of opinions and attachments; supervised work items (督办); internal notices,
groups and meetings; and requests a case raises to another department (征求意见函).

Departments are ``org.Department`` rows; who may act is decided by the staff roles users
hold in them (``accounts``). Documents follow GB/T 9704-2012 (党政机关公文格式).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.org.selectors import Role

DEPARTMENT = "org.Department"


class Classification(models.IntegerChoices):
    """Classification (密级) of a document; higher needs a higher clearance."""

    NONE = 0, _("非密")
    INTERNAL = 1, _("内部")
    SECRET = 2, _("秘密")
    CONFIDENTIAL = 3, _("机密")


class Urgency(models.TextChoices):
    """Urgency (紧急程度) printed in the document's header."""

    NORMAL = "normal", _("平件")
    URGENT = "urgent", _("加急")
    EXTRA_URGENT = "extra_urgent", _("特急")


class Direction(models.TextChoices):
    """Direction (行文方向) of a document: to subordinate organs (下行文), to organs of the
    same level or outside the line of authority (平行文), or to a superior organ (上行文,
    e.g. 请示, 报告), whose 版头 names the signer (签发人, GB/T 9704-2012 7.2.4)."""

    DOWN = "down", _("下行文")
    PARALLEL = "parallel", _("平行文")
    UP = "up", _("上行文")


class RoleClearance(models.Model):
    """The highest classification a role may read (密级权限); configurable by the admin."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, unique=True)
    level = models.IntegerField(_("可阅密级"), choices=Classification.choices)

    class Meta:
        verbose_name = _("密级权限")
        verbose_name_plural = _("密级权限")

    def __str__(self) -> str:
        return f"{self.get_role_display()} ≤ {self.get_level_display()}"


class IssuerProfile(models.Model):
    """How a department issues documents: its issuing-authority mark (发文机关标志), the
    prefix of its document numbers (发文字号代字, e.g. 武市监发) and its seal text."""

    department = models.OneToOneField(
        DEPARTMENT, on_delete=models.PROTECT, related_name="issuer_profile"
    )
    mark = models.CharField(_("发文机关标志"), max_length=60)
    number_prefix = models.CharField(_("发文字号代字"), max_length=20)
    receipt_prefix = models.CharField(_("收文编号代字"), max_length=20)
    seal_text = models.CharField(_("印章文字"), max_length=40)

    class Meta:
        verbose_name = _("发文机关")
        verbose_name_plural = _("发文机关")

    def __str__(self) -> str:
        return self.mark


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("拟稿")
    REVIEWING = "reviewing", _("核稿")
    COUNTERSIGNING = "countersigning", _("会签")
    SIGNING = "signing", _("签发")
    ISSUING = "issuing", _("编号用印")
    DISPATCHED = "dispatched", _("已分发")
    RETURNED = "returned", _("退回修改")


class Document(models.Model):
    """An outgoing official document (公文, 发文) of one department."""

    issuer = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    classification = models.IntegerField(
        _("密级"), choices=Classification.choices, default=Classification.NONE
    )
    secrecy_period = models.CharField(_("保密期限"), max_length=20, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    direction = models.CharField(
        _("行文方向"), max_length=10, choices=Direction.choices, default=Direction.DOWN
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("稿本"), default=1)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set by numbering (编号) after signing: 武市监发〔2026〕12号.
    number = models.CharField(_("发文字号"), max_length=60, blank=True)
    number_year = models.PositiveIntegerField(null=True, blank=True)
    number_serial = models.PositiveIntegerField(null=True, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    # Sealing (用印) signs the digest of the document's content with the platform signer.
    sealed_at = models.DateTimeField(_("用印时间"), null=True, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    seal_signature = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(_("分发时间"), null=True, blank=True)
    process_instance_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        indexes = [
            models.Index(fields=["issuer", "-id"], name="office_doc_issuer"),
            models.Index(fields=["status", "-id"], name="office_doc_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number_year", "number_serial"], name="office_doc_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.number or self.title


class RecipientKind(models.TextChoices):
    MAIN = "main", _("主送")
    COPY = "copy", _("抄送")


class DocumentRecipient(models.Model):
    """A department a document is addressed to (主送 or 抄送), in the order written."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=RecipientKind.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["document_id", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "department"], name="office_recipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.department_id} ({self.kind})"


class CountersignStatus(models.TextChoices):
    PENDING = "pending", _("待会签")
    AGREED = "agreed", _("同意")
    DISAGREED = "disagreed", _("不同意")


class Countersign(models.Model):
    """A department asked to countersign (会签) a document; they sign in parallel."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="countersigns")
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=CountersignStatus.choices, default=CountersignStatus.PENDING
    )
    comment = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "department"], name="office_countersign_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} 会签 {self.department_id}: {self.status}"


class DocumentVersion(models.Model):
    """A saved version of a draft (稿本); differences between versions are shown."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="office_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.title}"


class Attachment(models.Model):
    """A file attached to a document (附件)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="office/attachments/%Y/%m/")
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return self.name


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("待登记")
    REGISTERED = "registered", _("待拟办")
    PROPOSED = "proposed", _("待批示")
    HANDLING = "handling", _("承办中")
    CIRCULATING = "circulating", _("传阅中")
    FILED = "filed", _("已归档")


class Receipt(models.Model):
    """A dispatched document as received by one recipient department (收文)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="receipts")
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    status = models.CharField(
        max_length=20, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING
    )
    received_at = models.DateTimeField(auto_now_add=True)
    number = models.CharField(_("收文编号"), max_length=60, blank=True)
    number_year = models.PositiveIntegerField(null=True, blank=True)
    number_serial = models.PositiveIntegerField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(null=True, blank=True)
    proposal = models.TextField(_("拟办意见"), blank=True)
    instruction = models.TextField(_("领导批示"), blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    process_instance_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("收文")
        verbose_name_plural = _("收文")
        indexes = [models.Index(fields=["department", "status", "-id"], name="office_receipt_q")]
        constraints = [
            models.UniqueConstraint(fields=["document", "department"], name="office_receipt_once"),
            models.UniqueConstraint(
                fields=["department", "number_year", "number_serial"],
                name="office_receipt_number_once",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.document_id} → {self.department_id}"


class HandlingStatus(models.TextChoices):
    PENDING = "pending", _("承办中")
    DONE = "done", _("已办结")


class ReceiptHandler(models.Model):
    """A department assigned to handle a received document (承办), by the instruction."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="handlers")
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=HandlingStatus.choices, default=HandlingStatus.PENDING
    )
    result = models.TextField(blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["receipt", "department"], name="office_handler_once")
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} 承办 {self.department_id}: {self.status}"


class Circulation(models.Model):
    """A person a received document is circulated to for reading (传阅)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["receipt", "reader"], name="office_circulation_once")
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} 传阅 {self.reader_id}"


class TrailEntry(models.Model):
    """One signed-off step of a document's trail (意见): who, which department, when, the
    decision and the opinion. Entries of one document form a hash chain (SM3), so an
    edited or removed opinion is detected."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="trail")
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="trail"
    )
    step = models.CharField(max_length=30)
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.step}: {self.decision}"


class DocumentTerm(models.Model):
    """A jieba term of a document's title and body: the full-text search index."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["term", "document"], name="office_term")]
        constraints = [
            models.UniqueConstraint(fields=["document", "term"], name="office_term_once")
        ]

    def __str__(self) -> str:
        return self.term


class StepLimit(models.Model):
    """Time limit in working days of one step of an office process (办文时限)."""

    process = models.CharField(_("流程"), max_length=60)
    step = models.CharField(_("环节"), max_length=60)
    working_days = models.PositiveIntegerField(_("时限（工作日）"))
    warn_days = models.PositiveIntegerField(_("提前预警（工作日）"), default=1)

    class Meta:
        verbose_name = _("办文时限")
        verbose_name_plural = _("办文时限")
        constraints = [
            models.UniqueConstraint(fields=["process", "step"], name="office_steplimit_once")
        ]

    def __str__(self) -> str:
        return f"{self.process}/{self.step}"


class ClockLevel(models.TextChoices):
    """Warning level of a step or work item, as cases have (绿灯/黄灯/红灯)."""

    NORMAL = "normal", _("正常")
    YELLOW = "yellow", _("黄灯预警")
    RED = "red", _("红灯超期")


class StepClock(models.Model):
    """The working-day clock of one office workflow task (a 会签, a 签发 ...)."""

    task_id = models.BigIntegerField(unique=True)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    receipt = models.ForeignKey(
        Receipt, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    process = models.CharField(max_length=60)
    step = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    division_code = models.CharField(max_length=6)
    department_code = models.CharField(max_length=40)
    started_on = models.DateField()
    warn_on = models.DateField()
    due_on = models.DateField()
    level = models.CharField(max_length=10, choices=ClockLevel.choices, default=ClockLevel.NORMAL)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["level", "completed_at", "due_on"], name="office_clock_level")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.step}): {self.level}"


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    CLOSED = "closed", _("已办结")


class Evaluation(models.IntegerChoices):
    """Evaluation (办结评价) of a closed work item."""

    POOR = 1, _("差")
    FAIR = 2, _("一般")
    GOOD = 3, _("良好")
    EXCELLENT = 4, _("优秀")


class WorkItem(models.Model):
    """A supervised work item (督办事项): a leader assigns a task to departments with a
    deadline; they report progress; the clock warns and marks it overdue."""

    title = models.CharField(_("督办事项"), max_length=200)
    description = models.TextField(_("督办要求"))
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_items"
    )
    started_on = models.DateField()
    warn_on = models.DateField()
    deadline = models.DateField(_("办结时限"))
    level = models.CharField(max_length=10, choices=ClockLevel.choices, default=ClockLevel.NORMAL)
    status = models.CharField(
        max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluation = models.IntegerField(choices=Evaluation.choices, null=True, blank=True)
    evaluation_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        indexes = [
            models.Index(fields=["division", "status", "-id"], name="office_workitem_q"),
            models.Index(fields=["status", "deadline"], name="office_workitem_due"),
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


class WorkAssignment(models.Model):
    """One department's share of a work item (承办单位)."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    percent = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "department"], name="office_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.department_id}: {self.percent}%"


class ProgressReport(models.Model):
    """A progress report (进展报告) of an assigned department."""

    assignment = models.ForeignKey(WorkAssignment, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    percent = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "id"]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.percent}%"


class Notice(models.Model):
    """An internal notice (内部通知) to the staff of a division or of chosen departments,
    with read receipts."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    publisher = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty: every department of the division.
    departments: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        DEPARTMENT, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("内部通知")
        verbose_name_plural = _("内部通知")
        indexes = [models.Index(fields=["division", "-id"], name="office_notice_q")]

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    """A read receipt (已读回执) of a notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="office_noticeread_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} 已读 {self.user_id}"


class GroupKind(models.TextChoices):
    DEPARTMENT = "department", _("部门群组")
    PROJECT = "project", _("项目群组")


class Group(models.Model):
    """A department or project group (工作群组) with messages and shared files."""

    name = models.CharField(_("群组名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=GroupKind.choices)
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作群组")
        verbose_name_plural = _("工作群组")

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="office_groupmember_once")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.user_id}"


class Message(models.Model):
    """A message in a group, optionally with a shared file."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True)
    file = models.FileField(upload_to="office/groups/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["group", "-id"], name="office_message_q")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.body[:30] or self.file_name}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    CANCELLED = "cancelled", _("已取消")
    HELD = "held", _("已召开")


class Meeting(models.Model):
    """A meeting arrangement (会议安排) with invitations and minutes (会议纪要)."""

    title = models.CharField(_("会议名称"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    agenda = models.TextField(_("议程"), blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [models.Index(fields=["starts_at"], name="office_meeting_time")]

    def __str__(self) -> str:
        return self.title


class InvitationResponse(models.TextChoices):
    PENDING = "pending", _("待回复")
    ACCEPTED = "accepted", _("参加")
    DECLINED = "declined", _("不参加")


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(
        max_length=20, choices=InvitationResponse.choices, default=InvitationResponse.PENDING
    )
    note = models.CharField(max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="office_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.user_id} {self.response}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待回复")
    REPLIED = "replied", _("已回复")


class InternalRequest(models.Model):
    """A request a case raises to another department (征求意见函); the reply flows back
    into the case's timeline."""

    case_id = models.BigIntegerField()
    case_number = models.CharField(max_length=40)
    from_department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("事由"), max_length=200)
    body = models.TextField(_("征求意见内容"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("回复时限"))
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reply = models.TextField(_("回复意见"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("征求意见函")
        verbose_name_plural = _("征求意见函")
        indexes = [
            models.Index(fields=["to_department", "status", "-id"], name="office_request_q"),
            models.Index(fields=["case_id"], name="office_request_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number}: {self.subject}"
