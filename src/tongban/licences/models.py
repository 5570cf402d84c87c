"""Licence types, department signing keys, licences, their status history and holders'
consents to use them.

The signed form of a licence (its canonical JSON payload and the signature) is the
authority; the columns beside it exist to find and list licences without decrypting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedJSONField, EncryptedTextField


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    LEGAL = "legal", _("法人和其他组织")


class LicenceType(models.Model):
    """A licence type (证照类型) with its own data items and the items that issue it.

    ``fields`` lists the type's data items in display order:
    ``{"key", "label", "source", "required"}``, where ``source`` says how issuance from a
    case fills it: ``form:KEY`` (the application form), ``applicant:name``,
    ``case:number``, ``case:item_name``, ``const:TEXT`` or ``""`` (given at import).
    """

    code = models.CharField(_("证照类型代码"), max_length=40, unique=True)
    name = models.CharField(_("证照类型名称"), max_length=100)
    holder_kind = models.CharField(_("持证主体类型"), max_length=10, choices=HolderKind.choices)
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    item_codes = models.JSONField(
        _("颁发事项"),
        default=list,
        blank=True,
        help_text=_("办结“准予”时颁发本证照的事项编码列表"),
    )
    fields = models.JSONField(_("证照数据项"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class SigningKey(models.Model):
    """A department's signing key pair (电子印章密钥). Retired keys stay published so
    that what they signed stays verifiable."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    algorithm = models.CharField(_("算法"), max_length=20)
    key_id = models.CharField(_("密钥标识"), max_length=64, unique=True)
    public_key = models.CharField(_("公钥"), max_length=200)
    private_key = EncryptedTextField(_("私钥"), blank=True)
    created_at = models.DateTimeField(_("启用时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["department_id", "-created_at"]
        verbose_name = _("签章密钥")
        verbose_name_plural = _("签章密钥")
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(retired_at__isnull=True),
                name="licences_one_active_key",
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("已暂停")
    REVOKED = "revoked", _("已吊销")
    ANNULLED = "annulled", _("已作废")


class SerialCounter(models.Model):
    """The last serial number used per licence type, issuer and year."""

    type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type", "department", "year"], name="licences_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.department_id}/{self.year}: {self.last}"


class Licence(models.Model):
    """An electronic licence (电子证照) as issued and signed by a department."""

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="licences", verbose_name=_("证照类型")
    )
    number = models.CharField(_("证照编号"), max_length=20)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    holder_kind = models.CharField(_("持证主体类型"), max_length=10, choices=HolderKind.choices)
    holder_hash = models.CharField(max_length=64, db_index=True)
    holder_masked = models.CharField(_("持证主体代码"), max_length=20)
    issuer = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("颁发机构")
    )
    issue_date = models.DateField(_("颁发日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    payload = EncryptedJSONField(_("证照内容"))
    signature = models.TextField(_("签名值"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        constraints = [
            models.UniqueConstraint(
                fields=["case_id", "type"],
                condition=Q(case_id__isnull=False),
                name="licences_one_per_case_and_type",
            )
        ]
        indexes = [models.Index(fields=["issuer", "id"])]

    def __str__(self) -> str:
        return self.identifier


class LicenceEvent(models.Model):
    """One entry of a licence's history: issued, suspended, reinstated, revoked, annulled."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=LicenceStatus.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.status}"


class ConsentScope(models.TextChoices):
    FULL = "full", _("证照全部信息（用于办理业务）")
    SUMMARY = "summary", _("仅证照名称、编号、状态和有效期（用于核验）")


class Consent(models.Model):
    """A holder's consent (用证授权) for a department to use one licence until a date."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="consents")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("被授权部门")
    )
    scope = models.CharField(_("授权范围"), max_length=10, choices=ConsentScope.choices)
    purpose = models.CharField(_("用途"), max_length=200)
    expires_at = models.DateTimeField(_("授权截止时间"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "licence"])]

    def __str__(self) -> str:
        return f"{self.licence_id} -> {self.department_id} ({self.scope})"
