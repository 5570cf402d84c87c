"""Open datasets, their distributions, the datastore snapshot, conditional-access
applications and API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Group(models.Model):
    """A theme (主题) grouping datasets: CKAN's group, DCAT's dcat:theme."""

    name = models.SlugField(_("标识"), max_length=100, unique=True)
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    # An EU data theme (http://publications.europa.eu/resource/authority/data-theme/...).
    eu_theme = models.CharField(_("对应欧盟数据主题"), max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return self.name


class DatasetState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("已开放")
    WITHDRAWN = "withdrawn", _("已撤回")


class Access(models.TextChoices):
    """开放类型 as the portal applies it."""

    OPEN = "open", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")


class Frequency(models.TextChoices):
    """Update frequency, mapped to the EU frequency vocabulary in DCAT."""

    DAILY = "DAILY", _("每日")
    WEEKLY = "WEEKLY", _("每周")
    MONTHLY = "MONTHLY", _("每月")
    QUARTERLY = "QUARTERLY", _("每季度")
    ANNUAL = "ANNUAL", _("每年")
    IRREG = "IRREG", _("不定期")


class Dataset(models.Model):
    """An open dataset (开放数据集) published from one catalog resource."""

    name = models.SlugField(_("标识"), max_length=100, unique=True)  # CKAN's package name
    title = models.CharField(_("名称"), max_length=200)
    notes = models.TextField(_("简介"), blank=True)
    resource_code = models.CharField(_("来源资源代码"), max_length=64, unique=True)
    organization = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("提供部门")
    )
    spatial = models.ForeignKey(
        "org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("空间范围")
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    access = models.CharField(_("开放类型"), max_length=12, choices=Access.choices)
    terms = models.TextField(_("使用条件"), blank=True)
    license_id = models.CharField(_("许可协议"), max_length=40, default="CC-BY-4.0")
    frequency = models.CharField(_("更新频率"), max_length=10, choices=Frequency.choices)
    temporal_start = models.DateField(_("时间范围起"), null=True, blank=True)
    temporal_end = models.DateField(_("时间范围止"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100)
    contact_email = models.EmailField(_("联系邮箱"))
    # The open data items of the source resource, in order (no sensitive ones).
    fields = models.JSONField(_("数据项"), default=list)
    state = models.CharField(
        _("状态"), max_length=10, choices=DatasetState.choices, default=DatasetState.DRAFT
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    modified = models.DateTimeField(_("更新时间"), auto_now=True)
    issued = models.DateTimeField(_("开放时间"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("开放数据集")
        verbose_name_plural = _("开放数据集")
        indexes = [models.Index(fields=["state", "organization"])]

    def __str__(self) -> str:
        return self.title


class DistributionFormat(models.TextChoices):
    CSV = "CSV", "CSV"
    JSON = "JSON", "JSON"
    XLSX = "XLSX", "XLSX"


class Distribution(models.Model):
    """A download of a dataset in one format (CKAN resource, DCAT distribution)."""

    id = models.UUIDField(primary_key=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    format = models.CharField(_("格式"), max_length=8, choices=DistributionFormat.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)
    modified = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["dataset_id", "format"]
        verbose_name = _("数据文件")
        verbose_name_plural = _("数据文件")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format"], name="opendata_one_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}.{self.format}"


class Record(models.Model):
    """One row of a dataset's datastore snapshot, taken from the source resource."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField()
    data = models.JSONField()
    # Lower-cased text of every value, for datastore_search's q.
    text = models.TextField(default="")

    class Meta:
        ordering = ["dataset_id", "row"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "row"], name="opendata_record_row")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}#{self.row}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class AccessApplication(models.Model):
    """An application (开放申请) for a conditionally open dataset, with accepted terms."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.TextField(_("用途"))
    terms_accepted = models.BooleanField(_("已同意使用条件"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default="pending"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("开放申请")
        verbose_name_plural = _("开放申请")

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.applicant_id}/{self.status}"


class ApiKey(models.Model):
    """An API key (接口密钥) for heavy users: its own, higher rate limit."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)  # keyed hash, never the key
    rate_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=600)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
