"""Appeals (诉求) to the 12345 hotline: the appeal, its routing proposal, the departments
handling it, its timeline, attachments, routing rules and time limits.

Personal text (title, content, location, contact, reply) is encrypted at rest; the
columns beside it exist to find, route and supervise appeals without decrypting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField


class AppealType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")
    REPORT = "report", _("举报")


# Types a visitor may submit without signing in (the others need a known applicant).
ANONYMOUS_TYPES = frozenset({AppealType.SUGGESTION, AppealType.REPORT})


class AppealStatus(models.TextChoices):
    AWAITING_DISPATCH = "awaiting_dispatch", _("待派单")
    RETURNED = "returned", _("已退单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class RouteSource(models.TextChoices):
    RULE = "rule", _("分拨规则")
    MODEL = "model", _("智能分拨模型")


class RoutingRule(models.Model):
    """A routing rule (分拨规则): appeals whose text contains any keyword go to a
    department; the first active matching rule, in order, wins over the model."""

    order = models.PositiveIntegerField(_("顺序"), default=100)
    active = models.BooleanField(_("启用"), default=True)
    name = models.CharField(_("规则名称"), max_length=100)
    keywords = models.TextField(_("关键词"), help_text=_("任一关键词出现即匹配，用空格或逗号分隔"))
    appeal_type = models.CharField(
        _("诉求类型"), max_length=20, choices=AppealType.choices, blank=True
    )
    division = models.ForeignKey(
        "org.Division",
        verbose_name=_("适用区划（含下级）"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    department_code = models.SlugField(_("目标部门简码"), max_length=40)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("分拨规则")
        verbose_name_plural = _("分拨规则")

    def __str__(self) -> str:
        return self.name


class TimeLimit(models.Model):
    """Working-day limits (办理时限) of one appeal type: sign-off and reply."""

    appeal_type = models.CharField(
        _("诉求类型"), max_length=20, choices=AppealType.choices, unique=True
    )
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"))
    warn_days = models.PositiveSmallIntegerField(
        _("临期预警（工作日）"), default=1, help_text=_("答复期限前多少个工作日预警")
    )

    class Meta:
        ordering = ["appeal_type"]
        verbose_name = _("诉求办理时限")
        verbose_name_plural = _("诉求办理时限")

    def __str__(self) -> str:
        return self.get_appeal_type_display()


class AppealSequence(models.Model):
    """The last tracking-number sequence used on one day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Appeal(models.Model):
    """A citizen's or enterprise's appeal (诉求) to the 12345 hotline."""

    number = models.CharField(_("诉求编号"), max_length=20, unique=True)
    appeal_type = models.CharField(_("诉求类型"), max_length=20, choices=AppealType.choices)
    title = EncryptedTextField(_("标题"))
    content = EncryptedTextField(_("内容"))
    location = EncryptedTextField(_("地点"), blank=True, default="")
    contact_name = EncryptedTextField(_("联系人"), blank=True, default="")
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    division = models.ForeignKey(
        "org.Division", verbose_name=_("行政区划"), on_delete=models.PROTECT
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
    )
    query_code_hash = models.CharField(max_length=64, blank=True, default="")
    allow_publication = models.BooleanField(_("同意公开"), default=True)
    status = models.CharField(_("状态"), max_length=20, choices=AppealStatus.choices, db_index=True)
    proposed_source = models.CharField(
        _("分拨依据"), max_length=10, choices=RouteSource.choices, blank=True
    )
    proposed_rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("命中规则")
    )
    proposed_department_code = models.CharField(_("建议部门"), max_length=40, blank=True)
    proposed_confidence = models.FloatField(_("置信度"), default=0.0)
    auto_dispatched = models.BooleanField(_("自动派单"), default=False)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("承办（主办）部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    dispatched_on = models.DateField(_("派单日期"), null=True, blank=True)
    sign_deadline = models.DateField(_("签收期限"), null=True, blank=True)
    reply_deadline = models.DateField(_("答复期限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reply = EncryptedTextField(_("答复内容"), blank=True, default="")
    extension_days = models.PositiveSmallIntegerField(_("申请延期（工作日）"), default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    follow_up_comment = EncryptedTextField(_("回访意见"), blank=True, default="")
    reopened = models.BooleanField(_("已重办"), default=False)
    published = models.BooleanField(_("已公开"), default=False, db_index=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    sign_overdue = models.BooleanField(_("签收超期"), default=False)
    reply_overdue = models.BooleanField(_("答复超期"), default=False)
    reply_warned = models.BooleanField(_("答复临期预警"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["submitter", "-submitted_at", "-id"]),
            models.Index(fields=["published", "-published_at", "-id"]),
            # Decision support folds each day's new and replied appeals into figures.
            models.Index(fields=["submitted_at"], name="interaction_appeal_sub"),
            models.Index(fields=["replied_at"], name="interaction_appeal_rep"),
        ]

    def __str__(self) -> str:
        return self.number


class Assignment(models.Model):
    """A department handling an appeal: the lead (主办) or a co-handler (协办) of a joint
    handling (联合办理), with the co-handler's opinion."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(_("主办"), default=False)
    opinion = EncryptedTextField(_("协办意见"), blank=True, default="")
    opinion_at = models.DateTimeField(_("意见提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["-lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "department"], name="appeal_department_once")
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.department_id}"


class Step(models.Model):
    """One entry in an appeal's timeline (办理过程): who did what, when."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=100, blank=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


class Attachment(models.Model):
    """A file attached to an appeal at submission (Django storage)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name
