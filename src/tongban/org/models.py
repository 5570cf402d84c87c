"""Divisions, departments and the staff roles that can be held in a department."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Division(models.Model):
    """An administrative division (行政区划) identified by its GB/T 2260 code."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Codes of the ancestors and itself, "420000/420100/420102": scope checks and
    # "this division and below" queries become one indexed prefix match.
    path = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A government department (政务部门) of one division."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="departments")
    code = models.SlugField(_("部门简码"), max_length=40)
    name = models.CharField(_("部门名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_service_centre = models.BooleanField(_("政务服务中心"), default=False)

    class Meta:
        ordering = ["division_id", "id"]
        verbose_name = _("政务部门")
        verbose_name_plural = _("政务部门")
        constraints = [
            models.UniqueConstraint(fields=["division", "code"], name="org_department_code"),
            models.UniqueConstraint(fields=["division", "name"], name="org_department_name"),
        ]

    def __str__(self) -> str:
        return f"{self.division.name}{self.name}"


class Role(models.TextChoices):
    """Staff roles; each is held in one department and scoped by it."""

    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    REVIEWER = "reviewer", _("审批员")
    HEAD = "head", _("部门负责人")
    SUPERVISOR = "supervisor", _("电子监察员")
    LEADER = "leader", _("政府领导")
    DATA_STEWARD = "data_steward", _("数据管理员")
    DISPATCHER = "dispatcher", _("派单员")
    SYSADMIN = "sysadmin", _("系统管理员")


# Roles whose holder acts for the whole division (and the divisions below it) rather than
# for their own department only.
DIVISION_WIDE_ROLES = frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.SYSADMIN})
