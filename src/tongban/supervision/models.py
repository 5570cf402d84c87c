"""Supervision data: working-day clocks (办件计时), suspensions, extensions, warning rules,
alerts (督办记录), service ratings (好差评) and rectifications (整改).

Cases are referenced by a plain integer id (the cases app owns them); the snapshot fields
(number, item, department, division path and names) let lists and statistics run on these
tables alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("黄灯预警")
    OVERDUE = "overdue", _("红灯超期")


class StopReason(models.TextChoices):
    COMPLETED = "completed", _("办结")
    WITHDRAWN = "withdrawn", _("撤回")


class SupervisionRule(models.Model):
    """Warning thresholds and rectification period (监察规则), matched by specificity:
    the rule naming the item, then the department, then the nearest division wins."""

    division_code = models.CharField(
        _("行政区划"), max_length=6, blank=True, help_text=_("留空表示适用于所有区划")
    )
    department_code = models.CharField(
        _("部门简码"), max_length=40, blank=True, help_text=_("留空表示适用于所有部门")
    )
    item_code = models.CharField(
        _("事项编码"), max_length=80, blank=True, help_text=_("留空表示适用于所有事项")
    )
    warning_ratio = models.DecimalField(
        _("黄灯比例"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.8"),
        help_text=_("已用时间达到承诺时限的该比例时亮黄灯，取值大于0且不超过1"),
    )
    warning_days_left = models.PositiveSmallIntegerField(
        _("剩余工作日预警"), default=1, help_text=_("剩余工作日不多于该值时亮黄灯")
    )
    rectification_days = models.PositiveSmallIntegerField(_("差评整改期限（工作日）"), default=15)
    max_extension_days = models.PositiveSmallIntegerField(
        _("最多延长（工作日）"), default=10, help_text=_("《行政许可法》第四十二条：可延长十日")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division_code", "department_code", "item_code", "id"]
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "department_code", "item_code"],
                name="supervision_rule_scope_once",
            )
        ]

    def __str__(self) -> str:
        scope = "/".join(
            part for part in (self.division_code, self.department_code, self.item_code) if part
        )
        return str(scope or _("默认规则"))

    def clean(self) -> None:
        if self.warning_ratio is None or not (Decimal(0) < self.warning_ratio <= Decimal(1)):
            raise ValidationError({"warning_ratio": _("黄灯比例应大于0且不超过1")})


class Clock(models.Model):
    """The working-day clock of one accepted case (办件计时)."""

    case_id = models.PositiveBigIntegerField(_("办件"), unique=True)
    number = models.CharField(_("办件编号"), max_length=32)
    item_code = models.CharField(_("事项编码"), max_length=80)
    item_name = models.CharField(_("事项名称"), max_length=200)
    division_code = models.CharField(_("行政区划"), max_length=6)
    division_path = models.CharField(max_length=100, db_index=True)
    division_name = models.CharField(_("区划名称"), max_length=50, blank=True)
    department_code = models.CharField(_("受理部门"), max_length=40)
    department_name = models.CharField(_("部门名称"), max_length=100, blank=True)
    online = models.BooleanField(_("网上申报"), default=True)
    accepted_at = models.DateTimeField(_("受理时间"))
    accepted_on = models.DateField(_("受理日期"))
    clock_start = models.DateField(_("计时起点"))
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    extension_days = models.PositiveSmallIntegerField(_("延长工作日合计"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("已结束中止的工作日合计"), default=0)
    suspended = models.BooleanField(_("计时中止中"), default=False)
    deadline = models.DateField(_("承诺办结日期"))
    statutory_deadline = models.DateField(_("法定办结日期"))
    level = models.CharField(_("监察状态"), max_length=10, choices=Level, default=Level.NORMAL)
    level_changed_at = models.DateTimeField(_("状态变化时间"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("停止计时时间"), null=True, blank=True)
    stop_reason = models.CharField(_("停止原因"), max_length=10, choices=StopReason, blank=True)
    result = models.CharField(_("办理结果"), max_length=10, blank=True)
    used_days = models.PositiveSmallIntegerField(_("实际用时（工作日）"), null=True, blank=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办件计时")
        verbose_name_plural = _("办件计时")
        indexes = [
            # The sweep: running clocks in id order.
            models.Index(fields=["id"], condition=Q(stopped_at__isnull=True), name="sup_running"),
            # The supervisor's lists: running clocks by level and deadline.
            models.Index(
                fields=["level", "deadline", "id"],
                condition=Q(stopped_at__isnull=True),
                name="sup_running_level",
            ),
            models.Index(fields=["division_path", "accepted_on"], name="sup_stats"),
            # Decision support folds each day's accepted and completed cases into figures.
            models.Index(fields=["accepted_on"], name="sup_accepted_on"),
            models.Index(fields=["stopped_at"], name="sup_stopped_at"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def running(self) -> bool:
        return self.stopped_at is None


class SuspensionKind(models.TextChoices):
    CORRECTION = "correction", _("补正")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    HEARING = "hearing", _("听证")
    TESTING = "testing", _("检验检测")
    OTHER = "other", _("其他特别程序")


class Suspension(models.Model):
    """A pause of the clock (特别程序 / 补正): its working days do not count."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("种类"), max_length=20, choices=SuspensionKind)
    reason = models.CharField(_("理由"), max_length=500)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("中止工作日"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("计时中止")
        verbose_name_plural = _("计时中止")
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=Q(ended_on__isnull=True), name="sup_one_open_suspension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class Extension(models.Model):
    """An approved extension (延长办理期限) with its reason and approver."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.CharField(_("理由"), max_length=500)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("延期")
        verbose_name_plural = _("延期")

    def __str__(self) -> str:
        return f"+{self.days}"


class Alert(models.Model):
    """A supervision record (督办记录) written when a clock's level changes."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="alerts")
    case_id = models.PositiveBigIntegerField(_("办件"))
    number = models.CharField(_("办件编号"), max_length=32)
    level = models.CharField(_("监察状态"), max_length=10, choices=Level)
    previous_level = models.CharField(_("原状态"), max_length=10, choices=Level)
    division_code = models.CharField(_("行政区划"), max_length=6)
    department_code = models.CharField(_("被督办部门"), max_length=40)
    issued_at = models.DateTimeField(_("发出时间"))
    rule = models.ForeignKey(
        SupervisionRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("规则"),
    )
    deadline = models.DateField(_("承诺办结日期"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def __str__(self) -> str:
        return f"{self.number} {self.level}"


class RatingChannel(models.TextChoices):
    PC = "pc", _("PC端")
    MOBILE = "mobile", _("移动端")
    QRCODE = "qrcode", _("二维码")
    KIOSK = "kiosk", _("大厅终端")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")


class Score(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("非常不满意")
    DISSATISFIED = 2, _("不满意")
    FAIR = 3, _("基本满意")
    SATISFIED = 4, _("满意")
    VERY_SATISFIED = 5, _("非常满意")


class Rating(models.Model):
    """A service rating (好差评), one per case (一事一评)."""

    case_id = models.PositiveBigIntegerField(_("办件"), unique=True)
    number = models.CharField(_("办件编号"), max_length=32)
    score = models.PositiveSmallIntegerField(_("满意度"), choices=Score)
    comment = models.TextField(_("文字评价"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评价时间"))
    division_code = models.CharField(_("行政区划"), max_length=6)
    division_path = models.CharField(max_length=100, db_index=True)
    division_name = models.CharField(_("区划名称"), max_length=50, blank=True)
    department_code = models.CharField(_("部门简码"), max_length=40)
    department_name = models.CharField(_("部门名称"), max_length=100, blank=True)
    excluded = models.BooleanField(_("不计入评分"), default=False)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        indexes = [
            models.Index(fields=["division_code", "department_code"], name="sup_rating"),
            models.Index(fields=["rated_at"], name="sup_rating_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.score}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    CALLED_BACK = "called_back", _("已回访，整改中")
    CLOSED = "closed", _("已办结")


class Outcome(models.TextChoices):
    FIXED = "fixed", _("已整改")
    EXPLAINED = "explained", _("已解释说明")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立")


class AppealStatus(models.TextChoices):
    NONE = "", _("无")
    PENDING = "pending", _("申诉待复核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class Rectification(models.Model):
    """The rectification (差评整改) a bad rating opens for the handling department."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    case_id = models.PositiveBigIntegerField(_("办件"))
    number = models.CharField(_("办件编号"), max_length=32)
    division_code = models.CharField(_("行政区划"), max_length=6)
    division_path = models.CharField(max_length=100, db_index=True)
    department_code = models.CharField(_("责任部门"), max_length=40)
    department_name = models.CharField(_("部门名称"), max_length=100, blank=True)
    opened_at = models.DateTimeField(_("发起时间"))
    due = models.DateField(_("整改期限"))
    overdue = models.BooleanField(_("已超期"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus, default=RectificationStatus.OPEN
    )
    callback_note = models.TextField(_("回访记录"), blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("整改结果"), max_length=16, choices=Outcome, blank=True)
    close_note = models.TextField(_("办结说明"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_status = models.CharField(
        _("申诉"), max_length=10, choices=AppealStatus, blank=True, default=AppealStatus.NONE
    )
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appeal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_note = models.TextField(_("复核意见"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(
                fields=["due", "id"],
                condition=~Q(status="closed"),
                name="sup_rectification_open",
            ),
            models.Index(fields=["opened_at"], name="sup_rect_opened"),
            models.Index(fields=["closed_at"], name="sup_rect_closed"),
        ]

    def __str__(self) -> str:
        return self.number
