"""Applications (办件), their timeline, materials, correction notices and appointments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedJSONField


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报")
    CORRECTION_REQUIRED = "correction_required", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    COMPLETED = "completed", _("办结")
    WITHDRAWN = "withdrawn", _("撤回")


class CaseResult(models.TextChoices):
    APPROVED = "approved", _("准予")
    DENIED = "denied", _("不予")


class Channel(models.TextChoices):
    """申报来源: how the application reached the platform (网上办理率 counts ``online``)."""

    ONLINE = "online", _("网上申报")
    WINDOW = "window", _("窗口申报")


class Level(models.TextChoices):
    """Supervision signal (电子监察) as last computed by the supervision sweep."""

    NORMAL = "normal", _("正常")
    WARNING = "warning", _("黄灯预警")
    OVERDUE = "overdue", _("红灯超期")


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION_REQUIRED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
)


class Case(models.Model):
    """An application case (办件): one applicant's application for an item or a bundle."""

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    # Keyed hash of the applicant's ID number or credit code: the public status query
    # matches on it without storing or decrypting the identifier.
    applicant_id_hash = models.CharField(max_length=64)
    applicant_id_masked = models.CharField(_("证件号码"), max_length=20)
    implementation = models.ForeignKey(
        "catalog.ItemImplementation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bundle = models.ForeignKey(
        "catalog.LifeEventBundle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Snapshot of the catalog at creation: later edits of the item do not change a case.
    item_code = models.CharField(_("事项编码"), max_length=80)
    item_name = models.CharField(_("事项名称"), max_length=200)
    division_code = models.CharField(_("行政区划"), max_length=6)
    department_code = models.CharField(_("受理部门"), max_length=40)
    process_key = models.CharField(max_length=100)
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    channel = models.CharField(
        _("申报来源"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The form holds personal data (names, ID numbers, phones): encrypted at rest.
    form = EncryptedJSONField(_("申请表"), default=dict)
    status = models.CharField(
        _("状态"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    result = models.CharField(_("办理结果"), max_length=10, choices=CaseResult.choices, blank=True)
    result_reason = models.TextField(_("结果说明"), blank=True)
    process_instance_id = models.PositiveBigIntegerField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    correction_due = models.DateField(_("补正告知期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    clock_start = models.DateField(_("计时起点"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    deadline = models.DateField(_("承诺办结日期"), null=True, blank=True)
    level = models.CharField(
        _("监察状态"), max_length=10, choices=Level.choices, default=Level.NORMAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["applicant", "-id"]),
            models.Index(fields=["division_code", "department_code", "status", "-id"]),
            # Decision support reads each day's first submissions (materials figures).
            models.Index(fields=["first_submitted_at"], name="cases_first_submitted"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseNumberSequence(models.Model):
    """The last serial used for case numbers of one division on one day."""

    division_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["division_code", "day"], name="cases_number_day")
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.day}: {self.last}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for creating a case: the same key never creates two."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="cases_idempotency_once")
        ]

    def __str__(self) -> str:
        return self.key


class CaseEvent(models.Model):
    """One entry of a case's timeline: who did what, when, from which status to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    status_from = models.CharField(max_length=24, blank=True)
    status_to = models.CharField(max_length=24, blank=True)
    comment = models.TextField(blank=True)
    # Internal correspondence (a 征求意见函 and its reply) is for the handling staff, not
    # the applicant's timeline.
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class StoredFile(models.Model):
    """A file an applicant uploaded once; later cases reuse it (材料复用)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="cases/files/")
    label = models.CharField(_("材料名称"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="cases_file_once")]
        indexes = [models.Index(fields=["owner", "-id"])]

    def __str__(self) -> str:
        return self.original_name


class CaseMaterial(models.Model):
    """A material (申请材料) attached to a case: a file, or data the platform fetched."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    reused = models.BooleanField(_("复用"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="cases_material_once")]

    def __str__(self) -> str:
        return self.name


class FetchedMaterial(models.Model):
    """A material the platform fetched through the exchange gateway instead of asking the
    applicant for it (“已由系统自动获取”), with where it came from."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fetched")
    name = models.CharField(_("材料名称"), max_length=200)
    resource_code = models.CharField(_("共享资源编码"), max_length=40)
    source_label = models.CharField(_("来源"), max_length=300, blank=True)
    ok = models.BooleanField(_("已获取"), default=False)
    reason = models.CharField(_("未获取原因"), max_length=300, blank=True)
    message_id = models.CharField(_("交换消息编号"), max_length=64, blank=True)
    # What the source said (e.g. name, ID number, address): personal data, encrypted.
    data = EncryptedJSONField(_("获取的数据"), default=dict)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="cases_fetched_once")]

    def __str__(self) -> str:
        return self.name


class CorrectionNotice(models.Model):
    """A one-time correction notice (一次性告知补正) listing everything to correct."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    items = models.JSONField(default=list)
    during_review = models.BooleanField(default=False)
    # Issued after the statutory intake limit: the case counts as accepted from submission.
    late = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "；".join(self.items)


class ServiceWindow(models.Model):
    """A service window (服务窗口) in a hall, where appointments are booked."""

    division_code = models.CharField(_("行政区划"), max_length=6)
    department_code = models.CharField(_("部门"), max_length=40)
    name = models.CharField(_("窗口名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=300)

    class Meta:
        ordering = ["division_code", "id"]
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")

    def __str__(self) -> str:
        return self.name


class AppointmentSlot(models.Model):
    """A bookable time slot of a window; ``capacity`` visitors at most."""

    window = models.ForeignKey(ServiceWindow, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"), default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="cases_slot_once")
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")


class Appointment(models.Model):
    """An appointment (预约) for a visit; a seat of a slot is never booked twice."""

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="+")
    seat = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "seat"],
                condition=Q(status="booked"),
                name="cases_seat_booked_once",
            ),
            models.UniqueConstraint(
                fields=["slot", "user"],
                condition=Q(status="booked"),
                name="cases_user_slot_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot_id}#{self.seat}"
