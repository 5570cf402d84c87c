"""Users of the platform and what identifies them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField
from tongban.org.selectors import Role


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    STAFF = "staff", _("工作人员")


class User(AbstractUser):
    """A person or organisation that signs in (统一身份认证用户)."""

    kind = models.CharField(_("用户类型"), max_length=12, choices=UserKind.choices)
    display_name = models.CharField(_("姓名或名称"), max_length=100)

    def __str__(self) -> str:
        return self.display_name or self.username


class CitizenProfile(models.Model):
    """A natural person (自然人); the ID number and phone are stored encrypted."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen")
    real_name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(max_length=18)
    phone = EncryptedTextField(_("手机号码"))
    phone_hash = models.CharField(max_length=64, db_index=True)
    phone_masked = models.CharField(max_length=11)
    area_code = models.CharField(_("户籍地区代码"), max_length=6)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return f"{self.real_name}（{self.id_number_masked}）"


class EnterpriseProfile(models.Model):
    """A legal person (法人) identified by its unified social credit code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="enterprise")
    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A role a staff user holds in one department (scoped permission)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="staff_roles"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="accounts_staffrole_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.role}"
