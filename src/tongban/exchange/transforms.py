"""Field transforms (字段转换) of adapter mappings, and masking rules (脱敏) of data items.

A transform is a short string kept in the admin as data: ``trim``, ``upper``,
``strip_spaces``, ``date:<strptime format>`` (source format to ISO date), ``code:<JSON
object>`` (code table), ``encoding:<codec>`` (repair text decoded with the wrong codec).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _


class TransformError(ValueError):
    """A transform specification that cannot be used; the message is for people."""


@dataclass(frozen=True)
class Transform:
    spec: str
    forward: Callable[[Any], Any]
    backward: Callable[[Any], Any] | None = None  # for translating filter values


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _trim(value: Any) -> Any:
    value = _text(value)
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    value = _text(value)
    return value.upper() if isinstance(value, str) else value


def _strip_spaces(value: Any) -> Any:
    value = _text(value)
    return "".join(value.split()) if isinstance(value, str) else value


def _date(fmt: str) -> Transform:
    def forward(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        value = _text(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return datetime.strptime(str(value).strip(), fmt).date().isoformat()
        except ValueError:
            return str(value)

    def backward(value: Any) -> Any:
        try:
            return date.fromisoformat(str(value)).strftime(fmt)
        except ValueError:
            return value

    return Transform(f"date:{fmt}", forward, backward)


def _code(table_text: str) -> Transform:
    try:
        table = json.loads(table_text)
    except json.JSONDecodeError:
        raise TransformError(
            _("代码表不是有效的 JSON 对象：%(spec)s") % {"spec": table_text}
        ) from None
    if not isinstance(table, dict) or not table:
        raise TransformError(_('代码表应为非空的 JSON 对象，如 {"1": "男"}'))
    table = {str(k): v for k, v in table.items()}
    reverse = {str(v): k for k, v in table.items()}

    def forward(value: Any) -> Any:
        value = _text(value)
        if value is None:
            return None
        return table.get(str(value).strip(), value)

    def backward(value: Any) -> Any:
        return reverse.get(str(value), value)

    return Transform(f"code:{table_text}", forward, backward)


def _encoding(codec: str) -> Transform:
    try:
        codecs.lookup(codec)
    except LookupError:
        raise TransformError(_("未知的字符编码：%(codec)s") % {"codec": codec}) from None

    def forward(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode(codec, "replace")
        if isinstance(value, str):
            try:
                return value.encode("latin-1").decode(codec)
            except (UnicodeEncodeError, UnicodeDecodeError):
                return value
        return value

    return Transform(f"encoding:{codec}", forward)


SIMPLE: dict[str, Callable[[Any], Any]] = {
    "trim": _trim,
    "upper": _upper,
    "strip_spaces": _strip_spaces,
}


def parse(spec: Any) -> Transform:
    """The transform named by ``spec``; ``TransformError`` (in Chinese) when unknown."""
    if not isinstance(spec, str) or not spec.strip():
        raise TransformError(_("转换规则应为非空文本"))
    spec = spec.strip()
    if spec in SIMPLE:
        backward = _upper if spec == "upper" else None
        return Transform(spec, SIMPLE[spec], backward)
    name, sep, arg = spec.partition(":")
    if sep and name == "date":
        if "%" not in arg:
            raise TransformError(_("日期格式应为 strftime 格式，如 date:%%Y%%m%%d"))
        return _date(arg)
    if sep and name == "code":
        return _code(arg)
    if sep and name == "encoding":
        return _encoding(arg.strip())
    raise TransformError(
        _(
            "未知的转换规则“%(spec)s”（可用：trim、upper、strip_spaces、date:格式、code:代码表、"
            "encoding:编码）"
        )
        % {"spec": spec}
    )


def parse_all(specs: Any) -> list[Transform]:
    if specs in (None, ""):
        return []
    if not isinstance(specs, list):
        raise TransformError(_('转换规则应为列表，如 ["trim"]'))
    return [parse(spec) for spec in specs]


def apply(transforms: list[Transform], value: Any) -> Any:
    for transform in transforms:
        value = transform.forward(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return value


def reverse(transforms: list[Transform], value: Any) -> Any:
    """A filter value in the source's own representation (best effort, equality only)."""
    for transform in reversed(transforms):
        if transform.backward is not None:
            value = transform.backward(value)
    return value


# ------------------------------------------------------------------------------ masking


def mask(rule: str, value: Any) -> Any:
    """Mask a value by a data item's rule: id_number, phone, name, address (or none)."""
    if value is None or rule in ("", "none"):
        return value
    text = str(value)
    if rule == "id_number":
        return text[:4] + "*" * (len(text) - 8) + text[-4:] if len(text) > 8 else "****"
    if rule == "phone":
        return text[:3] + "****" + text[-4:] if len(text) >= 7 else "****"
    if rule == "name":
        if len(text) <= 1:
            return "*"
        return text[0] + "*" * (len(text) - 1)
    if rule == "address":
        return text[:6] + "****" if len(text) > 6 else "****"
    return "****"
