"""Service items, their implementation per division, materials, forms and life-event bundles."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    """事项类型 (GB/T 39046-2020 appendix A)."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class Audience(models.TextChoices):
    """服务对象."""

    PERSON = "person", _("个人")
    LEGAL = "legal", _("法人")
    BOTH = "both", _("个人和法人")


class HandlingType(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")


class MaterialSource(models.TextChoices):
    """材料来源渠道."""

    UPLOAD = "upload", _("申请人提供")
    REGISTRY = "registry", _("共享获取（基础库）")
    LICENCE = "licence", _("电子证照")


class ServiceItem(models.Model):
    """A service item (政务服务事项): the province-wide definition of what can be applied for."""

    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    handling_type = models.CharField(_("办件类型"), max_length=1, choices=HandlingType.choices)
    max_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    fee_free = models.BooleanField(_("不收费"), default=True)
    fees = models.TextField(_("收费标准"), blank=True)
    channels = models.JSONField(_("办理渠道"), default=list, blank=True)
    life_events = models.JSONField(_("主题（人生事件）"), default=list, blank=True)
    keywords = models.TextField(
        _("检索关键词"), blank=True, help_text=_("同义词和俗称，空格分隔，如：开饭店 餐饮")
    )
    description = models.TextField(_("事项说明"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    faq = models.JSONField(_("常见问题"), default=list, blank=True)
    result_name = models.CharField(
        _("审批结果名称"), max_length=200, blank=True, help_text=_("如：营业执照")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ItemImplementation(models.Model):
    """The implementation list entry (实施清单) of an item in one division by one department."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="implementations")
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    fees = models.TextField(_("收费标准"), blank=True)
    window_address = models.CharField(_("办理地点"), max_length=300, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    guide = models.TextField(_("办理流程"), blank=True)
    process_key = models.CharField(
        _("审批流程"), max_length=100, blank=True, help_text=_("BPMN 流程标识，如 two_step_review")
    )
    form_schema = models.JSONField(_("申请表（JSON Schema）"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("实施清单")
        verbose_name_plural = _("实施清单")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "division", "department"], name="catalog_impl_unique"
            )
        ]
        indexes = [models.Index(fields=["division", "id"])]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.division_id}）"


BLANK_FORM_EXTENSIONS = ["txt", "csv", "pdf", "docx", "xlsx", "odt", "ods", "ofd"]


class Material(models.Model):
    """A material (申请材料) of one implementation: provided by the applicant or fetched."""

    implementation = models.ForeignKey(
        ItemImplementation, on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    source = models.CharField(
        _("来源渠道"), max_length=10, choices=MaterialSource.choices, default=MaterialSource.UPLOAD
    )
    blank_form = models.FileField(
        _("空白表格"),
        upload_to="catalog/forms/",
        blank=True,
        validators=[FileExtensionValidator(BLANK_FORM_EXTENSIONS)],
    )
    # For materials the platform fetches (共享获取): the exchange resource to ask; empty =
    # the applicant's identity resource (population for persons, enterprises for legal
    # persons, TONGBAN_IDENTITY_RESOURCES).
    resource_code = models.CharField(_("共享资源编码"), max_length=40, blank=True)
    example = models.TextField(_("示例样表说明"), blank=True)
    notes = models.TextField(_("填报须知"), blank=True)

    class Meta:
        ordering = ["implementation_id", "position", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["implementation", "name"], name="catalog_material_name")
        ]

    def __str__(self) -> str:
        return self.name


class LifeEventBundle(models.Model):
    """A life-event bundle (一件事一次办): several items applied for with one form."""

    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("说明"), blank=True)
    implementations = models.ManyToManyField(
        ItemImplementation, related_name="bundles", verbose_name=_("包含事项")
    )
    # The department whose window accepts the joint application (一窗受理).
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头部门（综合窗口）"),
    )
    process_key = models.CharField(_("审批流程"), max_length=100, blank=True)
    form_schema = models.JSONField(_("合并申请表（JSON Schema）"), default=dict, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name


class SearchTerm(models.Model):
    """One segmented term of an implementation's searchable text (inverted index)."""

    implementation = models.ForeignKey(
        ItemImplementation, on_delete=models.CASCADE, related_name="+"
    )
    term = models.CharField(max_length=40)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "implementation"], name="catalog_term_unique")
        ]

    def __str__(self) -> str:
        return self.term
