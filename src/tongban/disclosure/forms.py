"""Plain field descriptions for the disclosure forms, rendered by ``_form_fields.html``
with the Chinese error next to each field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.disclosure.models import (
    Attribute,
    DeliveryForm,
    Kind,
    ReplyType,
    Validity,
    WithheldReason,
)


@dataclass
class Field:
    name: str
    label: Any
    type: str = "text"  # text | textarea | date | select | number | file
    required: bool = False
    hint: Any = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    maxlength: int = 200
    value: str = ""
    error: str = ""


def bind(fields: list[Field], data: dict[str, str], errors: dict[str, str]) -> list[Field]:
    for f in fields:
        f.value = data.get(f.name, f.value)
        f.error = errors.get(f.name, "")
    return fields


def publication_fields(
    departments: list[tuple[str, str]], categories: list[tuple[str, str]]
) -> list[Field]:
    return [
        Field("department_id", _("发布机构"), "select", True, options=departments),
        Field("category", _("公开目录分类"), "select", True, options=categories),
        Field("kind", _("信息类别"), "select", True, options=list(Kind.choices)),
        Field("title", _("标题"), required=True),
        Field(
            "doc_number",
            _("文号"),
            hint=_("没有文号可不填，格式如：鄂政发〔2026〕3号"),
            maxlength=60,
        ),
        Field("written_on", _("成文日期"), "date", True),
        Field("summary", _("摘要"), "textarea", maxlength=300),
        Field("body", _("正文"), "textarea", True, maxlength=20000),
        Field("attribute", _("公开属性"), "select", True, options=list(Attribute.choices)),
        Field(
            "withheld_reason",
            _("不予公开理由"),
            hint=_("公开属性为“不予公开”时必填"),
            maxlength=300,
        ),
        Field("validity", _("有效性"), "select", True, options=list(Validity.choices)),
        Field("effective_on", _("生效日期"), "date"),
        Field("invalid_on", _("失效或废止日期"), "date", hint=_("失效或废止时必填")),
    ]


def request_fields(departments: list[tuple[str, str]]) -> list[Field]:
    return [
        Field("department_id", _("受理机关"), "select", True, options=departments),
        Field(
            "description",
            _("所需政府信息的名称、文号或便于查询的其他特征性描述"),
            "textarea",
            True,
            maxlength=4000,
        ),
        Field("purpose", _("用途（选填）"), "textarea", maxlength=1000),
        Field("form", _("获取信息的方式"), "select", True, options=list(DeliveryForm.choices)),
        Field("phone", _("联系电话"), required=True, maxlength=20),
        Field("address", _("通讯地址"), hint=_("纸质或邮寄方式必填")),
        Field("email", _("电子邮箱"), hint=_("电子方式必填"), maxlength=120),
    ]


def reply_fields() -> list[Field]:
    reasons = [("", _("不适用")), *WithheldReason.choices]
    return [
        Field("reply_type", _("答复类型"), "select", True, options=list(ReplyType.choices)),
        Field("withheld_reason", _("不予公开理由"), "select", options=reasons),
        Field("referral_agency", _("负责公开的机关"), hint=_("“非本机关负责公开”时必填")),
        Field(
            "public_location",
            _("获取途径（链接或索引号）"),
            hint=_("“已主动公开”时必填"),
            maxlength=300,
        ),
        Field("reply_text", _("答复内容"), "textarea", True, maxlength=4000),
        Field("reply_file", _("答复文件（选填，不超过5MB）"), "file"),
    ]
