"""Data resources, their data items, sharing grants, exchange clients, adapters and the
signed message log of the exchange gateway."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceFormat(models.TextChoices):
    TABLE = "table", _("数据库表")
    API = "api", _("接口")
    FILE = "file", _("文件")


class ShareType(models.TextChoices):
    """共享类型."""

    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NONE = "none", _("不予共享")


class OpenType(models.TextChoices):
    """开放类型."""

    UNCONDITIONAL = "unconditional", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")
    NONE = "none", _("不予开放")


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")
    SENSITIVE = "sensitive", _("敏感")


class MaskRule(models.TextChoices):
    NONE = "none", _("不脱敏")
    ID_NUMBER = "id_number", _("证件号码")
    PHONE = "phone", _("电话号码")
    NAME = "name", _("姓名")
    ADDRESS = "address", _("地址")


class AdapterKind(models.TextChoices):
    SQL = "sql", _("数据库（SQL）")
    REST = "rest", _("接口（REST）")
    FILE = "file", _("文件（CSV/XLSX）")
    PLATFORM = "platform", _("平台内数据源")


class Adapter(models.Model):
    """An adapter (适配器) that reads a department's own system, read-only."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=AdapterKind.choices)
    config = models.JSONField(_("连接配置"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("适配器")
        verbose_name_plural = _("适配器")

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A government information resource (政务信息资源) of the resource catalog."""

    code = models.CharField(_("资源代码"), max_length=64, unique=True)
    name = models.CharField(_("资源名称"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True)
    provider = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提供方"),
    )
    classification = models.CharField(_("资源分类"), max_length=100, blank=True)
    theme = models.CharField(_("主题"), max_length=50, blank=True, db_index=True)
    format = models.CharField(_("格式"), max_length=10, choices=ResourceFormat.choices)
    share_type = models.CharField(_("共享类型"), max_length=16, choices=ShareType.choices)
    share_condition = models.TextField(_("共享条件"), blank=True)
    open_type = models.CharField(
        _("开放类型"), max_length=16, choices=OpenType.choices, default=OpenType.NONE
    )
    update_cycle = models.CharField(_("更新周期"), max_length=20, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    adapter = models.ForeignKey(
        Adapter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        verbose_name=_("适配器"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("信息资源")
        verbose_name_plural = _("信息资源")
        indexes = [models.Index(fields=["provider", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DataItem(models.Model):
    """A data item (信息项) of a resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    key = models.SlugField(_("标识"), max_length=64)
    label = models.CharField(_("名称"), max_length=100)
    data_type = models.CharField(_("数据类型"), max_length=20, default="string")
    description = models.TextField(_("说明"), blank=True)
    sensitivity = models.CharField(
        _("敏感级别"), max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    mask = models.CharField(
        _("脱敏规则"), max_length=10, choices=MaskRule.choices, default=MaskRule.NONE
    )
    filterable = models.BooleanField(_("可作查询条件"), default=False)

    class Meta:
        ordering = ["resource_id", "position", "id"]
        verbose_name = _("信息项")
        verbose_name_plural = _("信息项")
        constraints = [
            models.UniqueConstraint(fields=["resource", "key"], name="exchange_item_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}（{self.label}）"


class ResourceTerm(models.Model):
    """One segmented term of a resource's searchable text (inverted index)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=40)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "resource"], name="exchange_term_unique")
        ]

    def __str__(self) -> str:
        return self.term


class FieldMapping(models.Model):
    """How one data item is read from the adapter's source: column and transforms."""

    adapter = models.ForeignKey(Adapter, on_delete=models.CASCADE, related_name="mappings")
    item_key = models.SlugField(_("信息项标识"), max_length=64)
    source = models.CharField(_("源字段"), max_length=100)
    transforms = models.JSONField(
        _("转换规则"),
        default=list,
        blank=True,
        help_text=_('按顺序执行，如 ["trim", "date:%Y%m%d", "code:{\\"1\\": \\"男\\"}"]'),
    )

    class Meta:
        ordering = ["adapter_id", "item_key"]
        verbose_name = _("字段映射")
        verbose_name_plural = _("字段映射")
        constraints = [
            models.UniqueConstraint(fields=["adapter", "item_key"], name="exchange_mapping_key")
        ]

    def __str__(self) -> str:
        return f"{self.item_key} ← {self.source}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已拒绝")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class SharingRequest(models.Model):
    """A sharing request (共享申请) of a consumer department; approved, it is a grant."""

    consumer = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("使用方")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="requests", verbose_name=_("资源")
    )
    items = models.JSONField(_("申请的信息项"), default=list)
    purpose = models.TextField(_("用途"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        indexes = [
            models.Index(fields=["consumer", "resource", "status"]),
            models.Index(fields=["status", "expires_on"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource_id} → {self.consumer_id}"


class ExchangeClient(models.Model):
    """A department system (部门业务系统) calling the gateway as an OAuth2 client."""

    client_id = models.CharField(_("客户端标识"), max_length=100, unique=True)
    name = models.CharField(_("系统名称"), max_length=100)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属部门")
    )

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("交换客户端")
        verbose_name_plural = _("交换客户端")

    def __str__(self) -> str:
        return f"{self.name}（{self.client_id}）"


class MessageLog(models.Model):
    """One gateway exchange (交换日志), hash-chained to the previous one."""

    seq = models.PositiveBigIntegerField(unique=True)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    at = models.DateTimeField()
    client_id = models.CharField(max_length=100)
    consumer_id = models.BigIntegerField(null=True)
    provider_id = models.BigIntegerField(null=True)
    resource_code = models.CharField(max_length=64)
    purpose = models.CharField(max_length=500)
    fields = models.JSONField(default=list)
    filter_keys = models.JSONField(default=list)
    request_hash = models.CharField(max_length=64)
    response_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    # The department the platform's own client asked for (代部门查询), if any. Kept out of
    # the record hash, which older records were chained without; ``request_hash`` (which
    # the record hash covers) includes it whenever it is set.
    on_behalf_of = models.BigIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("交换日志")
        verbose_name_plural = _("交换日志")
        indexes = [
            models.Index(fields=["provider_id", "-seq"]),
            models.Index(fields=["consumer_id", "-seq"]),
            # Decision support folds each day's exchanges into figures.
            models.Index(fields=["at"], name="exchange_log_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.resource_code} {self.status}"


class MessageHead(models.Model):
    """The chain head (single row): last record and the last record covered by a batch."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    batched_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.seq} (batched to #{self.batched_seq})"


class MessageBatch(models.Model):
    """A signed batch (批次签名): the SM3 Merkle root over consecutive records' hashes."""

    first_seq = models.PositiveBigIntegerField(unique=True)
    last_seq = models.PositiveBigIntegerField(unique=True)
    merkle_root = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    algorithm = models.CharField(max_length=20)
    key_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=200)
    signature = models.CharField(max_length=300)

    class Meta:
        ordering = ["first_seq"]
        verbose_name = _("日志批次签名")
        verbose_name_plural = _("日志批次签名")

    def __str__(self) -> str:
        return f"{self.first_seq}–{self.last_seq}"
