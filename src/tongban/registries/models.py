"""Base registries (基础库): source records with lineage, golden records, conflicts.

Personal values never sit in clear: a source record's attributes are one encrypted JSON
value, each attribute value is encrypted on its own, and the columns used for joining
and blocking hold keyed lookup hashes (HMAC-SM3) only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedJSONField, EncryptedTextField


class Kind(models.TextChoices):
    PERSON = "person", _("自然人")
    LEGAL = "legal", _("法人")


class LinkMethod(models.TextChoices):
    EXACT_ID = "exact_id", _("证件号码一致")
    PROBABILISTIC = "probabilistic", _("概率匹配")
    NEW = "new", _("新建主记录")


class Entity(models.Model):
    """A golden record: one person (人口库) or one legal person (法人库)."""

    registry_id = models.CharField(_("基础库编号"), max_length=20, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    # Keyed hash of the valid ID number or credit code; null (not "") while none is known,
    # so that the unique constraint leaves records without an identifier alone.
    key_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    # GB/T 2260 code the record belongs to, for the stewards' scope ("" when unknown).
    division_code = models.CharField(_("行政区划"), max_length=6, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("基础库主记录")
        verbose_name_plural = _("基础库主记录")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key_hash"], name="registries_entity_key"),
        ]

    def __str__(self) -> str:
        return self.registry_id


class PersonManager(models.Manager["Person"]):
    def get_queryset(self) -> models.QuerySet[Person]:
        return super().get_queryset().filter(kind=Kind.PERSON)


class LegalPersonManager(models.Manager["LegalPerson"]):
    def get_queryset(self) -> models.QuerySet[LegalPerson]:
        return super().get_queryset().filter(kind=Kind.LEGAL)


class Person(Entity):
    """人口库 golden record (a proxy over ``Entity`` with kind person)."""

    objects = PersonManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("人口库记录")
        verbose_name_plural = _("人口库记录")


class LegalPerson(Entity):
    """法人库 golden record (a proxy over ``Entity`` with kind legal)."""

    objects = LegalPersonManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("法人库记录")
        verbose_name_plural = _("法人库记录")


class SourceRecord(models.Model):
    """One row of a department's source (公安户籍, 市场监管登记, 人社参保) as last seen."""

    source = models.CharField(_("来源"), max_length=20)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    source_id = models.CharField(_("来源记录号"), max_length=100)
    attributes = EncryptedJSONField(_("规范化属性"))
    content_hash = models.CharField(max_length=64, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_valid = models.BooleanField(_("证件号码有效"), default=False)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Second blocking key: birth date (persons) or legal representative (legal persons).
    block_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    first_seen_at = models.DateTimeField(_("首次获取时间"))
    seen_at = models.DateTimeField(_("本版本获取时间"))
    last_seen_at = models.DateTimeField(_("最近同步时间"))
    entity = models.ForeignKey(
        Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    link_method = models.CharField(
        _("关联方式"), max_length=20, choices=LinkMethod.choices, blank=True
    )
    link_score = models.FloatField(_("匹配概率"), null=True, blank=True)

    class Meta:
        verbose_name = _("来源记录")
        verbose_name_plural = _("来源记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="registries_source_record"
            ),
        ]
        indexes = [models.Index(fields=["kind", "entity"], name="registries_rec_pending")]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class AttributeValue(models.Model):
    """One source's value of one attribute of a golden record, with its lineage;
    ``chosen`` marks the value the golden record currently shows."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="values")
    attribute = models.CharField(_("属性"), max_length=40)
    value = EncryptedTextField(_("值"))
    # Keyed hash of the comparable form: equal hashes mean the sources agree.
    value_hash = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("来源"), max_length=20)
    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="values")
    seen_at = models.DateTimeField(_("获取时间"))
    chosen = models.BooleanField(_("采用"), default=False)

    class Meta:
        verbose_name = _("属性值")
        verbose_name_plural = _("属性值")
        constraints = [
            models.UniqueConstraint(
                fields=["source_record", "attribute"], name="registries_value_per_record"
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "attribute"], name="registries_value_entity"),
            models.Index(fields=["attribute", "value_hash"], name="registries_value_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}@{self.source}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")
    SUPERSEDED = "superseded", _("来源已变化")


class Conflict(models.Model):
    """Sources disagree on one attribute of a golden record (数据冲突); a data steward
    picks the value. ``fingerprint`` identifies the disagreement: the decision holds
    while the sources keep sending the same values."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="conflicts")
    attribute = models.CharField(_("属性"), max_length=40)
    # [{"value", "source", "source_id", "record_id", "seen_at", "hash"}]
    values = EncryptedJSONField(_("各来源的值"))
    fingerprint = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    opened_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    chosen_value = EncryptedTextField(_("采用的值"), null=True, blank=True)
    chosen_hash = models.CharField(max_length=64, blank=True, editable=False)
    chosen_source = models.CharField(_("采用的来源"), max_length=20, blank=True)
    note = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据冲突")
        verbose_name_plural = _("数据冲突")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "attribute"],
                condition=models.Q(status="open"),
                name="registries_one_open_conflict",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "attribute", "id"], name="registries_conflict_list"),
            models.Index(fields=["entity", "attribute", "status"], name="registries_conflict_ent"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}:{self.attribute}"


class Derive(models.TextChoices):
    ROWS = "", _("逐行读取")
    EMPLOYERS = "employers", _("由参保人员推出参保单位")


class RegistrySource(models.Model):
    """Where one source of one kind comes from: a resource of the exchange catalog read
    through the gateway as an exchange client, and how its data items map to registry
    attributes. Configuration, edited by administrators; ``registry_sync`` reads every
    enabled source."""

    source = models.CharField(_("来源代码"), max_length=20, help_text=_("如 gongan、scjg、rsj"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("名称"), max_length=100)
    resource_code = models.CharField(_("信息资源代码"), max_length=64)
    client_id = models.CharField(
        _("交换客户端标识"), max_length=100, help_text=_("以该客户端的身份经共享交换网关查询")
    )
    # {registry attribute: data item key} or {attribute: {"item": key, "values": {...},
    # "default": ...}}; "source_id" names the item holding the source's row key.
    attribute_map = models.JSONField(_("属性映射"), default=dict)
    derive = models.CharField(
        _("读取方式"), max_length=20, choices=Derive.choices, default=Derive.ROWS, blank=True
    )
    page_size = models.PositiveSmallIntegerField(_("每页条数"), default=100)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("基础库数据来源")
        verbose_name_plural = _("基础库数据来源")
        ordering = ["source", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind"], name="registries_source_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.kind}"
